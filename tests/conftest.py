"""Shared fixtures: the demo organisation and the seed plan, loaded from fixtures/ per test."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from documents.models import Document

FIXTURES = ("document_types", "organisation", "demo_documents")
SEED_SUBJECT = "Phát động phong trào thi đua bảo đảm trật tự an toàn giao thông năm 2020"


@pytest.fixture
def demo(db):
    """The organisation, one user per role, plan 83/KH-UBND and the seed plan as a draft."""
    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture
def users(demo):
    """Demo users by username."""

    class Users(dict):
        def __getattr__(self, name):
            return self[name]

    return Users({u.username: u for u in get_user_model().objects.all()})


@pytest.fixture
def seed_plan(demo) -> Document:
    """The seed plan (Kế hoạch TTATGT 2020) as a draft of the chuyên viên of Văn phòng."""
    return Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)


def snapshot(document: Document) -> dict:
    """What a refused action must leave exactly as it was."""
    document.refresh_from_db()
    return {
        "status": document.status,
        "number": document.number,
        "notation": document.notation,
        "body": document.body,
        "content_hash": document.content_hash,
        "events": list(document.events.values_list("pk", flat=True)),
        "receipts": list(document.receipts.values_list("pk", "status")),
        "history": document.history.count(),
    }
