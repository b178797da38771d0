"""The seed plan at each stage it is rendered and signed in: signed off, then issued."""

from __future__ import annotations

import datetime as dt

import pytest

from documents import services
from documents.models import Document


@pytest.fixture
def submitted_plan(seed_plan, users) -> Document:
    """The seed plan submitted to the Phó Giám đốc."""
    return services.document_submit(
        document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
    )


@pytest.fixture
def signed_plan(submitted_plan, users) -> Document:
    """The seed plan signed off by the Phó Giám đốc, waiting for its number."""
    return services.document_sign_off(document=submitted_plan, actor=users.phogiamdoc)


@pytest.fixture
def issued_plan(signed_plan, users) -> Document:
    """The seed plan numbered and dated by the văn thư on 16 April of this year."""
    issued_on = dt.date(signed_plan.signed_off_at.year, 4, 16)
    return services.document_issue(document=signed_plan, actor=users.vanthu, issued_on=issued_on)
