"""The days the government moves: compensatory days off and make-up working Saturdays."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarChange(models.Model):
    """One day whose working status the government's yearly announcement changes: a day off
    in compensation (nghỉ bù) or a Saturday worked to make up for it (làm bù). The public
    holidays themselves come from the `holidays` library's Vietnamese calendar
    (documents.workdays); these rows only move days, entered by the administrator."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ (nghỉ bù, nghỉ thêm)")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    reason = models.CharField(
        _("căn cứ"),
        max_length=255,
        help_text=_("Ví dụ: Thông báo số 6150/TB-LĐTBXH về lịch nghỉ Tết Âm lịch."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.get_kind_display()}"
