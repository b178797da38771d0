"""A signature waiting for the signer's own device (signing mode "client", docs/signing.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rendition import Rendition


class PendingSignature(models.Model):
    """A PDF prepared for a signature that the signer makes with the USB token in their own
    browser: the file with its signature placeholder, what the token must sign (the CMS
    signed attributes, DER), and what finishing needs (pyHanko's interrupted signing,
    documents.client_signing). Deleted once the signed original is stored."""

    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.CASCADE,
        related_name="pending_signatures",
        verbose_name=_("văn bản"),
    )
    kind = models.CharField(_("loại bản"), max_length=20, choices=Rendition.Kind.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người phải ký"),
    )
    pdf = models.BinaryField(_("bản PDF đã chuẩn bị"))
    document_digest = models.BinaryField(_("giá trị băm của văn bản"))
    reserved_start = models.PositiveBigIntegerField(_("đầu vùng chữ ký"))
    reserved_end = models.PositiveBigIntegerField(_("cuối vùng chữ ký"))
    signed_attributes = models.BinaryField(_("dữ liệu cần ký (DER)"))
    digest_algorithm = models.CharField(_("thuật toán băm"), max_length=20, default="sha256")
    certificates = models.TextField(_("chứng thư số và chuỗi (PEM)"))
    certificate_sha256 = models.CharField(_("SHA-256 của chứng thư số"), max_length=64)
    created_at = models.DateTimeField(_("thời điểm chuẩn bị"), auto_now_add=True)

    class Meta:
        verbose_name = _("chữ ký chờ thiết bị của người ký")
        verbose_name_plural = _("chữ ký chờ thiết bị của người ký")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind"], name="pending_signature_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind} ({self.signer_id})"
