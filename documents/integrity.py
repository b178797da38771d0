"""The content fingerprint of a document, taken at sign-off and checked ever after."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .followup.services import payload as followup_payload
from .models import Document, RecipientLine


def content_payload(document: Document) -> dict[str, Any]:
    """Everything the signer approved: the text, its parts, recipients and attachments.

    The names come from the document itself (frozen at sign-off, Document.names), never from
    the live reference data: renaming a type or the agency leaves signed documents intact."""
    names = document.names()
    payload: dict[str, Any] = {
        "organization": names.issuer_abbreviation,
        "document_type": [names.type_name, names.type_abbreviation],
        "subject": document.subject,
        "body": document.body,
        "urgency": document.urgency,
        "confidentiality": document.confidentiality,
        "drafting_unit": document.drafting_unit_id,
        "signer": [
            document.signer_id,
            document.signer_name,
            document.signer_authority,
            document.signer_title,
        ],
        **_related_payload(document),
    }
    # Printed on the last Nơi nhận line ("- Lưu: VT, VP (2)."). Left out when not given, so
    # documents signed before the field existed keep their hash.
    if document.archive_copies is not None:
        payload["archive_copies"] = document.archive_copies
    # What it corrects or replaces (Điều 19): left out when nothing, so every other
    # document keeps its hash.
    if document.corrects_id is not None:
        payload["corrects"] = document.corrects_id
    if document.replaces_id is not None:
        payload["replaces"] = document.replaces_id
    # The tasks it assigns (documents.followup): left out when there are none, so documents
    # without any (and those signed before assignments existed) keep their hash.
    if _related_payload(document)["assignments"]:
        payload["assignments"] = _related_payload(document)["assignments"]
    return payload


def recipient_lines(document: Document) -> list[RecipientLine]:
    """The Nơi nhận lines in order, their units loaded, read once per document instance (the
    hash and the distribution read the same lines in one service)."""
    cached = document.__dict__.get("_vanthu_recipient_lines")
    if cached is None:
        cached = document.__dict__["_vanthu_recipient_lines"] = list(
            document.recipient_lines.prefetch_related("units").order_by("position", "pk")
        )
    return cached


def _related_payload(document: Document) -> dict[str, Any]:
    """The approved content kept in other tables (cites, Nơi nhận, attachments), read once
    per document instance: ``Document.save`` checks the row's own fields against them on
    every save, and a save writes no other table. A fresh instance (every service locks and
    re-reads the document) reads them again."""
    cached = document.__dict__.get("_vanthu_related_payload")
    if cached is None:
        cached = document.__dict__["_vanthu_related_payload"] = {
            "cites": sorted(document.cites.values_list("pk", flat=True)),
            "recipients": [
                [line.text, sorted(u.pk for u in line.units.all())]
                for line in recipient_lines(document)
            ],
            "attachments": sorted(document.attachments.values_list("sha256", flat=True)),
            "assignments": followup_payload(document),
        }
    return cached


def content_hash(document: Document) -> str:
    """SHA-256 of the canonical JSON of the content payload."""
    canonical = json.dumps(
        content_payload(document), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ensure_content_unchanged(document: Document) -> None:
    """A signed-off document's content may never change: refuse if its hash differs."""
    if document.content_hash and content_hash(document) != document.content_hash:
        raise PermissionDenied(
            _("Nội dung văn bản đã thay đổi sau khi ký duyệt; thao tác bị từ chối.")
        )
