"""Who may see a document, stored where an index serves "documents visible to X"."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentAccess(models.Model):
    """One audience of one document: a person, a unit's group, a role of the agency, or
    everyone signed in. Written only by documents.permissions (the rule lives there); list
    pages ask "documents with an access row for one of my audiences", served by the indexes.

    ``audience`` is ``user:<id>``, ``group:<id>`` (a unit's members), ``clerks:<org id>``
    (the agency's văn thư), ``leaders:<org id>`` (its Giám đốc and Phó Giám đốc) or ``all``.
    """

    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.CASCADE,
        related_name="access",
        verbose_name=_("văn bản"),
        # The unique (document, audience) index serves every lookup by document, and a
        # visibility probe ("this document, one of my audiences") from the index alone; a
        # separate document index made PostgreSQL probe it and filter the rows instead.
        db_index=False,
    )
    audience = models.CharField(_("người hoặc nhóm được xem"), max_length=40)
    # The document's creation time, copied: "newest first" straight from the audience index.
    created_at = models.DateTimeField(_("ngày tạo văn bản"))

    class Meta:
        verbose_name = _("quyền xem văn bản")
        verbose_name_plural = _("quyền xem văn bản")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["document", "audience"], name="document_access_one_per_audience"
            ),
        ]
        indexes = [
            models.Index(
                fields=["audience", "-created_at", "document"], name="document_access_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.audience}"
