"""Two PAdES signatures on one issued document: the signer's, then the agency's."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.stamp import TextStamp, TextStampStyle

from documents import pki, signers, signing
from documents.rendering import render_pdf, slots
from documents.rendering.fields import issue_values

from .pdf_helpers import form_fields

ORGANIZATION = "Sở Thông tin và Truyền thông tỉnh Bình Phước"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(scope="session")
def ca() -> pki.Credentials:
    return pki.make_ca(common_name="CA thử nghiệm", organization="Văn thư thử nghiệm")


@pytest.fixture(scope="session")
def signer(ca) -> pki.Credentials:
    return pki.issue(ca, common_name="Trần Thị Bình", organization=ORGANIZATION)


@pytest.fixture(scope="session")
def agency(ca) -> pki.Credentials:
    return pki.issue(ca, common_name=ORGANIZATION, organization="UBND tỉnh Bình Phước")


@pytest.fixture(scope="session")
def stranger() -> pki.Credentials:
    other_ca = pki.make_ca(common_name="CA khác", organization="Không tin cậy")
    return pki.issue(other_ca, common_name="Trần Thị Bình", organization=ORGANIZATION)


def sign_off(pdf: bytes, credentials: pki.Credentials) -> bytes:
    return signing.sign_with(
        credentials,
        pdf,
        reason="Ký duyệt",
        location="Bình Phước",
        field_name=slots.SIGNATURE,
        appearance=signing.signer_appearance(),
    )


def issue(pdf: bytes, credentials: pki.Credentials, issued_on: dt.date) -> bytes:
    return signing.sign_with(
        credentials,
        pdf,
        reason="Ban hành",
        location="Bình Phước",
        field_name=slots.AGENCY_SIGNATURE,
        form_values=issue_values(pdf, notation="05/KH-STTTT", issued_on=issued_on),
        document_info={
            "CodeNumber": "05",
            "CodeNotation": "KH-STTTT",
            "IssuedDate": issued_on.isoformat(),
        },
        appearance=signing.agency_appearance("Sở Thông tin và Truyền thông"),
    )


@pytest.fixture
def issued_on(signed_plan) -> dt.date:
    return dt.date(signed_plan.signed_off_at.year, 4, 16)


@pytest.fixture
def signed_off_pdf(signed_plan, signer) -> bytes:
    stream = io.BytesIO()
    render_pdf(signed_plan, stream)
    return sign_off(stream.getvalue(), signer)


@pytest.fixture
def issued_pdf(signed_off_pdf, agency, issued_on) -> bytes:
    return issue(signed_off_pdf, agency, issued_on)


def test_signer_and_agency_signatures_both_validate(issued_pdf, ca, signer, agency):
    first, second = signing.verify_pdf(issued_pdf, trust_roots=[ca.cert])
    assert first.ok and second.ok
    assert (first.field_name, first.signer, first.organization) == (
        slots.SIGNATURE,
        "Trần Thị Bình",
        ORGANIZATION,
    )
    assert first.fingerprint == signing.fingerprint(signer.cert)
    assert (first.coverage, first.later_changes) == ("entire_revision", "form_filling")
    assert (second.field_name, second.signer) == (slots.AGENCY_SIGNATURE, ORGANIZATION)
    assert second.fingerprint == signing.fingerprint(agency.cert)
    assert (second.coverage, second.later_changes) == ("entire_file", "none")
    for report in (first, second):
        assert abs(report.signing_time - timezone.now()) < dt.timedelta(minutes=2)
    assert (second.reason, second.location) == ("Ban hành", "Bình Phước")


def test_issuance_fills_the_number_and_date_into_the_signed_blanks(
    issued_pdf, signed_off_pdf, issued_on
):
    assert form_fields(signed_off_pdf)[slots.NUMBER] == "…/KH-STTTT"
    values = form_fields(issued_pdf)
    assert (values[slots.NUMBER], values[slots.DATE]) == (
        "05/KH-STTTT",
        f"16 tháng 4 năm {issued_on.year}",
    )
    assert issued_pdf.startswith(signed_off_pdf)  # an incremental update: nothing rewritten
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "ke-hoach-ttatgt-2020-da-ky-so.pdf").write_bytes(issued_pdf)


def _flip_one_byte_in_the_first_revision(pdf: bytes) -> bytes:
    offset = pdf.index(b"stream", 2000) + 200  # inside a binary stream, structure untouched
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1 :]


def test_flipping_one_byte_breaks_both_signatures(issued_pdf, ca):
    tampered = _flip_one_byte_in_the_first_revision(issued_pdf)
    reports = signing.verify_pdf(tampered, trust_roots=[ca.cert])
    assert [report.intact for report in reports] == [False, False]
    assert not any(report.ok for report in reports)


def test_rewriting_page_content_after_sign_off_is_not_a_permitted_change(signed_off_pdf, ca):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_off_pdf), strict=False)
    stamp = TextStamp(writer, TextStampStyle(stamp_text="05"))
    stamp.apply(0, 140, 730)  # writes the number into the page content, not a form field
    out = io.BytesIO()
    writer.write(out)
    (report,) = signing.verify_pdf(out.getvalue(), trust_roots=[ca.cert])
    assert report.intact and report.trusted
    assert not report.changes_permitted and not report.ok


def test_certificate_from_another_ca_is_reported_untrusted(signed_plan, stranger, ca):
    stream = io.BytesIO()
    render_pdf(signed_plan, stream)
    (report,) = signing.verify_pdf(sign_off(stream.getvalue(), stranger), trust_roots=[ca.cert])
    assert report.intact and not report.trusted and not report.ok


def test_signed_off_in_december_issued_in_january_with_the_new_year(
    signed_off_pdf, signed_plan, agency, ca
):
    signed_year = timezone.localtime(signed_plan.signed_off_at).year
    assert form_fields(signed_off_pdf)[slots.DATE] == f"… tháng … năm {signed_year}"
    issued = issue(signed_off_pdf, agency, dt.date(signed_year + 1, 1, 2))
    assert form_fields(issued)[slots.DATE] == f"02 tháng 01 năm {signed_year + 1}"
    # Rewriting the year is form filling: the signer's signature still holds.
    first, second = signing.verify_pdf(issued, trust_roots=[ca.cert])
    assert first.ok and second.ok
    assert first.later_changes == "form_filling"


def test_a_numbered_pdf_has_no_blanks_to_fill(issued_plan):
    stream = io.BytesIO()
    render_pdf(issued_plan, stream)
    with pytest.raises(ValueError, match="numbered already"):
        issue_values(stream.getvalue(), notation="05/KH-STTTT", issued_on=issued_plan.issued_on)


def test_damaged_file_raises_a_verification_error(ca):
    with pytest.raises(signing.SignatureVerificationError):
        signing.verify_pdf(b"%PDF-1.7\nnot a pdf", trust_roots=[ca.cert])


def _write_ca(tmp_path: Path, ca: pki.Credentials) -> Path:
    path = tmp_path / "ca.crt.pem"
    pki.write(ca, key_path=tmp_path / "ca.key.pem", cert_path=path)
    return path


def test_verify_pdf_command_prints_who_when_and_passes(issued_pdf, ca, tmp_path):
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(issued_pdf)
    out = io.StringIO()
    call_command("verify_pdf", pdf, "--ca", _write_ca(tmp_path, ca), stdout=out)
    printed = out.getvalue()
    assert "Trần Thị Bình" in printed and ORGANIZATION in printed
    assert "nguyên vẹn" in printed and "được tin cậy" in printed
    assert "Tất cả chữ ký số hợp lệ." in printed


def test_verify_pdf_command_fails_on_a_tampered_file(issued_pdf, ca, tmp_path):
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(_flip_one_byte_in_the_first_revision(issued_pdf))
    out = io.StringIO()
    with pytest.raises(CommandError, match="2/2"):
        call_command("verify_pdf", pdf, "--ca", _write_ca(tmp_path, ca), stdout=out)
    assert "ĐÃ BỊ THAY ĐỔI" in out.getvalue()


def test_verify_pdf_command_fails_on_an_untrusted_signer(issued_pdf, tmp_path, stranger):
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(issued_pdf)
    other = tmp_path / "other.crt.pem"
    other.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in stranger.chain))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_pdf", pdf, "--ca", other, stdout=out)
    assert "KHÔNG được tin cậy" in out.getvalue()


def test_demo_pki_from_settings_signs_and_verifies(demo, tmp_path, signed_plan, issued_on):
    config = {
        "BACKEND": "demo-files",
        "CA_CERT": str(tmp_path / "ca.crt.pem"),
        "SIGNER_KEYS_DIR": str(tmp_path / "signers"),
        "AGENCY_KEY": str(tmp_path / "agency.key.pem"),
        "AGENCY_CERT": str(tmp_path / "agency.crt.pem"),
        "KEY_PASSPHRASE": "mat-khau-thu",
    }
    with override_settings(SIGNING=config):
        call_command("make_demo_pki", stdout=io.StringIO())
        with pytest.raises(CommandError):
            call_command("make_demo_pki", stdout=io.StringIO())
        stream = io.BytesIO()
        render_pdf(signed_plan, stream)
        signed = sign_off(stream.getvalue(), signers.demo_signer_credentials("phogiamdoc"))
        pdf = issue(signed, signers.demo_agency_credentials(), issued_on)
        reports = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    names = [report.signer for report in reports]
    assert names == ["Trần Thị Bình", "Sở Thông tin và Truyền thông"]
    assert all(report.ok for report in reports)
    assert (tmp_path / "signers" / "giamdoc.crt.pem").exists()
    assert (tmp_path / "signers" / "phogiamdoc.key.pem").stat().st_mode & 0o077 == 0
