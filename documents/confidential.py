"""Confidential documents (văn bản mật: Mật, Tối mật, Tuyệt mật; Document.Confidentiality).

Two rules, written once here:

- nothing of a confidential document's content leaves the application in a message: no
  notification, no e-mail carries its subject (trích yếu), body, number, attachment names or
  anything quoted from it (a comment on it, a task it assigns); the message says that there
  is a confidential document to deal with, and its link leads to the page, where the
  visibility rule applies (``is_confidential``, ``safe_title``);
- every read of one is on its trail: its page, its PDF, its DOCX copy, its attachments
  (``record_read``), one READ event per read, by the reader, in a transaction of its own.
  Reads of other documents are not recorded and cost no query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import Document, Event

# What a READ event says was read (Event.data["what"]).
READ_PAGE = "page"
READ_PDF = "pdf"
READ_DOCX = "docx"
READ_ATTACHMENT = "attachment"


def is_confidential(document: Document) -> bool:
    """Mật, Tối mật or Tuyệt mật: every level above Thường."""
    return bool(document.confidentiality)


def safe_title(document: Document) -> str:
    """How a message names the document: its number (or type) and subject, or, for a
    confidential one, only that it is confidential."""
    if is_confidential(document):
        return _("văn bản mật")
    head = document.notation or document.document_type.name
    return f"{head} — {document.subject}"


def record_read(document: Document, reader: User, what: str, **details: object) -> Event | None:
    """Put a read of a confidential document on its trail (its own transaction: the read
    changes nothing else); nothing for any other document. ``details``: what else tells the
    read apart (an attachment's id), JSON values."""
    if not is_confidential(document):
        return None
    from . import audit
    from .models import Event

    with transaction.atomic():
        return audit.record(
            document=document,
            actor=reader,
            kind=Event.Kind.READ,
            data={"what": what, **details},
        )
