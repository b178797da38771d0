"""Register book counters (sổ đăng ký văn bản đi), one row per book and year."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Organization


class RegisterCounter(models.Model):
    """The last number taken in one register book for one calendar year.

    The row is locked (SELECT ... FOR UPDATE) while a number is taken inside the issuing
    transaction: a rollback gives the number back, and two issuances never share one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("sổ"), max_length=30, help_text=_("HC: sổ chung; MAT: văn bản mật"))
    year = models.PositiveIntegerField(_("năm"))
    last_number = models.PositiveIntegerField(_("số cuối cùng đã cấp"), default=0)

    class Meta:
        verbose_name = _("sổ đăng ký văn bản đi")
        verbose_name_plural = _("sổ đăng ký văn bản đi")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "year"], name="register_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.abbreviation} {self.key} {self.year}: {self.last_number}"
