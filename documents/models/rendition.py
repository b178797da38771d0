"""The signed PDF originals: what the signer signed, and what the agency issued."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import AppendOnlyError


def rendition_path(instance: "Rendition", filename: str) -> str:
    return f"renditions/{instance.document_id}/{instance.sha256[:16]}/{filename}"


class Rendition(models.Model):
    """A digitally signed PDF of a document. Written once, never replaced or deleted: the
    issued rendition is the archived original recipients download."""

    class Kind(models.TextChoices):
        SIGNED_OFF = "signed_off", _("Bản đã ký duyệt (chữ ký số người ký)")
        ISSUED = "issued", _("Bản phát hành (chữ ký số cơ quan)")

    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="renditions",
        verbose_name=_("văn bản"),
    )
    kind = models.CharField(_("loại bản"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("tệp PDF"), upload_to=rendition_path, max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("bản PDF đã ký số")
        verbose_name_plural = _("bản PDF đã ký số")
        ordering = ["document", "created_at"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["document", "kind"], name="rendition_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("a signed rendition cannot be replaced")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("a signed rendition cannot be deleted")
