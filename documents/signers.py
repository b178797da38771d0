"""Who holds the private keys: the signer backends behind every digital signature (ký số).

`signer_for(user)` and `agency_signer()` give a pyHanko ``Signer`` for a leader's signature at
sign-off and for the agency's at issuance, chosen by settings.SIGNING:

- ``"demo-files"``: PEM key files on the server (`manage.py make_demo_pki`). For the demo and
  development only: `manage.py check --deploy` warns (vanthu.W001) when DEBUG is off.
- ``"pkcs11"``: the key stays on a USB token or an HSM (pyHanko's PKCS11Signer); the server
  holds the PIN, read from an environment variable or a file, never from the repository.
- ``"csc"``: remote signing through the Cloud Signature Consortium API (pyHanko's CSCSigner),
  as VNPT SmartCA or Viettel MySign offer it; the server holds an API token, never the key.
- ``"client"``: the leader's USB token in their own browser, through the signing service on
  their computer (documents.client_signing); the server holds only the certificate, so it
  never signs for them: sign-off prepares the PDF and waits (`is_client`, `client_certificates`).

settings.SIGNING["BACKEND"] is the default for everyone (a mode name, or a dict with "mode"
and the mode's options); SIGNING["SIGNERS"] = {username: {...}} overrides it per signer and
SIGNING["AGENCY"] for the agency's seal, key by key. "{username}" in a string option becomes
the signer's username ("agency" for the agency), so one entry can name every signer's key.
docs/signing.md lists the options.

Whatever goes wrong (no token, wrong PIN, service down, key missing) is a ValidationError
with a Vietnamese message: the step is refused cleanly (or the background job records the
reason), never a 500. `signing_as(user)` wraps a signature: it makes the signer, turns
failures while signing into ValidationError too, and closes the token session afterwards.

`sign_data` and `verify_data` sign and check small blobs (the audit trail's checkpoints) as
detached CMS SignedData.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
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
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from . import pki, signing

logger = logging.getLogger(__name__)

DEMO_FILES, PKCS11, CSC, CLIENT = "demo-files", "pkcs11", "csc", "client"
MODES = (DEMO_FILES, PKCS11, CSC, CLIENT)
AGENCY = "agency"  # what "{username}" becomes in the agency's options
DIGEST = "sha256"
CSC_TIMEOUT = 30  # seconds for one call to the remote signing service, unless "timeout" says


class ConfigurationError(ValueError):
    """settings.SIGNING names no usable backend for a signer (reported by the system check)."""


# --- settings -----------------------------------------------------------------------


def _as_spec(value: object) -> dict[str, Any]:
    if isinstance(value, str):
        return {"mode": value}
    if isinstance(value, Mapping):
        return dict(value)
    raise ConfigurationError(f"expected a mode name or a mapping, got {value!r}")


def _config() -> Mapping[str, Any]:
    return settings.SIGNING


def spec_for(username: str | None) -> dict[str, Any]:
    """The backend options of a signer (None: the agency): BACKEND with the signer's (or
    AGENCY's) entries over it, "{username}" filled in. Raises ConfigurationError."""
    config = _config()
    spec = _as_spec(config.get("BACKEND") or DEMO_FILES)
    if username is None:
        spec.update(_as_spec(config.get("AGENCY") or {}))
    else:
        spec.update(_as_spec((config.get("SIGNERS") or {}).get(username, {})))
    name = AGENCY if username is None else username
    spec = {
        key: value.replace("{username}", name) if isinstance(value, str) else value
        for key, value in spec.items()
    }
    if spec.get("mode") not in MODES:
        raise ConfigurationError(
            f"unknown signing mode {spec.get('mode')!r}; use one of {', '.join(MODES)}"
        )
    if spec["mode"] == CLIENT and username is None:
        raise ConfigurationError("client is for a signer; the agency signs on the server")
    required = {PKCS11: ("module",), CSC: ("url", "credential_id"), CLIENT: ("cert_file",)}.get(
        spec["mode"], ()
    )
    missing = [key for key in required if not spec.get(key)]
    if missing:
        raise ConfigurationError(f"{spec['mode']} needs {', '.join(missing)}")
    if spec["mode"] == PKCS11 and not (spec.get("pin_env") or spec.get("pin_file")):
        raise ConfigurationError("pkcs11 needs pin_env or pin_file (the PIN is never inline)")
    return spec


def configured_specs() -> dict[str, dict[str, Any]]:
    """Every configured entry, by what it is for: "BACKEND" (everyone without an entry of
    their own), each username of SIGNERS, and "AGENCY". Raises ConfigurationError."""
    found = {"BACKEND": spec_for("{username}")}  # the template itself, not filled in
    for username in _config().get("SIGNERS") or {}:
        found[str(username)] = spec_for(str(username))
    found["AGENCY"] = spec_for(None)
    return found


def demo_files_users() -> list[str]:
    """The entries of configured_specs() that use the demo key files."""
    return [name for name, spec in configured_specs().items() if spec["mode"] == DEMO_FILES]


