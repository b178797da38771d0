"""Shared fixtures: the demo organisation and the seed plan, loaded from fixtures/ per test."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from documents.models import Document

FIXTURES = ("document_types", "organisation", "demo_documents")
# Tests issue on the day they run, as the văn thư's screen does.
ISSUE_DATE = timezone.localdate()
SEED_SUBJECT = "Phát động phong trào thi đua bảo đảm trật tự an toàn giao thông năm 2020"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test drives the same views the HTTP tests cover on both databases: it runs
    once, in CI's SQLite pass (marker ``once``)."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.once)


@pytest.fixture(autouse=True)
def jobs_at_once(request, monkeypatch):
    """The signed-original job a step enqueues (config.jobs.after_commit) runs at once, inside
    the test's own transaction, which never commits: a test sees the step and its signed
    original together. The same job function as on a worker. Other jobs (the e-mails) keep
    waiting for the commit. Tests of the waiting state, of failures and of the real commit ask
    for ``jobs_after_commit`` instead; tests/test_serve.py and test_production_lifecycle.py
    run a real worker."""
    if "jobs_after_commit" in request.fixturenames:
        return
    from config import jobs

    after_commit = jobs.after_commit

    def originals_at_once(task, *args, **kwargs):
        if task.name == "documents.tasks.make_signed_original":
            task.delay(*args, **kwargs)
        else:
            after_commit(task, *args, **kwargs)

    monkeypatch.setattr(jobs, "after_commit", originals_at_once)


@pytest.fixture
def jobs_after_commit():
    """Jobs wait for the commit, as in production (see jobs_at_once)."""


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


def signing_settings(directory) -> dict[str, str]:
    """settings.SIGNING for the demo key files (documents.signers' "demo-files" mode) kept in
    one directory, as make_demo_pki lays them out, with unencrypted keys."""
    return {
        "BACKEND": "demo-files",
        "CA_CERT": str(directory / "ca.crt.pem"),
        "SIGNER_KEYS_DIR": str(directory / "signers"),
        "AGENCY_KEY": str(directory / "agency.key.pem"),
        "AGENCY_CERT": str(directory / "agency.crt.pem"),
        "KEY_PASSPHRASE": "",
    }


@pytest.fixture(scope="session", autouse=True)
def signing_keys(tmp_path_factory):
    """A throw-away CA, agency certificate and one certificate per demo leader, for the run."""
    from django.conf import settings

    from documents import pki

    directory = tmp_path_factory.mktemp("pki")
    ca = pki.make_ca(common_name="Văn thư test CA", organization="Văn thư test CA")
    pki.write(ca, key_path=directory / "ca.key.pem", cert_path=directory / "ca.crt.pem")
    agency = pki.issue(
        ca, common_name="Sở Thông tin và Truyền thông", organization="UBND tỉnh Bình Phước"
    )
    pki.write(agency, key_path=directory / "agency.key.pem", cert_path=directory / "agency.crt.pem")
    for username, name in [("phogiamdoc", "Trần Thị Bình"), ("giamdoc", "Lê Văn Cường")]:
        credentials = pki.issue(ca, common_name=name, organization="Sở Thông tin và Truyền thông")
        pki.write(
            credentials,
            key_path=directory / "signers" / f"{username}.key.pem",
            cert_path=directory / "signers" / f"{username}.crt.pem",
        )
    original = settings.SIGNING
    settings.SIGNING = signing_settings(directory)
    yield directory
    settings.SIGNING = original


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and signed files go to a per-test folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
