"""The plan's follow-up: the tasks a document assigns to units (giao việc), the reports that
answer them, and the reminders sent about them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .document import Document
from .organisation import Unit


class Assignment(models.Model):
    """One task of a plan for one unit in charge (chủ trì), with its supporting units (phối
    hợp) and its deadline. Written with the draft; active from the plan's issuance."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Chưa hiệu lực")
        NOT_STARTED = "not_started", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        REPORTED = "reported", _("Đã báo cáo")
        DONE = "done", _("Hoàn thành")

    # Shown, never stored: an open assignment past its deadline (selectors.with_state).
    OVERDUE = "overdue"
    OVERDUE_LABEL = _("Quá hạn")
    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)

    class Deadline(models.TextChoices):
        DATE = "date", _("Đến ngày")
        WORKING_DAYS = "working_days", _("Số ngày làm việc kể từ ngày ban hành")
        MONTHLY = "monthly", _("Hằng tháng")

    plan = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("văn bản giao việc"),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    heading = models.CharField(
        _("mục"), max_length=255, blank=True, help_text=_("Ví dụ: 1. Công tác tuyên truyền")
    )
    task = models.TextField(_("nhiệm vụ"))
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="assignments_led",
        verbose_name=_("đơn vị chủ trì"),
    )
    supporting_units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="assignments_supported",
        verbose_name=_("đơn vị phối hợp"),
    )
    deadline_text = models.CharField(
        _("thời gian thực hiện"),
        max_length=200,
        blank=True,
        help_text=_("Như ghi trong văn bản, ví dụ: Trong năm 2020"),
    )
    deadline_kind = models.CharField(
        _("loại thời hạn"), max_length=20, choices=Deadline.choices, default=Deadline.DATE
    )
    working_days = models.PositiveSmallIntegerField(_("số ngày làm việc"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(
        _("ngày báo cáo trong tháng"),
        null=True,
        blank=True,
        help_text=_("Trống: ngày cuối tháng."),
    )
    # The deadline of the present period: given (DATE), counted at issuance (WORKING_DAYS),
    # or this month's (MONTHLY, moved on when a month's report is accepted).
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    period = models.PositiveSmallIntegerField(_("kỳ báo cáo"), default=1)
    activated_on = models.DateField(_("ngày giao"), null=True, blank=True)
    reported_on = models.DateField(_("ngày báo cáo"), null=True, blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nhiệm vụ được giao")
        verbose_name_plural = _("nhiệm vụ được giao")
        ordering = ["plan", "position", "pk"]
        indexes = [
            # A unit's assignments, open ones by deadline ("Việc của tôi", the dashboard).
            models.Index(fields=["lead_unit", "status", "due_on"], name="assignment_unit"),
            # The reminder job: open assignments by deadline, whatever the unit.
            models.Index(fields=["status", "due_on"], name="assignment_due"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_unit} — {self.task[:80]}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.PLANNED


class AssignmentReport(models.Model):
    """A unit's report (Báo cáo) answering an assignment, and what Văn phòng made of it."""

    class Outcome(models.TextChoices):
        DRAFTING = "drafting", _("Đang soạn, trình ký")
        RECEIVED = "received", _("Đã nhận báo cáo")
        ACCEPTED = "accepted", _("Đã xác nhận hoàn thành")
        SENT_BACK = "sent_back", _("Yêu cầu báo cáo lại")
        WITHDRAWN = "withdrawn", _("Không được duyệt")

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("nhiệm vụ"),
    )
    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        related_name="assignment_report",
        verbose_name=_("báo cáo"),
    )
    period = models.PositiveSmallIntegerField(_("kỳ báo cáo"), default=1)
    outcome = models.CharField(
        _("kết quả"), max_length=20, choices=Outcome.choices, default=Outcome.DRAFTING
    )
    received_on = models.DateField(_("ngày nhận"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xem xét"),
    )
    reviewed_at = models.DateTimeField(_("thời điểm xem xét"), null=True, blank=True)
    comment = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo thực hiện nhiệm vụ")
        verbose_name_plural = _("báo cáo thực hiện nhiệm vụ")
        ordering = ["assignment", "pk"]

    def __str__(self) -> str:
        return f"{self.document} → {self.assignment}"


class Reminder(models.Model):
    """One reminder about one deadline of one assignment: the unique key is what makes it
    sent once, however many schedulers run (followup.reminders)."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Sắp đến hạn")
        DUE = "due", _("Đến hạn hôm nay")
        OVERDUE = "overdue", _("Quá hạn")
        ESCALATION = "escalation", _("Báo cáo lãnh đạo: quá hạn")

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("nhiệm vụ"),
    )
    kind = models.CharField(_("loại nhắc việc"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("hạn được nhắc"))
    sent_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc việc")
        verbose_name_plural = _("nhắc việc")
        ordering = ["-sent_at", "-pk"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "due_on"], name="reminder_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on:%d/%m/%Y}"
