"""Who issues and who receives: issuing bodies, their units, positions and people."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..people import display_name


class Organization(models.Model):
    """An issuing body (cơ quan ban hành), e.g. Sở Thông tin và Truyền thông."""

    class Numbering(models.TextChoices):
        SHARED = "shared", _("Một sổ chung cho mọi văn bản hành chính")
        PER_TYPE = "per_type", _("Mỗi loại văn bản một sổ")

    name = models.CharField(_("tên cơ quan"), max_length=255)
    abbreviation = models.CharField(_("chữ viết tắt"), max_length=30, unique=True)
    parent_name = models.CharField(
        _("cơ quan chủ quản"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: UBND TỈNH BÌNH PHƯỚC"),
    )
    place = models.CharField(
        _("địa danh"), max_length=100, help_text=_("Địa danh ghi trên văn bản, ví dụ: Bình Phước")
    )
    head_title = models.CharField(_("chức danh người đứng đầu"), max_length=100, default="Giám đốc")
    numbering = models.CharField(
        _("cách đánh số văn bản hành chính"),
        max_length=20,
        choices=Numbering.choices,
        default=Numbering.SHARED,
        help_text=_("Do người đứng đầu cơ quan quyết định (Điều 15 Nghị định 30/2020/NĐ-CP)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit that drafts or receives documents: a phòng of the Sở, or an outside agency."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Đơn vị thuộc cơ quan")
        EXTERNAL = "external", _("Cơ quan, đơn vị bên ngoài")

    name = models.CharField(_("tên đơn vị"), max_length=255)
    abbreviation = models.CharField(_("chữ viết tắt"), max_length=30)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("thuộc cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    group = models.OneToOneField(
        Group,
        verbose_name=_("nhóm thành viên"),
        on_delete=models.PROTECT,
        related_name="unit",
        help_text=_("Thành viên của nhóm này được xem và xác nhận văn bản gửi đến đơn vị."),
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receiving_for",
        help_text=_("Người được giao việc xác nhận đã nhận văn bản gửi đến đơn vị."),
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="heading_units",
        help_text=_("Được giao việc xác nhận văn bản đến cho thành viên khác của đơn vị."),
    )
    is_records_office = models.BooleanField(
        _("là văn thư cơ quan"), default=False, help_text=_('Nhận bản lưu "Lưu: VT".')
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A position (chức vụ): Giám đốc, Phó Giám đốc, Trưởng phòng, chuyên viên, văn thư."""

    name = models.CharField(_("chức vụ"), max_length=100, unique=True)
    signs_documents = models.BooleanField(_("ký văn bản"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """A person's place in the organisation: their unit and position."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT)
    position = models.ForeignKey(Position, verbose_name=_("chức vụ"), on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hồ sơ cán bộ")
        verbose_name_plural = _("hồ sơ cán bộ")

    def __str__(self) -> str:
        return f"{display_name(self.user)} — {self.position}"
