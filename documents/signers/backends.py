"""The backends that hold a key: demo files, PKCS#11 (a token or HSM), CSC (remote signing)."""

from __future__ import annotations

import asyncio
import binascii
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from documents import pki, signing

from .config import CSC_TIMEOUT, ConfigurationError, _config, _secret
from .refusals import (
    _config_refusal,
    _pkcs11_exceptions,
    _pkcs11_refusal,
    _refusal,
    _remote_refusal,
)

logger = logging.getLogger(__name__)


def demo_signer_credentials(username: str) -> pki.Credentials:
    """DEMO ONLY: a signer's key and certificate from <SIGNER_KEYS_DIR>/<username>.key.pem
    and .crt.pem. Raises OSError when they are missing."""
    config = _config()
    directory = Path(str(config["SIGNER_KEYS_DIR"]))
    return pki.load(
        key_path=directory / f"{username}.key.pem",
        cert_path=directory / f"{username}.crt.pem",
        passphrase=str(config.get("KEY_PASSPHRASE", "")),
    )


def demo_agency_credentials() -> pki.Credentials:
    """DEMO ONLY: the agency's key and certificate from AGENCY_KEY and AGENCY_CERT."""
    config = _config()
    return pki.load(
        key_path=Path(str(config["AGENCY_KEY"])),
        cert_path=Path(str(config["AGENCY_CERT"])),
        passphrase=str(config.get("KEY_PASSPHRASE", "")),
    )


def _demo_files_signer(username: str | None, who: str) -> Signer:
    try:
        if username is None:
            credentials = demo_agency_credentials()
        else:
            credentials = demo_signer_credentials(username)
    except OSError as exc:
        if username is None:
            message = _("Chưa có chứng thư số của cơ quan; liên hệ quản trị hệ thống.")
        else:
            message = _(
                "Chưa có chứng thư số của người ký (%(user)s); liên hệ quản trị hệ thống."
            ) % {"user": username}
        raise ValidationError(message) from exc
    except (ValueError, TypeError) as exc:  # a wrong passphrase, a damaged file
        raise _refusal(
            _("Không mở được khoá ký (tệp demo) của %(who)s: %(reason)s."), who, exc
        ) from exc
    return signing.simple_signer(credentials)


def _certificates(path: object) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        for cert in pki.load_certificates(Path(str(path)))
    ]


def _hex(spec: Mapping[str, Any], key: str) -> bytes | None:
    value = spec.get(key)
    if value in (None, ""):
        return None
    try:
        return binascii.unhexlify(str(value))
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError(f"{key} must be hexadecimal, got {value!r}") from exc


def _pkcs11_signer(spec: Mapping[str, Any], who: str) -> Signer:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    try:
        pin = _secret(spec, "pin")
        key_id, cert_id = _hex(spec, "key_id"), _hex(spec, "cert_id")
        certificates = _certificates(spec["cert_file"]) if spec.get("cert_file") else []
        chain = _certificates(spec["chain_file"]) if spec.get("chain_file") else []
        slot = int(spec["slot"]) if spec.get("slot") not in (None, "") else None
    except (ConfigurationError, OSError, ValueError) as exc:
        raise _config_refusal(who, exc) from exc
    label = spec.get("token_label")
    unusable: tuple[type[BaseException], ...] = (*_pkcs11_exceptions(), OSError, RuntimeError)
    try:
        session = open_pkcs11_session(
            str(spec["module"]),
            slot_no=slot,
            token_criteria=TokenCriteria(label=str(label)) if label else None,
            user_pin=pin,
        )
    except unusable as exc:
        logger.warning("PKCS#11 token of %s: %r", who, exc)
        raise _pkcs11_refusal(who, exc) from exc
    try:
        signer = PKCS11Signer(
            session,
            key_label=spec.get("key_label") or None,
            key_id=key_id,
            cert_label=spec.get("cert_label") or None,
            cert_id=cert_id,
            signing_cert=certificates[0] if certificates else None,
            ca_chain=[*certificates[1:], *chain],
        )
        signer.signing_cert  # noqa: B018 -- finds the key and certificate now, not mid-signing
    except _pkcs11_exceptions() as exc:
        session.close()
        logger.warning("PKCS#11 key of %s: %r", who, exc)
        raise _refusal(
            _(
                "Không tìm thấy khoá ký hoặc chứng thư số của %(who)s trên thiết bị ký số "
                "(%(reason)s); liên hệ quản trị hệ thống."
            ),
            who,
            exc,
        ) from exc
    return signer


class _CSCAuthorization(CSCAuthorizationManager):
    """Signature activation data (SAD) from the service's credentials/authorize, tied to the
    hashes being signed when the service asks for that (SCAL 2), with the PIN if one is set.
    Providers that confirm each signature on the signer's phone (SmartCA, MySign) answer
    once the person has confirmed, within the timeout."""

    def __init__(
        self,
        csc_session_info: CSCServiceSessionInfo,
        credential_info: CSCCredentialInfo,
        *,
        pin: str | None,
        timeout: int,
    ) -> None:
        super().__init__(csc_session_info, credential_info)
        self.pin = pin
        self.timeout = timeout

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        pinned = self.credential_info.hash_pinning_required
        request = self.format_csc_auth_request(
            num_signatures=len(hash_b64s), pin=self.pin, hash_b64s=hash_b64s if pinned else None
        )
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    url,
                    headers=self.auth_headers,
                    json=request,
                    raise_for_status=True,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response,
            ):
                answer = await response.json()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise SigningError("Signature authorisation request failed") from exc
        return self.parse_csc_auth_response(answer)


class _RemoteSigner(CSCSigner):
    """CSCSigner with an HTTP session of its own for each call, opened in the event loop
    that makes the signature (the synchronous PdfSigner runs each in a new one). The reason
    a call failed is kept, as CSCSigner only logs it."""

    failure: BaseException | None = None

    async def _do_commit(self, batch: Any) -> None:
        try:
            async with aiohttp.ClientSession() as session:
                self.session = session
                await super()._do_commit(batch)
        except BaseException as exc:
            self.failure = exc
            raise


def _csc_signer(spec: Mapping[str, Any], who: str) -> Signer:
    url = str(spec["url"]).rstrip("/")
    try:
        token = _secret(spec, "token")
        pin = _secret(spec, "pin")
        timeout = int(spec.get("timeout") or CSC_TIMEOUT)
    except (ConfigurationError, ValueError) as exc:
        raise _config_refusal(who, exc) from exc
    session_info = CSCServiceSessionInfo(
        service_url=url, credential_id=str(spec["credential_id"]), oauth_token=token
    )

    async def credential() -> CSCCredentialInfo:
        async with aiohttp.ClientSession() as session:
            return await fetch_certs_in_csc_credential(session, session_info, timeout=timeout)

    try:
        info = asyncio.run(credential())
    except (TimeoutError, SigningError, aiohttp.ClientError, OSError) as exc:
        logger.warning("CSC credential of %s at %s: %r", who, url, exc)
        raise _remote_refusal(who, url, exc) from exc
    manager = _CSCAuthorization(session_info, info, pin=pin, timeout=timeout)
    # The session is opened per call by _RemoteSigner; none is needed before.
    return _RemoteSigner(session=None, auth_manager=manager, sign_timeout=timeout)  # type: ignore[arg-type]
