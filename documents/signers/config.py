"""Settings of the signer backends: the modes, settings.SIGNING read per signer, secrets."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

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
