"""Signing mode "client" through HTTP, as the page's script does it: sign-off prepares the
PDF and the document waits for the signer's device; the signer's page fetches the data to
sign, asks the signing service on 127.0.0.1 (the emulator), posts the signature back; the
server checks it before storing the signed-off original, and issuance goes on."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from approvals import services
from documents import pki, signers, signing
from documents.models import Event, PendingSignature, Rendition

from .emulator import ask

pytestmark = pytest.mark.usefixtures("client_mode")

WAITING = "Chờ người ký ký số bằng thiết bị"
BUTTON = "Ký số bằng thiết bị của bạn"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def endpoint(document) -> str:
    return f"/documents/van-ban/{document.pk}/ky-so-thiet-bi/"


def sign_off(users, document) -> None:
    response = login(users.phogiamdoc).post(
        f"/documents/van-ban/{document.pk}/ky-duyet/", {"decision": "approve"}
    )
    assert response.status_code == 302


def post_signature(client: Client, document, signature) -> tuple[int, dict]:
    response = client.post(
        endpoint(document), json.dumps({"signature": signature}), content_type="application/json"
    )
    return response.status_code, response.json()


def state(document) -> dict:
    """What a refused signature must leave as it was."""
    return {
        "renditions": list(document.renditions.values_list("pk", flat=True)),
        "pending": list(
            PendingSignature.objects.filter(document=document).values_list("pk", "pdf")
        ),
        "events": list(document.events.values_list("pk", flat=True)),
        "status": type(document).objects.get(pk=document.pk).status,
    }


def fingerprint(signing_keys, username: str) -> str:
    cert = pki.load_certificates(signing_keys / "signers" / f"{username}.crt.pem")[0]
    return signing.fingerprint(cert)


@pytest.fixture
def waiting(submitted, users):
    sign_off(users, submitted)
    return submitted


def test_the_document_waits_for_the_signers_device_and_issuance_is_refused(waiting, users):
    waiting.refresh_from_db()
    assert waiting.status == "signed"
    assert not waiting.renditions.exists()
    pending = PendingSignature.objects.get(document=waiting)
    assert pending.signer == users.phogiamdoc and pending.kind == Rendition.Kind.SIGNED_OFF
    assert bytes(pending.pdf).startswith(b"%PDF")
    # no RENDER_FAILED: waiting is not a failure
    assert not waiting.events.filter(kind=Event.Kind.RENDER_FAILED).exists()

    signer_page = login(users.phogiamdoc).get(f"/documents/van-ban/{waiting.pk}/").text
    assert WAITING in signer_page and BUTTON in signer_page
    assert "approvals/client_signing.js" in signer_page and endpoint(waiting) in signer_page
    assert "data-vt-refresh" not in signer_page  # no reload while the signer signs
    clerk_page = login(users.vanthu).get(f"/documents/van-ban/{waiting.pk}/").text
    assert WAITING in clerk_page and BUTTON not in clerk_page
    assert f"/documents/van-ban/{waiting.pk}/ban-hanh/" not in clerk_page

    with pytest.raises(ValidationError, match=WAITING):
        services.document_issue(document=waiting, actor=users.vanthu)
    response = login(users.vanthu).post(
        f"/documents/van-ban/{waiting.pk}/ban-hanh/", {"confirm": "on"}
    )
    assert response.status_code in (403, 422)
    assert WAITING in response.text
    waiting.refresh_from_db()
    assert waiting.status == "signed" and waiting.number is None


def test_the_signer_signs_with_the_device_and_the_document_is_issued(
    waiting, users, service, signing_keys
):
    signer = login(users.phogiamdoc)
    response = signer.get(endpoint(waiting))
    assert response.status_code == 200
    request = response.json()
    assert request["digest"] == "sha256" and request["service_url"] == service.url
    assert request["certificate_sha256"] == fingerprint(signing_keys, "phogiamdoc")

    status, answer = ask(
        request["service_url"],
        {key: request[key] for key in ("data", "digest", "certificate_sha256")},
    )
    assert status == 200 and service.requests[-1]["data"] == request["data"]

    status, body = post_signature(signer, waiting, answer["signature"])
    assert status == 200, body
    rendition = waiting.renditions.get()
    assert rendition.kind == Rendition.Kind.SIGNED_OFF and body["pdf_sha256"] == rendition.sha256
    assert not PendingSignature.objects.filter(document=waiting).exists()
    made = waiting.events.get(kind=Event.Kind.RENDERED)
    assert made.data == {"rendition": "signed_off", "pdf_sha256": rendition.sha256}
    assert made.actor is None
    with rendition.file.open("rb") as handle:
        (report,) = signing.verify_pdf(handle.read())
    assert report.ok and report.fingerprint == fingerprint(signing_keys, "phogiamdoc")
    assert report.reason == "Ký duyệt" and report.coverage == "entire_file"
    page = signer.get(f"/documents/van-ban/{waiting.pk}/").text
    assert WAITING not in page and rendition.sha256 in page

    # Posting again changes nothing.
    before = state(waiting)
    status, body = post_signature(signer, waiting, answer["signature"])
    assert status == 409 and "đã được ký số" in body["error"]
    assert state(waiting) == before

    # The workflow goes on: issuance, the agency's signature over the signer's.
    services.document_issue(document=waiting, actor=users.vanthu)
    issued = waiting.renditions.get(kind=Rendition.Kind.ISSUED)
    with issued.file.open("rb") as handle:
        reports = signing.verify_pdf(handle.read())
    assert [r.ok for r in reports] == [True, True]
    assert reports[0].fingerprint == fingerprint(signing_keys, "phogiamdoc")
    assert reports[0].later_changes == "form_filling"


def test_another_user_may_neither_read_nor_sign(waiting, users, service):
    request = login(users.phogiamdoc).get(endpoint(waiting)).json()
    _, answer = ask(
        service.url, {key: request[key] for key in ("data", "digest", "certificate_sha256")}
    )
    before = state(waiting)
    clerk = login(users.vanthu)  # sees the document, is not its signer
    response = clerk.get(endpoint(waiting))
    assert response.status_code == 403 and "người ký" in response.json()["error"]
    status, body = post_signature(clerk, waiting, answer["signature"])
    assert status == 403 and body["error"]
    assert state(waiting) == before
    # giamdoc may not see a document signed by phogiamdoc: 404, as for any hidden document
    stranger = login(users.giamdoc)
    assert stranger.get(endpoint(waiting)).status_code == 404
    response = stranger.post(
        endpoint(waiting),
        json.dumps({"signature": answer["signature"]}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert state(waiting) == before


def test_a_signature_by_another_key_is_refused(waiting, users, wrong_key_service):
    signer = login(users.phogiamdoc)
    request = signer.get(endpoint(waiting)).json()
    status, answer = ask(
        wrong_key_service.url,
        {key: request[key] for key in ("data", "digest", "certificate_sha256")},
    )
    assert status == 200
    before = state(waiting)
    status, body = post_signature(signer, waiting, answer["signature"])
    assert status == 400 and "không khớp với chứng thư số đã đăng ký" in body["error"]
    assert state(waiting) == before


@pytest.mark.parametrize(
    "garbage",
    [
        "not base64 at all!",
        base64.b64encode(b"\x00" * 256).decode(),
        "",
        None,
        {"signature": "nested"},
        base64.b64encode(b"\x01" * 5000).decode(),
    ],
)
def test_garbage_is_refused(waiting, users, garbage):
    signer = login(users.phogiamdoc)
    before = state(waiting)
    status, body = post_signature(signer, waiting, garbage)
    assert status == 400 and body["error"]
    assert state(waiting) == before


@pytest.mark.parametrize("body", ["{not json", "[" * 5000])  # the second nests past the limit
def test_a_body_that_is_not_json_is_refused(waiting, users, body):
    before = state(waiting)
    response = login(users.phogiamdoc).post(endpoint(waiting), body, "application/json")
    assert response.status_code == 400 and response.json()["error"]
    assert state(waiting) == before


def test_a_document_not_waiting_for_a_device_has_nothing_to_sign(submitted, users):
    before = state(submitted)
    response = login(users.phogiamdoc).get(endpoint(submitted))  # not signed off yet
    assert response.status_code == 409 and response.json()["error"]
    status, _ = post_signature(login(users.phogiamdoc), submitted, "AAAA")
    assert status == 409 and state(submitted) == before


def test_sign_off_is_refused_without_a_valid_registered_certificate(
    submitted, users, settings, tmp_path
):
    """check_signer in client mode: the certificate file is there and valid today."""
    url = f"/documents/van-ban/{submitted.pk}/ky-duyet/"
    missing = str(tmp_path / "missing.pem")
    settings.SIGNING = {
        **settings.SIGNING,
        "SIGNERS": {"phogiamdoc": {"mode": "client", "cert_file": missing}},
    }
    response = login(users.phogiamdoc).post(url, {"decision": "approve"})
    assert (
        response.status_code == 422
        and "Chưa có chứng thư số đã đăng ký của người ký phogiamdoc" in response.text
    )

    expired = tmp_path / "expired.pem"
    expired.write_bytes(expired_certificate())
    settings.SIGNING = {
        **settings.SIGNING,
        "SIGNERS": {"phogiamdoc": {"mode": "client", "cert_file": str(expired)}},
    }
    response = login(users.phogiamdoc).post(url, {"decision": "approve"})
    assert response.status_code == 422 and "không còn hiệu lực" in response.text
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not PendingSignature.objects.filter(document=submitted).exists()


def expired_certificate() -> bytes:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hết hạn")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now - dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_the_agency_cannot_be_in_client_mode(settings):
    settings.SIGNING = {**settings.SIGNING, "AGENCY": {"mode": "client", "cert_file": "x.pem"}}
    with pytest.raises(signers.ConfigurationError, match="agency"):
        signers.configured_specs()
    settings.SIGNING = {**settings.SIGNING, "AGENCY": {}, "SIGNERS": {"giamdoc": "client"}}
    with pytest.raises(signers.ConfigurationError, match="client needs cert_file"):
        signers.configured_specs()


def test_a_document_waiting_for_the_device_is_not_a_lost_job(waiting):
    """originals.overdue finds originals whose job was lost; one waiting for the signer's
    device is not one (nothing would come of running its job again)."""
    import datetime as dt

    from django.utils import timezone

    from documents import originals

    later = timezone.now() + dt.timedelta(hours=1)
    found = originals.overdue(now=later, after=dt.timedelta(minutes=5), within=dt.timedelta(days=2))
    assert (waiting.pk, "signed_off") not in found
    PendingSignature.objects.filter(document=waiting).delete()  # as if the job were lost
    found = originals.overdue(now=later, after=dt.timedelta(minutes=5), within=dt.timedelta(days=2))
    assert (waiting.pk, "signed_off") in found


def test_a_form_post_is_refused_cleanly(waiting, users):
    """Not JSON (a form, as a stray <form> would send): refused, never a 500."""
    before = state(waiting)
    response = login(users.phogiamdoc).post(endpoint(waiting), {"signature": "AAAA"})
    assert response.status_code == 400 and response.json()["error"]
    response = login(users.vanthu).post(endpoint(waiting), {"signature": "AAAA"})
    assert response.status_code == 403
    assert state(waiting) == before
