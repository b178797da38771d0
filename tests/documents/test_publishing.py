"""The signed originals are made in the workflow's own transactions and never replaced."""

import pytest
from django.core.exceptions import ValidationError

from approvals import services
from documents.models import Document, Rendition
from documents.models.audit import AppendOnlyError
from tests.conftest import ISSUE_DATE, snapshot


@pytest.fixture
def submitted(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    seed_plan.refresh_from_db()
    return seed_plan


def test_sign_off_without_the_signers_certificate_is_refused_and_changes_nothing(
    submitted, users, settings, tmp_path
):
    settings.SIGNING = {**settings.SIGNING, "SIGNER_KEYS_DIR": str(tmp_path / "none")}
    before = snapshot(submitted)
    with pytest.raises(ValidationError) as error:
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    assert "chứng thư số của người ký" in error.value.messages[0]
    assert snapshot(submitted) == before
    assert not submitted.renditions.exists()
    assert submitted.processes.get().decision == ""


def test_a_signed_rendition_cannot_be_replaced_or_deleted(submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    rendition = submitted.renditions.get()
    assert rendition.kind == Rendition.Kind.SIGNED_OFF
    with pytest.raises(AppendOnlyError):
        rendition.save()
    with pytest.raises(AppendOnlyError):
        rendition.delete()


def test_issuing_from_a_damaged_signed_file_is_refused(submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    rendition = submitted.renditions.get()
    path = rendition.file.path
    with open(path, "r+b") as handle:
        handle.seek(500)
        byte = handle.read(1)
        handle.seek(500)
        handle.write(bytes([byte[0] ^ 0xFF]))
    before = snapshot(submitted)
    with pytest.raises(ValidationError):
        services.document_issue(document=submitted, actor=users.vanthu, issued_on=ISSUE_DATE)
    assert snapshot(submitted) == before
    submitted.refresh_from_db()
    assert submitted.status == Document.Status.SIGNED
    assert submitted.renditions.count() == 1


def test_signed_off_this_year_issued_next_year_takes_the_new_books_number(submitted, users):
    import datetime as dt

    from documents import signing
    from documents.rendering import slots

    from .pdf_helpers import form_fields

    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    next_year = ISSUE_DATE.year + 1
    services.document_issue(
        document=submitted, actor=users.vanthu, issued_on=dt.date(next_year, 1, 2)
    )
    submitted.refresh_from_db()
    assert (submitted.notation, submitted.issued_year) == ("01/KH-STTTT", next_year)
    issued = submitted.renditions.get(kind=Rendition.Kind.ISSUED)
    with issued.file.open("rb") as handle:
        pdf = handle.read()
    values = form_fields(pdf)
    assert (values[slots.NUMBER], values[slots.DATE]) == (
        "01/KH-STTTT",
        f"02 tháng 01 năm {next_year}",
    )
    reports = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    assert len(reports) == 2 and all(report.ok for report in reports)
