"""A stored original changed on disk is never served as if it were fine, and verify_audit finds
it; checkpoints carry the agency's signature; an exported trail verifies with the standalone
verifier alone and fails on a changed byte."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from documents import audit_format, trail
from documents.models import Checkpoint, Event, Rendition
from tests.trail.conftest import raw

VERIFIER = Path(audit_format.__file__)


def flip_a_byte(rendition: Rendition) -> None:
    path = Path(rendition.file.path)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


def test_a_flipped_byte_in_the_issued_original_is_not_served(issued, client_for):
    rendition = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    client = client_for("chuyenvien")
    url = reverse("documents:document_pdf", args=[issued.pk])
    intact = client.get(url)
    assert intact.status_code == 200 and intact["Content-Type"] == "application/pdf"
    assert intact.content == Path(rendition.file.path).read_bytes()
    before = Event.objects.filter(document=issued).count()

    flip_a_byte(rendition)
    refused = client.get(url)
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("text/html")
    assert "không còn nguyên vẹn" in refused.content.decode()
    noted = Event.objects.filter(document=issued, kind=Event.Kind.ORIGINAL_ALTERED)
    assert noted.count() == 1 and Event.objects.filter(document=issued).count() == before + 1
    assert noted.get().data["expected"] == [rendition.sha256]

    assert client.get(url, {"download": 1}).status_code == 409
    assert noted.count() == 1  # the same finding is recorded once
    assert trail.verify(files=False, signatures=False).ok  # the trail itself still holds


def test_verify_audit_finds_the_flipped_byte_and_checks_signatures(issued, capsys):
    call_command("verify_audit")  # signatures of both originals and no checkpoint yet
    assert "Nhật ký nguyên vẹn." in capsys.readouterr().out
    rendition = issued.renditions.get(kind=Rendition.Kind.SIGNED_OFF)
    flip_a_byte(rendition)
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1
    assert f"file {rendition.file.name}: altered" in str(failure.value)


def test_a_file_row_changed_with_its_file_is_still_found(issued):
    """Replacing the file and its row's SHA-256 together: the chained event still holds the
    hash recorded when the original was made."""
    rendition = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    flip_a_byte(rendition)
    Rendition.objects.filter(pk=rendition.pk).update(sha256="0" * 64)
    findings = trail.verify(signatures=False).findings
    assert [f.where for f in findings] == [rendition.file.name]


def test_a_second_record_of_an_originals_making_is_found_and_not_believed(issued, client_for):
    """Appending a RENDERED event with another hash (and swapping the file and its row) does
    not make a swapped original pass: the first record is the one believed."""
    from documents import audit

    rendition = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    flip_a_byte(rendition)
    swapped = hashlib.sha256(Path(rendition.file.path).read_bytes()).hexdigest()
    Rendition.objects.filter(pk=rendition.pk).update(sha256=swapped)
    audit.record(
        document=issued,
        actor=None,
        kind=Event.Kind.RENDERED,
        data={"rendition": Rendition.Kind.ISSUED, "pdf_sha256": swapped},
    )
    url = reverse("documents:document_pdf", args=[issued.pk])
    assert client_for("chuyenvien").get(url).status_code == 409
    reasons = [f.reason for f in trail.verify(signatures=False).findings]
    assert any("recorded more than once" in r for r in reasons), reasons
    assert any("altered" in r for r in reasons), reasons


def test_a_checkpoint_is_signed_by_the_agency(issued):
    checkpoint = trail.seal()
    assert checkpoint is not None
    assert checkpoint.heads == {
        f"d:{issued.pk}": list(
            Event.objects.filter(document=issued).order_by("-seq").values_list("seq", "hash")[0]
        )
    }
    assert "Sở Thông tin và Truyền thông" in checkpoint.signer
    report = trail.verify(files=False)
    assert report.ok and report.signatures == 1


def test_a_checkpoint_signed_by_someone_else_is_found(issued, no_triggers):
    checkpoint = trail.seal()
    assert checkpoint is not None
    forged = checkpoint.signature[:-8] + ("A" * 8 if checkpoint.signature[-8] != "A" else "B" * 8)
    raw(
        f"UPDATE {Checkpoint._meta.db_table} SET signature = %s WHERE id = %s",  # noqa: S608
        [forged, checkpoint.pk],
    )
    findings = trail.verify(files=False).findings
    assert [f.where for f in findings] == ["#1"]
    assert "signature" in findings[0].reason


def test_sealing_without_the_agency_key_writes_nothing(issued, settings):
    settings.SIGNING = {**settings.SIGNING, "AGENCY_KEY": "/nonexistent/agency.key.pem"}
    with pytest.raises(CommandError) as failure:
        call_command("seal_audit")
    assert "Không niêm phong được" in str(failure.value)
    assert not Checkpoint.objects.exists()


# --- export and the standalone verifier ---------------------------------------------------


def standalone(*args: str) -> subprocess.CompletedProcess:
    """The verifier run as an inspector would: the file copied alone into an empty folder,
    no Django settings, with a Python that has pyHanko."""
    folder = Path(tempfile.mkdtemp())
    shutil.copy(VERIFIER, folder / "verify_trail.py")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(folder / "verify_trail.py"), *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        cwd=folder,
        check=False,
        timeout=120,
    )


@pytest.fixture
def ca_pem() -> str:
    return str(settings.SIGNING["CA_CERT"])


def test_an_exported_document_trail_verifies_alone_and_fails_on_a_changed_byte(
    issued, tmp_path, ca_pem
):
    trail.seal()
    out = tmp_path / "trail.json"
    call_command("export_audit", "--document", issued.notation, "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported["events"]) == Event.objects.filter(document=issued).count()
    assert len(exported["checkpoints"]) == 1

    result = standalone(str(out), "--trust", ca_pem)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stdout and "signatures checked" in result.stdout
    # As the README says it, from the project's folder (whose documents/selectors.py must not
    # shadow the standard library's).
    in_place = subprocess.run(  # noqa: S603
        [sys.executable, "documents/audit_format.py", str(out), "--trust", ca_pem],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
        timeout=120,
    )
    assert in_place.returncode == 0, in_place.stdout + in_place.stderr

    text = out.read_text(encoding="utf-8")
    changed = tmp_path / "changed.json"
    # One letter of the signer's role (the hashed part of an event).
    changed.write_text(text.replace('"Phó Giám đốc', '"Pho Giám đốc', 1), encoding="utf-8")
    assert text != changed.read_text(encoding="utf-8")
    result = standalone(str(changed), "--trust", ca_pem)
    assert result.returncode == 1
    assert "altered" in result.stdout


def test_an_exported_period_as_csv_verifies_and_fails_on_a_changed_byte(issued, tmp_path):
    out = tmp_path / "trail.csv"
    day = f"{timezone.localdate():%d/%m/%Y}"
    call_command(
        "export_audit", "--from", "01/01/2020", "--to", day, "--format", "csv", "-o", str(out)
    )
    assert standalone(str(out)).returncode == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == Event.objects.count() + 1
    # One byte of one actor id changed.
    row = next(i for i, line in enumerate(lines) if ",signed_off," in line)
    lines[row] = lines[row].replace("Phó Giám đốc", "Giám đốc", 1)
    (tmp_path / "changed.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = standalone(str(tmp_path / "changed.csv"))
    assert result.returncode == 1 and "altered" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--document", "999999"],
        ["--from", "31/02/2020"],
        ["--document", "1", "--from", "01/01/2020"],
        ["--from", "02/01/2020", "--to", "01/01/2020"],
    ],
)
def test_export_refuses_bad_input_clearly(db, args):
    with pytest.raises(CommandError) as failure:
        call_command("export_audit", *args)
    assert str(failure.value)


def test_a_document_sealed_on_two_days_with_other_seals_between_verifies(
    issued, users, seed_plan, tmp_path, ca_pem, settings
):
    """The document's export holds the checkpoints that name it (not consecutive ones): the
    genuine trail verifies, the agency's certificate pinned; cut short, it does not."""
    from documents import audit

    trail.seal()  # 1: the plan
    audit.record_system(actor=None, kind=Event.Kind.RIGHTS_CHANGED)
    trail.seal()  # 2: the system chain only
    audit.record(document=issued, actor=users.vanthu, kind=Event.Kind.READ)
    trail.seal()  # 3: the plan again
    out = tmp_path / "trail.json"
    call_command("export_audit", "--document", str(issued.pk), "-o", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [c["seq"] for c in exported["checkpoints"]] == [1, 3]
    agency = settings.SIGNING["AGENCY_CERT"]
    result = standalone(str(out), "--trust", ca_pem, "--agency-cert", agency)
    assert result.returncode == 0, result.stdout
    assert "made by the agency's certificate" in result.stdout

    # The sealed last event dropped (and the flag that once let a forger skip the start).
    exported["events"] = exported["events"][:-1]
    exported["from_start"] = False
    (tmp_path / "short.json").write_text(json.dumps(exported), encoding="utf-8")
    result = standalone(str(tmp_path / "short.json"), "--trust", ca_pem)
    assert result.returncode == 1 and "were sealed, and are missing" in result.stdout
    exported["events"] = exported["events"][1:]  # and the first one
    (tmp_path / "cut.json").write_text(json.dumps(exported), encoding="utf-8")
    result = standalone(str(tmp_path / "cut.json"), "--trust", ca_pem)
    assert result.returncode == 1 and "does not start with it" in result.stdout
    # Pinned to another certificate (a leader's, under the same root): refused.
    leader = str(Path(settings.SIGNING["SIGNER_KEYS_DIR"]) / "phogiamdoc.crt.pem")
    result = standalone(str(out), "--trust", ca_pem, "--agency-cert", leader)
    assert result.returncode == 1 and "not by the agency's certificate" in result.stdout


def test_a_period_export_with_the_next_days_checkpoint_verifies(issued, users, tmp_path, ca_pem):
    """The checkpoint after the period seals heads written after it: not judged, not failed."""
    from documents import audit

    trail.seal()
    audit.record(document=issued, actor=users.vanthu, kind=Event.Kind.READ)
    trail.seal()
    out = tmp_path / "period.json"
    day = f"{timezone.localdate():%d/%m/%Y}"
    call_command("export_audit", "--from", day, "--to", day, "-o", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    # The last event as if written the next day: outside the period, sealed by checkpoint 2.
    exported["events"] = [e for e in exported["events"] if e["kind"] != "read"]
    (tmp_path / "p.json").write_text(json.dumps(exported), encoding="utf-8")
    result = standalone(str(tmp_path / "p.json"), "--trust", ca_pem)
    assert result.returncode == 0, result.stdout


def test_an_altered_attachment_is_not_served(seed_plan, users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services
    from tests.documents.pdf_helpers import pdf_bytes

    attachment = services.attachment_add(
        document=seed_plan,
        actor=users.chuyenvien,
        upload=SimpleUploadedFile("phu-luc.pdf", pdf_bytes(), "application/pdf"),
    )
    client = client_for("chuyenvien")
    url = reverse("documents:attachment_download", args=[attachment.pk])
    assert client.get(url).status_code == 200
    path = Path(attachment.file.path)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))
    refused = client.get(url)
    assert refused.status_code == 409 and "không còn nguyên vẹn" in refused.content.decode()
    noted = Event.objects.filter(document=seed_plan, kind=Event.Kind.ORIGINAL_ALTERED)
    assert noted.count() == 1 and noted.get().data["rendition"] == f"attachment:{attachment.pk}"