def _secret(spec: Mapping[str, Any], name: str) -> str | None:
    """A PIN or token from the environment variable <name>_env or the file <name>_file."""
    variable, path = spec.get(f"{name}_env"), spec.get(f"{name}_file")
    if variable:
        value = os.environ.get(str(variable))
        if value is None:
            raise ConfigurationError(f"environment variable {variable} is not set")
        return value
    if path:
        try:
            return Path(str(path)).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return None


# --- refusals -----------------------------------------------------------------------


def _who(username: str | None) -> str:
    if username is None:
        return _("cơ quan")
    return _("người ký %(user)s") % {"user": username}


def _refusal(message: str, who: str, reason: object = "") -> ValidationError:
    return ValidationError(message % {"who": who, "reason": reason})


def _config_refusal(who: str, exc: Exception) -> ValidationError:
    return _refusal(
        _("Cấu hình ký số của %(who)s không hợp lệ (%(reason)s); liên hệ quản trị hệ thống."),
        who,
        exc,
    )


def _pkcs11_exceptions() -> tuple[type[BaseException], ...]:
    import pkcs11.exceptions
    from pyhanko.sign.pkcs11 import PKCS11Error

    return (pkcs11.exceptions.PKCS11Error, PKCS11Error)


def _is_wrong_pin(exc: BaseException) -> bool:
    import pkcs11.exceptions as errors

    pin_errors = (
        errors.PinIncorrect,
        errors.PinInvalid,
        errors.PinLenRange,
        errors.PinLocked,
        errors.PinExpired,
        errors.UserPinNotInitialized,
    )
    return isinstance(exc, pin_errors)


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _remote_refusal(who: str, url: str, exc: BaseException) -> ValidationError:
    """A failed call to a CSC service, said as what the person can do about it."""
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, aiohttp.ClientResponseError):
            return _refusal(
                _(
                    "Dịch vụ ký số từ xa từ chối yêu cầu ký của %(who)s (HTTP %(reason)s); "
                    "liên hệ quản trị hệ thống."
                ),
                who,
                cause.status,
            )
    unreachable = (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError)
    if any(isinstance(cause, unreachable) for cause in causes):
        return ValidationError(
            _(
                "Không kết nối được dịch vụ ký số từ xa (%(url)s) để ký cho %(who)s; vui lòng "
                "thử lại sau ít phút hoặc liên hệ quản trị hệ thống."
            )
            % {"url": url, "who": who}
        )
    return _refusal(
        _("Dịch vụ ký số từ xa không ký được cho %(who)s (%(reason)s); liên hệ quản trị hệ thống."),
        who,
        exc,
    )


def _pkcs11_refusal(who: str, exc: BaseException) -> ValidationError:
    if any(_is_wrong_pin(cause) for cause in _causes(exc)):
        return _refusal(
            _(
                "Mã PIN của thiết bị ký số của %(who)s không đúng hoặc thiết bị đã bị khoá; "
                "chưa ký. Liên hệ quản trị hệ thống."
            ),
            who,
        )
    return _refusal(
        _(
            "Không dùng được thiết bị ký số (token/HSM) của %(who)s (%(reason)s); kiểm tra "
            "thiết bị đã cắm và cấu hình đúng, hoặc liên hệ quản trị hệ thống."
        ),
        who,
        str(exc) or type(exc).__name__,
    )


# --- the backends ---------------------------------------------------------------------


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


# --- "client": the key in the signer's own browser; the server holds the certificate -----


def is_client(user: AbstractBaseUser) -> bool:
    """The user signs with the device in their own browser (mode "client")."""
    try:
        return spec_for(user.get_username())["mode"] == CLIENT
    except ConfigurationError:
        return False  # signer_for refuses with the reason


def client_certificates(user: AbstractBaseUser) -> list[x509.Certificate]:
    """The registered certificate of a "client" signer, then its chain (cert_file, then
    chain_file); ValidationError when it is missing or not valid now."""
    username = user.get_username()
    who = _who(username)
    try:
        spec = spec_for(username)
        if spec["mode"] != CLIENT:
            raise ConfigurationError(f"{username} does not sign in the browser")
        found = pki.load_certificates(Path(str(spec["cert_file"])))
        if spec.get("chain_file"):
            found += pki.load_certificates(Path(str(spec["chain_file"])))
    except OSError as exc:
        raise _refusal(
            _(
                "Chưa có chứng thư số đã đăng ký của %(who)s (%(reason)s); liên hệ quản trị "
                "hệ thống."
            ),
            who,
            exc.strerror or exc,
        ) from exc
    except (ConfigurationError, ValueError) as exc:
        raise _config_refusal(who, exc) from exc
    if not found:
        raise _config_refusal(who, ConfigurationError("no certificate in cert_file"))
    now = datetime.now(UTC)
    cert = found[0]
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise _refusal(
            _(
                "Chứng thư số đã đăng ký của %(who)s không còn hiệu lực (%(reason)s); liên hệ "
                "quản trị hệ thống để đăng ký chứng thư mới."
            ),
            who,
            f"{cert.not_valid_before_utc:%d/%m/%Y}–{cert.not_valid_after_utc:%d/%m/%Y}",
        )
    return found


