"""Real key holders for the signer backends: SoftHSM2 tokens (PKCS#11) and a CSC remote
signing service (certomancer-csc-dummy) on 127.0.0.1.

The tokens are made once per run in a temporary folder (SOFTHSM2_CONF points there): one for
the phó giám đốc, whose certificate is stored on the token beside the key, and one for the
agency's seal, whose certificate is given from a file. Both keys and certificates are issued
by the run's demo CA (tests/conftest.py signing_keys), and the key files are deleted once
imported: the keys exist only on the tokens."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from documents import pki

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SO_PIN = "24681357"
KEY_LABEL, KEY_ID = "ky-so", "01"
PIN_VARIABLE = "VANTHU_TEST_TOKEN_PIN"
CERTOMANCER_CONFIG = Path(__file__).parent / "csc-certomancer.yml"
CSC_CREDENTIAL = "vanthu/signer"


@dataclass(frozen=True)
class Token:
    label: str
    pin: str
    cert: x509.Certificate
    cert_file: Path | None  # None: the certificate is on the token


def _softhsm(*args: str) -> None:
    done = subprocess.run(  # noqa: S603
        ["softhsm2-util", *args],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _store_certificate(token: Token) -> None:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    library = pkcs11.lib(SOFTHSM_MODULE)
    with library.get_token(token_label=token.label).open(rw=True, user_pin=token.pin) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: KEY_LABEL,
                Attribute.ID: bytes.fromhex(KEY_ID),
                Attribute.SUBJECT: token.cert.subject.public_bytes(),
                Attribute.VALUE: token.cert.public_bytes(serialization.Encoding.DER),
            }
        )


@pytest.fixture(scope="session")
def tokens(tmp_path_factory, signing_keys) -> dict[str, Token]:
    """SoftHSM2 tokens "vt-phogiamdoc" (certificate on the token) and "vt-con-dau" (the
    agency's, certificate in a file), each with one key labelled ky-so, id 01."""
    if not Path(SOFTHSM_MODULE).exists() or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is not installed (scripts/bootstrap.sh installs softhsm2)")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read when the PKCS#11 module is first loaded
    ca = pki.load(key_path=signing_keys / "ca.key.pem", cert_path=signing_keys / "ca.crt.pem")
    made: dict[str, Token] = {}
    for name, label, pin, common_name, organization in [
        (
            "phogiamdoc",
            "vt-phogiamdoc",
            "1111",
            "Trần Thị Bình",
            "Sở Thông tin và Truyền thông",
        ),
        (
            "agency",
            "vt-con-dau",
            "2222",
            "Sở Thông tin và Truyền thông",
            "UBND tỉnh Bình Phước",
        ),
    ]:
        _softhsm("--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", SO_PIN)
        credentials = pki.issue(ca, common_name=common_name, organization=organization)
        key_file, cert_file = directory / f"{name}.key.pem", directory / f"{name}.crt.pem"
        pki.write(credentials, key_path=key_file, cert_path=cert_file)
        _softhsm(
            "--import", str(key_file), "--token", label, "--label", KEY_LABEL, "--id", KEY_ID,
            "--pin", pin,
        )  # fmt: skip
        key_file.unlink()
        on_token = name != "agency"
        if on_token:
            cert_file.unlink()
        made[name] = Token(label, pin, credentials.cert, None if on_token else cert_file)
    _store_certificate(made["phogiamdoc"])  # the module is loaded after every token is made
    yield made
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


@pytest.fixture
def on_tokens(settings, tokens, monkeypatch, tmp_path) -> dict[str, Token]:
    """settings.SIGNING: signers on their own token ("vt-{username}", PIN from an environment
    variable), the agency on its seal token (PIN from a file, certificate from a file)."""
    monkeypatch.setenv(PIN_VARIABLE, tokens["phogiamdoc"].pin)
    pin_file = tmp_path / "agency.pin"
    pin_file.write_text(tokens["agency"].pin + "\n")
    agency_cert = tokens["agency"].cert_file
    assert agency_cert is not None
    settings.SIGNING = {
        **settings.SIGNING,
        "BACKEND": {
            "mode": "pkcs11",
            "module": SOFTHSM_MODULE,
            "token_label": "vt-{username}",
            "key_label": KEY_LABEL,
            "pin_env": PIN_VARIABLE,
        },
        "AGENCY": {
            "token_label": "vt-con-dau",
            "key_label": None,
            "key_id": KEY_ID,
            "cert_file": str(agency_cert),
            "pin_env": None,
            "pin_file": str(pin_file),
        },
    }
    return tokens


# --- the CSC service -----------------------------------------------------------------


class CSCService:
    """certomancer-csc-dummy's aiohttp app on 127.0.0.1, on a port the system picks, served
    by an event loop in a thread of its own."""

    def __init__(self, key_dir: Path) -> None:
        from certomancer.registry import CertomancerConfig
        from csc_dummy.csc_dummy_server import CSCWithCertomancer

        self.config = CertomancerConfig.from_file(
            str(CERTOMANCER_CONFIG), key_search_dir=str(key_dir)
        )
        service = CSCWithCertomancer(self.config)
        service.register_routes()
        self.app = service.app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.url = ""

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def start(self) -> CSCService:
        from aiohttp import web

        self.thread.start()
        self.runner = web.AppRunner(self.app)
        self._run(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self._run(site.start())
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self.thread.is_alive():
            self._run(self.runner.cleanup())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)

    def certificate(self, label: str) -> x509.Certificate:
        from certomancer.registry import ArchLabel, CertLabel

        arch = self.config.get_pki_arch(ArchLabel("vanthu"))
        return x509.load_der_x509_certificate(arch.get_cert(CertLabel(label)).dump())


@pytest.fixture(scope="session")
def csc_keys(tmp_path_factory) -> Path:
    """The CSC service's keys, made for the run (the service alone reads them)."""
    directory = tmp_path_factory.mktemp("csc-keys")
    for name in ("root", "signer"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (directory / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return directory


@pytest.fixture
def csc_service(csc_keys):
    service = CSCService(csc_keys).start()
    yield service
    service.stop()
