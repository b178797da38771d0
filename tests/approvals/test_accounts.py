"""Password screens: in the site's frame, in Vietnamese, readable, and refusing bad input."""

from __future__ import annotations

from django.test import Client

PASSWORD = "vanthu@2026"
NEW_PASSWORD = "Bình-Phước-2026!"


def test_the_menu_offers_a_password_change(client_for, demo):
    response = client_for("chuyenvien").get("/documents/")
    assert 'href="/accounts/password_change/"' in response.text
    assert "Đổi mật khẩu" in response.text


def test_password_change_page_is_ours_not_the_admins(client_for, demo):
    response = client_for("chuyenvien").get("/accounts/password_change/")
    assert response.status_code == 200
    text = response.text
    # viewflow's frame with the person's menu, not the Django admin's page.
    assert "vf-page__menu" in text
    assert "Nguyễn Văn An" in text
    assert "Trang quản trị" not in text
    assert "<title>Thay đổi mật khẩu" in text
    # The validators' rules as words, not as escaped HTML tags.
    assert "ít nhất 8 ký tự" in text
    assert "&lt;li&gt;" not in text and "&lt;ul&gt;" not in text


def test_wrong_old_password_is_refused_and_changes_nothing(client_for, users):
    client = client_for("chuyenvien")
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "sai-mat-khau",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Mật khẩu cũ không chính xác" in response.text
    users.chuyenvien.refresh_from_db()
    assert users.chuyenvien.check_password(PASSWORD)


def test_password_change_then_sign_in_with_the_new_one(client_for, users):
    client = client_for("chuyenvien")
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/password_change/done/"
    assert "Mật khẩu của bạn đã được thay đổi" in response.text
    fresh = Client()
    assert not fresh.login(username="chuyenvien", password=PASSWORD)
    assert fresh.login(username="chuyenvien", password=NEW_PASSWORD)


def test_an_invalid_reset_link_says_it_failed(demo):
    # Django's own vi catalogue says "thành công" here; ours corrects it.
    response = Client().get("/accounts/reset/MQ/set-password/", follow=True)
    assert response.status_code == 200
    assert "không thành công" in response.text
    assert "Liên kết đặt lại mật khẩu không hợp lệ" in response.text