def _make(username: str | None) -> Signer:
    who = _who(username)
    try:
        spec = spec_for(username)
    except ConfigurationError as exc:
        raise _config_refusal(who, exc) from exc
    if spec["mode"] == CLIENT:
        raise _refusal(
            _(
                "Khoá ký của %(who)s nằm trên thiết bị ký số của người ký; máy chủ không ký "
                "thay được. Người ký ký số trên trang văn bản."
            ),
            who,
        )
    if spec["mode"] == PKCS11:
        return _pkcs11_signer(spec, who)
    if spec["mode"] == CSC:
        return _csc_signer(spec, who)
    return _demo_files_signer(username, who)


def signer_for(user: AbstractBaseUser) -> Signer:
    """The signer's own key, as settings.SIGNING says; ValidationError when it cannot be
    used. Call release() when done (a PKCS#11 session stays open until then)."""
    return _make(user.get_username())


def agency_signer() -> Signer:
    """The agency's key (chữ ký số cơ quan, in place of the seal); as signer_for."""
    return _make(None)


def release(signer: Signer) -> None:
    """Close what the signer holds open (a PKCS#11 session); nothing for the others."""
    session = getattr(signer, "pkcs11_session", None)
    if session is not None:
        with contextlib.suppress(*_pkcs11_exceptions()):
            session.close()


@contextlib.contextmanager
def refusing(signer: Signer, who: str) -> Iterator[None]:
    """Failures while signing (the token pulled out, the service gone) as ValidationError."""
    try:
        yield
    except ValidationError:
        raise
    except _pkcs11_exceptions() as exc:
        logger.warning("PKCS#11 signature of %s failed: %r", who, exc)
        raise _pkcs11_refusal(who, exc) from exc
    except (TimeoutError, SigningError, aiohttp.ClientError, OSError) as exc:
        if isinstance(signer, _RemoteSigner):
            cause = signer.failure or exc
            url = signer.auth_manager.csc_session_info.service_url
            logger.warning("CSC signature of %s at %s failed: %r", who, url, cause)
            raise _remote_refusal(who, url, cause) from exc
        logger.warning("signature of %s failed: %r", who, exc)
        raise _refusal(
            _("Không ký được cho %(who)s (%(reason)s); liên hệ quản trị hệ thống."), who, exc
        ) from exc


@contextlib.contextmanager
def signing_as(user: AbstractBaseUser | None) -> Iterator[Signer]:
    """The signer of a user (None: the agency) for one signature: failures become
    ValidationError, and the token session is closed afterwards."""
    username = None if user is None else user.get_username()
    signer = _make(username)
    try:
        with refusing(signer, _who(username)):
            yield signer
    finally:
        release(signer)


def check_signer(user: AbstractBaseUser | None) -> None:
    """Refuse (ValidationError) unless the user's (None: the agency's) key can be reached
    now: the token opens with its PIN and holds the key, or the service answers; for a
    "client" signer, their registered certificate is there and valid now."""
    if user is not None and is_client(user):
        client_certificates(user)
        return
    release(_make(None if user is None else user.get_username()))


# --- small blobs: detached CMS ------------------------------------------------------------


def _subject(signer: Signer) -> str:
    cert = signer.signing_cert
    return cert.subject.human_friendly if cert is not None else "?"


def sign_data(signer: Signer, data: bytes) -> bytes:
    """A detached CMS SignedData (DER) over the bytes, e.g. an audit checkpoint signed with
    agency_signer(). Failures become ValidationError, as for a PDF."""
    with refusing(signer, _subject(signer)):
        content_info = asyncio.run(signer.async_sign_general_data(data, DIGEST, detached=True))
    return bytes(content_info.dump())


def verify_data(
    cms_der: bytes, data: bytes, trust_roots: Sequence[x509.Certificate]
) -> tuple[bool, str]:
    """Check a detached CMS signature made by sign_data: (the bytes are the signed ones, the
    signature checks out and the certificate chains to one of the roots; who signed, the
    certificate's subject). An unreadable signature is (False, "")."""
    try:
        content_info = cms.ContentInfo.load(cms_der)
        if content_info["content_type"].native != "signed_data":
            return False, ""
        signed_data = content_info["content"]
        signed_data.native  # noqa: B018 -- parses it all now, so damage shows here
    except ValueError:
        return False, ""
    context = ValidationContext(
        trust_roots=[
            asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
            for root in trust_roots
        ],
        allow_fetching=False,
    )
    try:
        status = asyncio.run(
            async_validate_detached_cms(data, signed_data, signer_validation_context=context)
        )
    except (SigningError, ValueError, KeyError) as exc:
        logger.warning("unreadable CMS signature: %r", exc)
        return False, ""
    cert = status.signing_cert
    subject = cert.subject.human_friendly if cert is not None else ""
    return bool(status.bottom_line), subject
