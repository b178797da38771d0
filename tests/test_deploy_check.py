"""`manage.py check --deploy` is clean with the documented production environment
(docs/operations.md), and the settings for plain HTTP (the demo) turn the HTTPS-only ones off.

Each check runs `manage.py` in a child process with the project's own settings
(config.settings, not the test settings) and only the environment given here."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Independent of the test database's backend: CI runs it in the SQLite pass only.
pytestmark = pytest.mark.once

BASE = Path(settings.BASE_DIR)
DEADLINE = 120  # seconds; a safety net against a hung child, never an assertion on speed
SETTINGS_PRINTED = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """The documented production environment: DEBUG off, a long random key, the host name."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "AXES_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "vanthu.example.gov.vn",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://vanthu.example.gov.vn",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vanthu.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )


def printed_settings(env: dict[str, str]) -> dict[str, str]:
    code = "from django.conf import settings as s; " + "; ".join(
        f"print('setting', {name!r}, getattr(s, {name!r}))" for name in SETTINGS_PRINTED
    )
    done = manage(env, "shell", "-v0", "-c", code)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("setting ")]
    return dict(lines)


def test_check_deploy_passes_with_the_documented_production_environment(production_env):
    # The leaders' keys are never files on the server in production (docs/signing.md): a
    # remote-signing service for the signers, the agency's key on an HSM.
    production_env["SIGNING_BACKEND"] = json.dumps(
        {
            "mode": "csc",
            "url": "https://ky-so.example.vn",
            "credential_id": "{username}",
            "token_file": "/etc/vanthu/csc-token",
        }
    )
    production_env["SIGNING_AGENCY"] = json.dumps(
        {
            "mode": "pkcs11",
            "module": "/usr/lib/softhsm/libsofthsm2.so",
            "token_label": "con-dau",
            "key_label": "ky-so",
            "pin_file": "/etc/vanthu/pins/agency",
        }
    )
    done = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_production_defaults_are_https_only(production_env):
    assert printed_settings(production_env) == {
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
    }


def test_check_deploy_fails_clearly_without_a_secret_key(production_env):
    del production_env["DJANGO_SECRET_KEY"]
    done = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "security.W009" in done.stderr
    assert "SECRET_KEY" in done.stderr


def test_a_production_request_without_a_secret_key_is_refused_clearly(production_env):
    del production_env["DJANGO_SECRET_KEY"]
    code = (
        "from django.test import Client; "
        "Client(HTTP_HOST='vanthu.example.gov.vn').get('/accounts/login/', secure=True)"
    )
    done = manage(production_env, "shell", "-c", code)
    assert done.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in done.stderr


def test_the_demo_environment_serves_plain_http(production_env):
    # The variables scripts/demo.sh exports for http://127.0.0.1:8000.
    production_env.update(
        {
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SSL_REDIRECT": "false",
            "DJANGO_HSTS_SECONDS": "0",
        }
    )
    assert printed_settings(production_env) == {
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
    }


def test_the_demo_script_exports_the_plain_http_settings():
    script = (BASE / "scripts" / "demo.sh").read_text()
    for line in (
        "export DJANGO_SECURE_COOKIES=false",
        "export DJANGO_SSL_REDIRECT=false",
        "export DJANGO_HSTS_SECONDS=0",
    ):
        assert line in script
