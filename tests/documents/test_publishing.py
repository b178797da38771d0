"""The signed originals are made in the workflow's own transactions and never replaced."""

import errno
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals import services
from documents import audit
from documents.models import Document, Event, Rendition
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


# --- no file without its row, a clear message when the disk refuses ---------------------


def _stored(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_a_job_dying_after_writing_the_pdf_leaves_no_pdf_behind(
    submitted, users, settings, monkeypatch, jobs_after_commit, django_capture_on_commit_callbacks
):
    """The issued original's job writes the file, then dies before its commit (the database
    went away): the file goes with the rollback, and the job given again makes it once."""
    with django_capture_on_commit_callbacks(execute=True):
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    signed_off = _stored(settings)
    with django_capture_on_commit_callbacks() as waiting:
        services.document_issue(document=submitted, actor=users.vanthu, issued_on=ISSUE_DATE)
    written_before_failure = []
    record = audit.record

    def fail_after_the_pdf_is_written(**kwargs):
        if kwargs["kind"] == Event.Kind.RENDERED:
            written_before_failure.extend(_stored(settings) - signed_off)
            raise RuntimeError("the database went away")
        return record(**kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(audit, "record", fail_after_the_pdf_is_written)
        with pytest.raises(RuntimeError):
            for job in waiting:
                job()
    assert len(written_before_failure) == 1  # the issued PDF was on disk…
    assert _stored(settings) == signed_off  # …and went with the rollback
    assert not submitted.renditions.filter(kind=Rendition.Kind.ISSUED).exists()
    assert not submitted.events.filter(kind=Event.Kind.RENDERED, data__rendition="issued")

    for job in waiting:  # the worker is given the job again (acks late)
        job()
    assert submitted.renditions.filter(kind=Rendition.Kind.ISSUED).count() == 1
    assert len(_stored(settings) - signed_off) == 1


def test_unwritable_storage_at_sign_off_is_recorded_and_made_again_once_mended(
    submitted, users, settings, tmp_path, client
):
    """The decision stands (the signer approved); the signed original, made off the request,
    fails with the reason in the trail and on the page, and is made on request once mended."""
    mended = settings.MEDIA_ROOT
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"  # no folder can be made under a file
    client.force_login(users.phogiamdoc)
    response = client.post(f"/documents/van-ban/{submitted.pk}/ky-duyet/", {"decision": "approve"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "signed" and not submitted.renditions.exists()
    failure = submitted.events.get(kind="render_failed")
    assert "Không ghi được tệp văn bản" in failure.data["error"]
    page = client.get(f"/documents/van-ban/{submitted.pk}/").text
    assert "Không ghi được tệp văn bản" in page and 'data-testid="original-retry"' in page
    with pytest.raises(ValidationError, match="đang được tạo"):
        services.document_issue(document=submitted, actor=users.vanthu, issued_on=ISSUE_DATE)

    settings.MEDIA_ROOT = mended
    assert client.post(f"/documents/van-ban/{submitted.pk}/ban-goc/tao-lai/").status_code == 302
    assert submitted.renditions.get().kind == Rendition.Kind.SIGNED_OFF


def test_unwritable_storage_at_issuance_is_recorded_and_acknowledging_waits(
    submitted, users, client, monkeypatch
):
    """The number and date are given (the văn thư issued); the issued original fails with
    its reason, recipients cannot acknowledge until a văn thư has it made again."""
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")

    def read_only(self, name, content):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr(FileSystemStorage, "_save", read_only)
        client.force_login(users.vanthu)
        response = client.post(f"/documents/van-ban/{submitted.pk}/ban-hanh/", {"confirm": "on"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.notation == "01/KH-STTTT" and submitted.renditions.count() == 1
    failure = submitted.events.get(kind="render_failed")
    assert failure.data["rendition"] == "issued"
    assert "Read-only file system" in failure.data["error"]
    receipt = submitted.receipts.select_related("assignee").get(unit__abbreviation="CA")
    with pytest.raises(PermissionDenied):
        services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)

    assert client.post(f"/documents/van-ban/{submitted.pk}/ban-goc/tao-lai/").status_code == 302
    assert submitted.renditions.filter(kind=Rendition.Kind.ISSUED).exists()
    services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    receipt.refresh_from_db()
    assert receipt.status == "acknowledged"


def _orphans(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    paths = [root / "renditions" / "999" / "0123" / "999-issued.pdf", root / "attachments" / "x"]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 left by a killed process")
    return paths


def test_clean_orphan_files_lists_then_deletes_only_unreferenced_files(submitted, users, settings):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=submitted, actor=users.vanthu, issued_on=ISSUE_DATE)
    kept = _stored(settings)
    orphans = _orphans(settings)
    out = io.StringIO()
    call_command("clean_orphan_files", stdout=out)  # a fresh file may be a running transaction's
    assert "Không có tệp thừa." in out.getvalue()
    out = io.StringIO()
    call_command("clean_orphan_files", "--min-age", "0", stdout=out)
    assert "renditions/999/0123/999-issued.pdf" in out.getvalue()
    assert "2 tệp thừa" in out.getvalue()
    assert all(path.exists() for path in orphans)  # a dry run by default
    call_command("clean_orphan_files", "--min-age", "0", "--delete", stdout=io.StringIO())
    assert not any(path.exists() for path in orphans)
    assert _stored(settings) == kept


def test_clean_orphan_files_fails_on_a_row_without_its_file(submitted, users, settings):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    rendition = submitted.renditions.get()
    Path(rendition.file.path).unlink()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("clean_orphan_files", stdout=io.StringIO(), stderr=err)
    assert rendition.file.name in err.getvalue()
