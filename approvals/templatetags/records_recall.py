"""The recall part of a document's page (templates/approvals/records/_document_recall.html)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def document_recall(user, document, receipt=None) -> dict:
    """The recall banner, confirmations, buttons and correction links for the person."""
    from documents.records.recall import recall_context

    if not getattr(user, "is_authenticated", False):
        return {}
    return recall_context(user, document, receipt if receipt else None)
