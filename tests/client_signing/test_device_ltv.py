"""Signing in the browser at B-LTA, against the real TSA and OCSP responder of tests/ltv:
the timestamp goes into the signature the device made, the revocation data into the DSS
and a document timestamp over it, and the signature outlives the certificate."""

from __future__ import annotations

import json

from certomancer.registry import KeyLabel
from cryptography.hazmat.primitives import serialization
from django.test import Client

from documents import signing
from documents.models import Event

from .emulator import SigningService, ask


def test_a_device_signature_at_b_lta_outlives_its_certificate(
    ltv_pki, settings, tmp_path, submitted, users
):
    signer_cert = ltv_pki.cert("signer")
    cert_path = tmp_path / "signer.pem"
    cert_path.write_bytes(signer_cert.public_bytes(serialization.Encoding.PEM) + ltv_pki.root_pem())
    key = ltv_pki.arch.key_set.get_private_key(KeyLabel("signer"))
    key_pem = serialization.load_der_private_key(key.dump(), password=None).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path = tmp_path / "signer.key.pem"
    key_path.write_bytes(key_pem)
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    (anchors / "root.pem").write_bytes(ltv_pki.root_pem())

    with SigningService(key_path, cert_path) as service:
        settings.SIGNING = {
            **settings.SIGNING,
            "SIGNERS": {"phogiamdoc": {"mode": "client", "cert_file": str(cert_path)}},
            "CLIENT_SERVICE_URL": service.url,
            "CA_CERT": str(anchors / "none.pem"),
            "TRUST_ANCHORS": [str(anchors)],
            "TSA_URL": ltv_pki.tsa_url,
            "LTV": "B-LTA",
            "FETCH_REVOCATION": False,
        }
        client = Client()
        client.force_login(users.phogiamdoc)
        url = f"/documents/van-ban/{submitted.pk}/ky-duyet/"
        assert client.post(url, {"decision": "approve"}).status_code == 302
        endpoint = f"/documents/van-ban/{submitted.pk}/ky-so-thiet-bi/"
        request = client.get(endpoint).json()
        status, answer = ask(
            request["service_url"],
            {key: request[key] for key in ("data", "digest", "certificate_sha256")},
        )
        assert status == 200
        response = client.post(
            endpoint, json.dumps({"signature": answer["signature"]}), "application/json"
        )
        assert response.status_code == 200, response.content

    rendition = submitted.renditions.get()
    with rendition.file.open("rb") as handle:
        pdf = handle.read()
    (report,) = signing.verify_pdf(pdf)
    assert report.ok and report.ltv_level == "B-LTA"
    assert report.fingerprint == signing.fingerprint(signer_cert)
    assert report.timestamp_time is not None and report.revocation == "good"
    (later,) = signing.verify_pdf(pdf, moment=ltv_pki.expired_moment())
    assert later.ok and later.validated_at_timestamp
    assert submitted.events.filter(kind=Event.Kind.RENDERED).count() == 1
