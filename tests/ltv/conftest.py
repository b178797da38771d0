"""A real time-stamping authority and OCSP responder on 127.0.0.1: certomancer's Animator,
serving the PKI described in pki.yml, in a background thread on a free port."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from asn1crypto import x509 as asn1_x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, KeyLabel
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from werkzeug.serving import make_server

from tests.approvals.conftest import client_for  # noqa: F401 -- a fixture of the check page tests

CONFIG = Path(__file__).with_name("pki.yml")
ARCH = ArchLabel("ltv-test")
KEYS = ("root", "tsa", "signer", "revoked")
# The signers' certificates are valid from an hour ago until tomorrow; the tests validate
# a month from now, after they expired.
SIGNER_VALID_FOR = dt.timedelta(days=1)
AFTER_EXPIRY = dt.timedelta(days=30)


class _Dispatch:
    """The WSGI app the server starts with; the Animator is put in once the port is known
    (the certificates carry the responder's URL, port included)."""

    app: Animator | None = None

    def __call__(self, environ, start_response):
        assert self.app is not None
        return self.app(environ, start_response)


@dataclass(frozen=True)
class LtvPki:
    url: str  # http://127.0.0.1:<port>
    config: CertomancerConfig
    now: dt.datetime  # when the signers' certificates were made valid

    @property
    def arch(self):
        return self.config.get_pki_arch(ARCH)

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def asn1_cert(self, label: str) -> asn1_x509.Certificate:
        return self.arch.get_cert(CertLabel(label))

    def cert(self, label: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.asn1_cert(label).dump())

    @property
    def root(self) -> x509.Certificate:
        return self.cert("root")

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def signer(self, label: str = "signer") -> signers.SimpleSigner:
        return signers.SimpleSigner(
            signing_cert=self.asn1_cert(label),
            signing_key=self.arch.key_set.get_private_key(KeyLabel(label)),
            cert_registry=SimpleCertificateStore.from_certs([self.asn1_cert("root")]),
        )

    def expired_moment(self) -> dt.datetime:
        """A moment after the signers' certificates expired."""
        return self.now + AFTER_EXPIRY


def _write_keys(directory: Path) -> None:
    for name in KEYS:
        key = ec.generate_private_key(ec.SECP256R1())
        (directory / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _config(directory: Path, url: str, now: dt.datetime) -> CertomancerConfig:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    certs = raw["pki-architectures"][str(ARCH)]["certs"]
    certs["signer"]["validity"] = {
        "valid-from": _iso(now - dt.timedelta(hours=1)),
        "valid-to": _iso(now + SIGNER_VALID_FOR),
    }
    certs["revoked"]["revocation"]["revoked-since"] = _iso(now - dt.timedelta(minutes=30))
    return CertomancerConfig(raw, key_search_dir=str(directory), external_url_prefix=url)


@pytest.fixture(scope="session")
def ltv_pki(tmp_path_factory) -> Iterator[LtvPki]:
    directory = tmp_path_factory.mktemp("ltv-pki")
    _write_keys(directory)
    dispatch = _Dispatch()
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    config = _config(directory, url, now)
    dispatch.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LtvPki(url=url, config=config, now=now)
    finally:
        server.shutdown()
        thread.join()
