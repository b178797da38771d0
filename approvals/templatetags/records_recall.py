"""The recall part of a document's page (templates/approvals/records/_document_recall.html)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def document_recall(context, user, document, receipt=None) -> dict:
    """The recall banner, confirmations, buttons and correction links for the person; the
    page's timeline, when it has one, tells whether anything corrects the document."""
    from documents.records.recall import recall_context

    if not getattr(user, "is_authenticated", False):
        return {}
    timeline = context.get("timeline")
    kinds = {entry.kind for entry in timeline} if isinstance(timeline, list) else None
    return recall_context(user, document, receipt if receipt else None, kinds)
