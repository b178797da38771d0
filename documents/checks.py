"""System checks of Văn thư's own settings (`manage.py check`, `check --deploy`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from . import signers


@register(Tags.security)
def signing_backends(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """settings.SIGNING names a known mode with what that mode needs, for every entry."""
    try:
        signers.configured_specs()
    except signers.ConfigurationError as exc:
        return [
            Error(
                f"settings.SIGNING is not usable: {exc}.",
                hint="See docs/signing.md for SIGNING_BACKEND, SIGNING_SIGNERS, SIGNING_AGENCY.",
                id="vanthu.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def demo_signing_keys(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """In production no one signs with the demo PEM files: their private keys sit on the
    server's disk, readable by whoever reads the disk or the backups."""
    if settings.DEBUG:
        return []
    try:
        demo = signers.demo_files_users()
    except signers.ConfigurationError:
        return []  # vanthu.E001 says so
    if not demo:
        return []
    return [
        Warning(
            "Digital signatures use the demo key files (private keys on the server's disk) "
            f"for: {', '.join(demo)}.",
            hint=(
                "Set SIGNING_BACKEND (and SIGNING_SIGNERS / SIGNING_AGENCY) to pkcs11 for a USB "
                "token or HSM, or to csc for a remote signing service; see docs/signing.md."
            ),
            id="vanthu.W001",
        )
    ]
