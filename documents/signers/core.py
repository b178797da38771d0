"""Making a signer for a user or the agency, and signing with it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import aiohttp
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer

from .backends import _csc_signer, _demo_files_signer, _pkcs11_signer, _RemoteSigner
from .client import client_certificates, is_client
from .config import CLIENT, CSC, PKCS11, ConfigurationError, spec_for
from .refusals import (
    _config_refusal,
    _pkcs11_exceptions,
    _pkcs11_refusal,
    _refusal,
    _remote_refusal,
    _who,
)

logger = logging.getLogger(__name__)


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
