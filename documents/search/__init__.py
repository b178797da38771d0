"""Search that Vietnamese users can type (issue 17): ``reindex(document)`` keeps a document's
normalised text (SearchEntry) after every change of its metadata or files."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Document


def reindex(document: Document, *, registration_only: bool = False) -> None:
    """Write the document's searchable text (call inside the service that changed it);
    ``registration_only``: only its số ký hiệu, type and issuer were added (issuance)."""
    from .index import write_entry, write_registration

    if registration_only:
        write_registration(document)
    else:
        write_entry(document)
