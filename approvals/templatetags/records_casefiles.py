"""The case files on a document's page (templates/approvals/records/_document_casefiles.html)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def document_case_files(user, document) -> dict:
    """The case files holding the document that the person sees, and the filing form."""
    from approvals.ui.records.casefiles import document_case_files as context

    if not getattr(user, "is_authenticated", False):
        return {"casefiles_holding": [], "casefiles_open": []}
    return context(user, document)
