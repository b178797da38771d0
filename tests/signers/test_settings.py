"""settings.SIGNING chooses each signer's backend; `check --deploy` warns about the demo
key files in production (vanthu.W001) and `check` refuses an unusable entry (vanthu.E001)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from documents import checks, signers
from tests.test_deploy_check import manage, production_env  # noqa: F401 -- a fixture

PKCS11 = {"mode": "pkcs11", "module": "/usr/lib/softhsm/libsofthsm2.so", "pin_env": "PIN"}
CSC = '{"mode": "csc", "url": "https://csc.example.vn", "credential_id": "{username}"}'


def test_per_signer_and_agency_entries_override_the_default_key_by_key(settings):
    settings.SIGNING = {
        **settings.SIGNING,
        "BACKEND": {**PKCS11, "token_label": "vt-{username}", "key_label": "ky-so"},
        "SIGNERS": {"giamdoc": {"key_label": "ky-so-2"}, "phogiamdoc": {"mode": "demo-files"}},
        "AGENCY": {"token_label": "con-dau"},
    }
    assert signers.spec_for("giamdoc") == {
        **PKCS11,
        "token_label": "vt-giamdoc",
        "key_label": "ky-so-2",
    }
    assert signers.spec_for("truongphong")["token_label"] == "vt-truongphong"
    assert signers.spec_for("phogiamdoc")["mode"] == "demo-files"
    assert signers.spec_for(None)["token_label"] == "con-dau"
    assert signers.demo_files_users() == ["phogiamdoc"]


def test_demo_files_in_production_are_warned_about(settings):
    settings.DEBUG = False
    settings.SIGNING = {**settings.SIGNING, "BACKEND": PKCS11, "AGENCY": {"mode": "demo-files"}}
    (warning,) = checks.demo_signing_keys(None)
    assert warning.id == "vanthu.W001" and "AGENCY" in warning.msg
    settings.SIGNING = {**settings.SIGNING, "AGENCY": {}}
    assert checks.demo_signing_keys(None) == []
    settings.DEBUG = True
    settings.SIGNING = {**settings.SIGNING, "BACKEND": "demo-files"}
    assert checks.demo_signing_keys(None) == []  # development and the demo


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"mode": "usb"}, "unknown signing mode 'usb'"),
        ({"mode": "pkcs11", "pin_env": "PIN"}, "pkcs11 needs module"),
        ({"mode": "pkcs11", "module": "/x.so"}, "pin_env or pin_file"),
        ({"mode": "csc", "url": "https://csc.example.vn"}, "csc needs credential_id"),
    ],
)
def test_an_unusable_entry_is_an_error_and_a_clear_refusal(settings, users, entry, reason):
    settings.SIGNING = {**settings.SIGNING, "SIGNERS": {"giamdoc": entry}}
    (error,) = checks.signing_backends(None)
    assert error.id == "vanthu.E001" and reason in error.msg
    with pytest.raises(ValidationError) as refused:
        signers.check_signer(users.giamdoc)
    assert refused.value.messages[0].startswith("Cấu hình ký số của người ký giamdoc")
    assert reason in refused.value.messages[0]
    signers.check_signer(users.phogiamdoc)  # the demo files of the others still sign


def test_missing_demo_files_keep_their_message(settings, users, tmp_path):
    settings.SIGNING = {**settings.SIGNING, "SIGNER_KEYS_DIR": str(tmp_path)}
    with pytest.raises(ValidationError, match=r"Chưa có chứng thư số của người ký \(giamdoc\)"):
        signers.check_signer(users.giamdoc)


@pytest.mark.slow
def test_check_deploy_reads_the_backends_from_the_environment(production_env):  # noqa: F811
    done = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "vanthu.W001" in done.stderr and "BACKEND, AGENCY" in done.stderr
    production_env["SIGNING_BACKEND"] = CSC
    production_env["SIGNING_AGENCY"] = '{"mode": "pkcs11", "module": "/m.so", "pin_file": "/p"}'
    done = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    production_env["SIGNING_BACKEND"] = "hsm"
    done = manage(production_env, "check")
    assert done.returncode != 0 and "vanthu.E001" in done.stderr
