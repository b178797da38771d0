"""The signer phogiamdoc in signing mode "client": their certificate registered on the
server, their key only in the signing-service emulator on 127.0.0.1."""

from __future__ import annotations

import pytest

from approvals import services

from .emulator import SigningService


@pytest.fixture
def service(signing_keys):
    """phogiamdoc's token, behind the local signing service."""
    keys = signing_keys / "signers"
    with SigningService(keys / "phogiamdoc.key.pem", keys / "phogiamdoc.crt.pem") as running:
        yield running


@pytest.fixture
def wrong_key_service(signing_keys):
    """A token holding another key (giamdoc's) that claims phogiamdoc's certificate."""
    keys = signing_keys / "signers"
    with SigningService(keys / "giamdoc.key.pem", keys / "phogiamdoc.crt.pem") as running:
        yield running


@pytest.fixture
def client_mode(settings, signing_keys, service):
    """phogiamdoc signs in the browser; everyone else (and the agency) as before."""
    settings.SIGNING = {
        **settings.SIGNING,
        "SIGNERS": {
            "phogiamdoc": {
                "mode": "client",
                "cert_file": str(signing_keys / "signers" / "{username}.crt.pem"),
            }
        },
        "CLIENT_SERVICE_URL": service.url,
    }


@pytest.fixture
def submitted(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    return seed_plan


# The real TSA and OCSP responder of tests/ltv, for signing in the browser at B-LTA.
from tests.ltv.conftest import ltv_pki  # noqa: E402, F401
