"""Remote signing through the Cloud Signature Consortium API (the "csc" signer backend),
against certomancer-csc-dummy on 127.0.0.1: the server holds an API token, never the key.
The service asks for the hashes to be pinned in the authorisation (SCAL 2), as a qualified
remote signing service does."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from approvals import services
from documents import signers, signing
from documents.rendering import render_pdf, slots
from tests.conftest import snapshot

from .conftest import CSC_CREDENTIAL

# certomancer-csc-dummy keys its aiohttp app with strings
pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")


@pytest.fixture
def remote(settings, csc_service, monkeypatch):
    """phogiamdoc signs through the CSC service; the API token comes from the environment."""
    monkeypatch.setenv("VANTHU_TEST_CSC_TOKEN", "api-token-of-the-office")
    settings.SIGNING = {
        **settings.SIGNING,
        "SIGNERS": {
            "phogiamdoc": {
                "mode": "csc",
                "url": csc_service.url,
                "credential_id": CSC_CREDENTIAL,
                "token_env": "VANTHU_TEST_CSC_TOKEN",
                "timeout": 10,
            }
        },
    }
    return csc_service


def sign(pdf: bytes, signer) -> bytes:
    return signing.sign_pdf(
        pdf,
        signer=signer,
        reason="Ký duyệt",
        location="Bình Phước",
        field_name=slots.SIGNATURE,
        appearance=signing.signer_appearance(),
    )


def rendered(document) -> bytes:
    stream = io.BytesIO()
    render_pdf(document, stream)
    return stream.getvalue()


def test_a_pdf_signed_remotely_validates_intact_and_trusted(remote, users, seed_plan):
    with signers.signing_as(users.phogiamdoc) as signer:
        pdf = sign(rendered(seed_plan), signer)
    root = remote.certificate("root")
    (report,) = signing.verify_pdf(pdf, trust_roots=[root])
    assert report.intact and report.trusted and report.changes_permitted and report.ok
    assert report.signer == "Lê Văn Cường"
    assert report.fingerprint == signing.fingerprint(remote.certificate("signer"))
    # the demo CA does not vouch for it
    (untrusted,) = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    assert untrusted.intact and not untrusted.trusted


def test_a_blob_signed_remotely_verifies(remote, users):
    signer = signers.signer_for(users.phogiamdoc)
    cms = signers.sign_data(signer, b'{"seq": 7, "head": "ab12"}')
    root = remote.certificate("root")
    ok, subject = signers.verify_data(cms, b'{"seq": 7, "head": "ab12"}', [root])
    assert ok and "Lê Văn Cường" in subject
    assert signers.verify_data(cms, b'{"seq": 8, "head": "ab12"}', [root]) == (False, subject)
    assert signers.verify_data(cms, b'{"seq": 7, "head": "ab12"}', signing.trust_roots()) == (
        False,
        subject,
    )
    assert signers.verify_data(b"not a signature", b"x", [root]) == (False, "")


def test_the_service_stopping_mid_way_refuses_the_signature_clearly(remote, users, seed_plan):
    signer = signers.signer_for(users.phogiamdoc)  # the certificate is fetched: service up
    remote.stop()
    pdf = rendered(seed_plan)
    with pytest.raises(ValidationError) as error, signers.refusing(signer, "người ký phogiamdoc"):
        sign(pdf, signer)
    message = error.value.messages[0]
    assert message.startswith("Không kết nối được dịch vụ ký số từ xa")
    assert remote.url in message and "phogiamdoc" in message


def test_sign_off_with_the_service_down_is_refused_and_changes_nothing(remote, seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    remote.stop()
    before = snapshot(seed_plan)
    with pytest.raises(ValidationError) as error:
        services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    assert "Không kết nối được dịch vụ ký số từ xa" in error.value.messages[0]
    assert snapshot(seed_plan) == before
    assert not seed_plan.renditions.exists()


def test_an_unknown_credential_is_refused_by_the_service(remote, users, settings):
    entry = settings.SIGNING["SIGNERS"]["phogiamdoc"]
    settings.SIGNING = {
        **settings.SIGNING,
        "SIGNERS": {"phogiamdoc": {**entry, "credential_id": "vanthu/khong-co"}},
    }
    with pytest.raises(ValidationError, match=r"từ chối yêu cầu ký .* \(HTTP 404\)"):
        signers.check_signer(users.phogiamdoc)
