"""Fixtures of the approvals tests: a logged-in client per user, the seed plan at each stage."""

import pytest
from django.test import Client

from approvals import services


@pytest.fixture
def client_for(users):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(users[username])
        return client

    return make


@pytest.fixture
def submitted(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    return seed_plan


@pytest.fixture
def issued(submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=submitted, actor=users.vanthu)
    submitted.refresh_from_db()
    return submitted
