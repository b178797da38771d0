"""Sign-in throttling (django-axes) and the rules a new password must meet."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

PASSWORD = "vanthu@2026"
LOGIN = "/accounts/login/"
PASSWORD_CHANGE = "/accounts/password_change/"


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_limit_is_a_few_tries_for_a_while():
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 5 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_after_too_many_wrong_passwords_the_right_one_is_refused(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "chuyenvien", "sai-mat-khau")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, "chuyenvien", "sai-mat-khau")
    assert response.status_code == 429

    response = sign_in(client, "chuyenvien", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Tạm khoá đăng nhập" in text
    assert f"Mật khẩu đã bị nhập sai {settings.AXES_FAILURE_LIMIT} lần" in text
    assert "thử lại sau 15 phút" in text
    assert 'href="/accounts/login/"' in text
    assert "Account locked" not in text
    assert signed_in_as(client) is None
    # And the lock holds on the next page too: still anonymous, sent to the login page.
    assert client.get("/").status_code == 302


def test_a_colleague_behind_the_same_address_is_not_locked(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        sign_in(client, "chuyenvien", "sai-mat-khau")
    colleague = Client()
    response = sign_in(colleague, "phogiamdoc", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(colleague) == str(users.phogiamdoc.pk)


def test_the_same_person_from_another_address_is_not_locked(users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "chuyenvien", "sai-mat-khau", address="203.0.113.9")
    client = Client()
    response = sign_in(client, "chuyenvien", PASSWORD, address="10.0.0.8")
    assert response.status_code == 302
    assert signed_in_as(client) == str(users.chuyenvien.pk)


def test_behind_the_proxy_a_stranger_cannot_lock_a_leader_out(users, settings):
    """With DJANGO_BEHIND_PROXY=1 every request comes from the proxy's address; axes then
    reads the client's address from the X-Forwarded-For the proxy sets (config.settings)."""
    import subprocess
    import sys

    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; print(s.AXES_IPWARE_META_PRECEDENCE_ORDER[0])",
        ],
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_BEHIND_PROXY": "1",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == "HTTP_X_FORWARDED_FOR"
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    proxy = "127.0.0.1"
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        Client().post(
            LOGIN,
            {"username": "phogiamdoc", "password": "sai-mat-khau"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    leader = Client()
    response = leader.post(
        LOGIN,
        {"username": "phogiamdoc", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="10.0.0.21",
    )
    assert response.status_code == 302
    assert signed_in_as(leader) == str(users.phogiamdoc.pk)


def test_without_a_proxy_a_forged_forwarded_address_does_not_undo_the_limit(users):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            LOGIN,
            {"username": "chuyenvien", "password": "sai-mat-khau"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert response.status_code == 429


def test_a_few_typos_then_the_right_password_signs_in_and_are_forgotten(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "chuyenvien", "sai-mat-khau")
    response = sign_in(client, "chuyenvien", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(users.chuyenvien.pk)
    assert not AccessAttempt.objects.filter(username="chuyenvien").exists()


@pytest.mark.parametrize(
    ("weak", "error"),
    [
        ("12345678", "Mật khẩu này quá phổ biến."),  # and only digits
        ("password", "Mật khẩu này quá phổ biến."),
        ("aaaaaaaa", "Mật khẩu này quá phổ biến."),
        ("chuyenvien2026", "Mật khẩu quá giống với Tên đăng nhập."),
        ("20261975", "Mật khẩu này hoàn toàn là số."),
        ("Xq7#", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự."),  # was English
    ],
)
def test_a_weak_new_password_is_refused_and_the_old_one_still_works(users, weak, error):
    user = users.chuyenvien
    client = Client()
    client.force_login(user)
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert error in response.context["form"].errors["new_password2"]
    assert f'error="{error}"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(weak)


def test_a_strong_new_password_is_accepted(users):
    user = users.chuyenvien
    client = Client()
    client.force_login(user)
    strong = "Đồng-Xoài-mùa-mưa-2026"
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
