"""Signatures made on SoftHSM2 tokens (the "pkcs11" signer backend): the server holds a PIN,
never a key. The PDFs are checked with pyHanko against the run's demo CA."""

from __future__ import annotations

import io

import pkcs11.exceptions
import pytest
from django.core.exceptions import ValidationError

from approvals import services
from documents import signers, signing
from documents.models import Rendition
from documents.rendering import render_pdf, slots
from tests.conftest import ISSUE_DATE, snapshot

from .conftest import PIN_VARIABLE


@pytest.fixture
def submitted(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    seed_plan.refresh_from_db()
    return seed_plan


def rendered(document) -> bytes:
    stream = io.BytesIO()
    render_pdf(document, stream)
    return stream.getvalue()


def stored(rendition: Rendition) -> bytes:
    with rendition.file.open("rb") as handle:
        return handle.read()


def test_the_signers_token_signs_a_pdf_that_validates_intact_and_trusted(
    on_tokens, users, seed_plan
):
    with signers.signing_as(users.phogiamdoc) as signer:
        assert signer.signing_cert.sha256.hex() == signing.fingerprint(
            on_tokens["phogiamdoc"].cert
        )  # the certificate read from the token
        pdf = signing.sign_pdf(
            rendered(seed_plan),
            signer=signer,
            reason="Ký duyệt",
            location="Bình Phước",
            field_name=slots.SIGNATURE,
            appearance=signing.signer_appearance(),
        )
    (report,) = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    assert report.intact and report.trusted and report.ok
    assert (report.signer, report.fingerprint) == (
        "Trần Thị Bình",
        signing.fingerprint(on_tokens["phogiamdoc"].cert),
    )
    # signing_as closed the token session it opened: closing it again is refused
    with pytest.raises(pkcs11.exceptions.SessionHandleInvalid):
        signer.pkcs11_session.close()


def test_the_agency_seal_token_with_its_certificate_from_a_file(on_tokens):
    signer = signers.agency_signer()
    try:
        assert signer.signing_cert.sha256.hex() == signing.fingerprint(on_tokens["agency"].cert)
        cms = signers.sign_data(signer, b"checkpoint 42")
    finally:
        signers.release(signer)
    ok, subject = signers.verify_data(cms, b"checkpoint 42", signing.trust_roots())
    assert ok and "Sở Thông tin và Truyền thông" in subject
    assert signers.verify_data(cms, b"checkpoint 43", signing.trust_roots())[0] is False


def test_a_wrong_pin_refuses_the_sign_off_and_changes_nothing(
    on_tokens, submitted, users, monkeypatch
):
    monkeypatch.setenv(PIN_VARIABLE, "9999")
    before = snapshot(submitted)
    with pytest.raises(ValidationError) as error:
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    message = error.value.messages[0]
    assert "Mã PIN của thiết bị ký số của người ký phogiamdoc không đúng" in message
    assert snapshot(submitted) == before
    assert not submitted.renditions.exists()
    assert submitted.processes.get().decision == ""


def test_a_token_not_plugged_in_is_refused_clearly(on_tokens, users, settings):
    settings.SIGNING = {**settings.SIGNING, "SIGNERS": {"giamdoc": {"token_label": "vt-khong-co"}}}
    with pytest.raises(ValidationError) as error:
        signers.check_signer(users.giamdoc)
    assert "Không dùng được thiết bị ký số (token/HSM) của người ký giamdoc" in str(error.value)
    signers.check_signer(users.phogiamdoc)  # the others' tokens are unaffected


def test_a_token_without_the_key_is_refused_clearly(on_tokens, users, settings):
    settings.SIGNING = {
        **settings.SIGNING,
        "SIGNERS": {"phogiamdoc": {"key_label": "khoa-khac"}},
    }
    with pytest.raises(ValidationError, match="Không tìm thấy khoá ký hoặc chứng thư số"):
        signers.check_signer(users.phogiamdoc)


def test_a_pin_variable_left_unset_is_a_configuration_refusal(on_tokens, users, monkeypatch):
    monkeypatch.delenv(PIN_VARIABLE)
    with pytest.raises(ValidationError, match=f"Cấu hình ký số .* {PIN_VARIABLE} is not set"):
        signers.check_signer(users.phogiamdoc)


def test_sign_off_and_issuance_on_tokens_both_signatures_validate(on_tokens, submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=submitted, actor=users.vanthu, issued_on=ISSUE_DATE)
    submitted.refresh_from_db()
    pdf = stored(submitted.renditions.get(kind=Rendition.Kind.ISSUED))
    first, second = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    assert first.ok and second.ok
    assert first.fingerprint == signing.fingerprint(on_tokens["phogiamdoc"].cert)
    assert second.fingerprint == signing.fingerprint(on_tokens["agency"].cert)
    assert first.later_changes == "form_filling"
    assert submitted.events.filter(kind="rendered").count() == 2
