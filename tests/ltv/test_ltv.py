"""Signatures that outlive their certificates: B-LT/B-LTA signed against a real TSA and OCSP
responder (certomancer on 127.0.0.1), validated a month later, after the signer's certificate
expired, through pyHanko's point-in-time validation (a `moment`, no clock patching)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from documents import ltv, pki, signing

from .conftest import LtvPki

FIELD = "ChuKyNguoiKy"


def blank_pdf() -> bytes:
    writer = PdfFileWriter()
    size = [generic.NumberObject(n) for n in (0, 0, 595, 842)]
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(size),
                generic.NameObject("/Resources"): generic.DictionaryObject(),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def anchors_file(ltv_pki: LtvPki, tmp_path):
    path = tmp_path / "trust" / "root.pem"
    path.parent.mkdir()
    path.write_bytes(ltv_pki.root_pem())
    return path


@pytest.fixture
def ltv_settings(settings, ltv_pki: LtvPki, anchors_file):
    """SIGNING with the test PKI's root as the only anchor (a directory in TRUST_ANCHORS,
    CA_CERT pointing nowhere) and its TSA."""

    def configure(level: str, **extra):
        settings.SIGNING = {
            **settings.SIGNING,
            "CA_CERT": str(anchors_file.parent / "none.pem"),
            "TRUST_ANCHORS": [str(anchors_file.parent)],
            "TSA_URL": ltv_pki.tsa_url,
            "LTV": level,
            "FETCH_REVOCATION": False,
            **extra,
        }

    return configure


def sign_with_settings(ltv_pki: LtvPki, label: str = "signer") -> bytes:
    """documents.signing.sign_pdf, the way sign-off and issuance sign, at SIGNING['LTV']."""
    return signing.sign_pdf(
        blank_pdf(),
        signer=ltv_pki.signer(label),
        reason="Ký duyệt",
        location="Bình Phước",
        field_name=FIELD,
    )


def test_b_lt_signature_is_still_valid_after_the_certificate_expired(ltv_pki, ltv_settings):
    ltv_settings("B-LT")
    signed_from = datetime.datetime.now(datetime.UTC)
    pdf = sign_with_settings(ltv_pki)
    signed_to = datetime.datetime.now(datetime.UTC)
    (now,) = signing.verify_pdf(pdf)
    assert now.ok and now.ltv_level == "B-LT" and not now.validated_at_timestamp
    (later,) = signing.verify_pdf(pdf, moment=ltv_pki.expired_moment())
    assert ltv_pki.cert("signer").not_valid_after_utc < ltv_pki.expired_moment()
    assert later.ok and later.trusted and later.validated_at_timestamp
    assert later.intact and later.ltv_level == "B-LT"
    assert (later.revocation, later.revocation_source, later.revocation_embedded) == (
        "good",
        "OCSP",
        True,
    )
    assert later.tsa_name == "TSA thử nghiệm LTV"
    assert later.timestamp_time is not None
    # The TSA stamps the time of signing (the PKI's own "now" is taken once per session: a
    # slow run may sign long after it).
    margin = datetime.timedelta(seconds=60)
    assert signed_from - margin <= later.timestamp_time <= signed_to + margin
    assert later.chain == ("Root CA thử nghiệm LTV", "Nguyễn Văn An")


def test_b_b_signature_is_not_valid_after_the_certificate_expired(ltv_pki, ltv_settings):
    ltv_settings("B-B")
    pdf = sign_with_settings(ltv_pki)
    (now,) = signing.verify_pdf(pdf)
    assert now.ok and now.ltv_level == "B-B" and now.timestamp_time is None
    (later,) = signing.verify_pdf(pdf, moment=ltv_pki.expired_moment())
    assert later.intact and not later.trusted and not later.ok
    assert later.revocation == "unknown"


def test_b_lta_adds_a_document_timestamp_that_validates(ltv_pki, ltv_settings):
    ltv_settings("B-LTA")
    pdf = sign_with_settings(ltv_pki)
    reader = PdfFileReader(io.BytesIO(pdf))
    (document_timestamp,) = reader.embedded_timestamp_signatures
    status = validate_pdf_timestamp(
        document_timestamp, ValidationContext(trust_roots=[ltv_pki.asn1_cert("root")])
    )
    assert status.intact and status.valid and status.trusted
    (report,) = signing.verify_pdf(pdf, moment=ltv_pki.expired_moment())
    assert report.ltv_level == "B-LTA" and report.ok and report.validated_at_timestamp
    assert report.document_timestamp_time is not None
    assert report.timestamp_time is not None
    assert report.document_timestamp_time >= report.timestamp_time


def test_a_revoked_signer_certificate_is_reported_revoked(ltv_pki, ltv_settings):
    ltv_settings("B-B")
    pdf = ltv.sign(blank_pdf(), ltv_pki.signer("revoked"), field_name=FIELD, signing_level="B-B")
    (offline,) = signing.verify_pdf(pdf)
    assert offline.revocation == "unknown" and offline.ok  # nothing to learn it from
    (report,) = signing.verify_pdf(pdf, fetch_revocation=True)  # OCSP on 127.0.0.1
    assert report.intact
    assert (report.revocation, report.revocation_source, report.revocation_embedded) == (
        "revoked",
        "OCSP",
        False,
    )
    assert report.revoked_at is not None
    assert not report.trusted and not report.ok


def test_signing_b_lt_with_a_revoked_certificate_is_refused(ltv_pki, ltv_settings):
    ltv_settings("B-LT")
    with pytest.raises(ltv.SigningError):
        sign_with_settings(ltv_pki, "revoked")


def test_trust_anchors_setting_reads_files_and_directories(ltv_pki, settings, anchors_file):
    other = pki.make_ca(common_name="CA khác", organization="Không tin cậy")
    other_path = anchors_file.parent.parent / "other.pem"
    pki.write(other, key_path=other_path.with_suffix(".key"), cert_path=other_path)
    settings.SIGNING = {
        **settings.SIGNING,
        "CA_CERT": str(other_path),
        "TRUST_ANCHORS": f"{anchors_file.parent}, {anchors_file}",
    }
    assert signing.trust_roots() == [other.cert, ltv_pki.root]
    settings.SIGNING = {**settings.SIGNING, "CA_CERT": "", "TRUST_ANCHORS": []}
    assert signing.trust_roots() == []


def test_a_level_above_b_b_without_a_tsa_is_a_configuration_error(settings):
    settings.SIGNING = {**settings.SIGNING, "TSA_URL": "", "LTV": "B-LT"}
    with pytest.raises(ltv.LtvConfigurationError, match="TSA_URL"):
        ltv.level()
    settings.SIGNING = {**settings.SIGNING, "LTV": "B-X"}
    with pytest.raises(ltv.LtvConfigurationError, match="B-X"):
        ltv.level()


def _check_page(client: Client, pdf: bytes) -> str:
    upload = SimpleUploadedFile("van-ban.pdf", pdf, content_type="application/pdf")
    response = client.post("/documents/kiem-tra-chu-ky/", {"pdf": upload})
    assert response.status_code == 200
    return response.content.decode()


def test_check_page_shows_signer_time_chain_revocation_and_trust(ltv_pki, ltv_settings, client_for):
    ltv_settings("B-LT")
    page = _check_page(client_for("congan"), sign_with_settings(ltv_pki))
    assert 'data-ok="true"' in page and 'data-trusted="true"' in page
    assert "Nguyễn Văn An" in page
    assert "theo dấu thời gian của TSA thử nghiệm LTV" in page
    assert "Mức chữ ký: PAdES B-LT" in page
    assert "<li>Root CA thử nghiệm LTV</li><li>Nguyễn Văn An</li>" in page
    assert 'data-revocation="good"' in page and "Chưa bị thu hồi" in page
    assert "theo OCSP lưu trong tệp lúc ký" in page


def test_check_page_says_untrusted_for_a_pdf_signed_under_another_root(
    ltv_pki, ltv_settings, client_for
):
    ltv_settings("B-B")
    other = pki.make_ca(common_name="CA khác", organization="Không tin cậy")
    stranger = pki.issue(other, common_name="Nguyễn Văn An", organization="Không tin cậy")
    pdf = signing.sign_with(
        stranger, blank_pdf(), reason="Ký duyệt", location="Bình Phước", field_name=FIELD
    )
    page = _check_page(client_for("congan"), pdf)
    assert 'data-ok="false"' in page and 'data-trusted="false"' in page
    assert "Không tin cậy" in page
    assert "<li>CA khác</li><li>Nguyễn Văn An</li>" in page
    assert "do máy của người ký tự ghi, không có dấu thời gian" in page
