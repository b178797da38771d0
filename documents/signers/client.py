""" "client": the key in the signer's own browser; the server holds the certificate only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from documents import pki

from .config import CLIENT, ConfigurationError, spec_for
from .refusals import _config_refusal, _refusal, _who

logger = logging.getLogger(__name__)


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
