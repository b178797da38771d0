"""Every fixture file loads, and the demo has one user per role."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from documents import permissions
from documents.models import Document, Unit
from tests.conftest import signing_settings

FIXTURE_FILES = sorted(p.stem for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))


def test_fixture_directory_holds_the_three_documented_files():
    assert FIXTURE_FILES == ["demo_documents", "document_types", "organisation"]


@pytest.mark.django_db
def test_every_fixture_file_loads_in_order():
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    assert Document.objects.get(notation="83/KH-UBND").origin == Document.Origin.REFERENCE
    draft = Document.objects.get(origin=Document.Origin.OUTGOING)
    assert draft.status == Document.Status.DRAFT
    assert draft.cites.get().notation == "83/KH-UBND"
    assert [line.text for line in draft.recipient_lines.all()] == [
        "Công an tỉnh",
        "Các phòng, Trung tâm",
        "Lưu: VT",
    ]


def test_demo_has_one_user_per_role(users):
    assert permissions.can_create(users.chuyenvien)
    assert permissions.is_signer(users.phogiamdoc)
    assert permissions.is_clerk(users.vanthu)
    assert users.congan.groups.filter(unit__abbreviation="CA").exists()
    assert Unit.objects.get(abbreviation="CA").receiver == users.congan
    for user in users.values():
        assert user.check_password("vanthu@2026")


@pytest.mark.django_db
def test_load_demo_loads_once_and_makes_certificates(settings, tmp_path):
    settings.SIGNING = signing_settings(tmp_path)
    call_command("load_demo", verbosity=0)
    draft = Document.objects.get(origin=Document.Origin.OUTGOING)
    assert (tmp_path / "signers" / "phogiamdoc.crt.pem").exists()
    assert (tmp_path / "agency.key.pem").exists()
    draft.subject = "Đã sửa"
    draft.save()
    call_command("load_demo", verbosity=0)  # a second run keeps what users changed
    draft.refresh_from_db()
    assert draft.subject == "Đã sửa"
    assert Document.objects.count() == 2
