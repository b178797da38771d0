"""Rights and organisation changes are on the trail's system chain, whatever the door
(documents.signals_trail): through the admin (real HTTP, by the administrator, who is the
actor), in code or a command (Hệ thống); with what changed from and to. What the workflow
writes for every document, logins and fixtures are not."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from guardian.shortcuts import assign_perm

from approvals import services
from documents import audit_format
from documents.models import Event, Position, Unit
from tests.conftest import ISSUE_DATE

PASSWORD = "vanthu@2026"  # the demo accounts' (fixtures/organisation.json)
TRAIL_KINDS = (Event.Kind.RIGHTS_CHANGED, Event.Kind.ORGANISATION_CHANGED)


def system_events() -> list[Event]:
    return list(Event.objects.filter(chain=audit_format.SYSTEM_CHAIN).order_by("seq"))


def changes(events: list[Event], model: str) -> list[dict]:
    return [e.data["changes"] for e in events if e.data["model"] == model]


@pytest.fixture
def admin_client_(users):
    client = Client()
    client.force_login(users.quantri)
    return client


def user_form(user: User, **overrides) -> dict:
    """The admin's change form of the person as it stands, with these changes."""
    profile = user.profile
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(profile.pk),
        "profile-0-user": str(user.pk),
        "profile-0-unit": str(profile.unit_id),
        "profile-0-position": str(profile.position_id),
        "_save": "Lưu",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return data


def save_in_admin(client: Client, user: User, **overrides) -> list[Event]:
    before = len(system_events())
    response = client.post(f"/admin/auth/user/{user.pk}/change/", user_form(user, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return system_events()[before:]


def test_loading_the_fixtures_put_nothing_on_the_trail(users):
    assert len(users) == 12
    assert system_events() == []


def test_adding_a_person_to_a_group_in_the_admin(admin_client_, users):
    user = users.congan
    clerks = Group.objects.get(name="Văn thư")
    own = [str(pk) for pk in user.groups.values_list("pk", flat=True)]
    events = save_in_admin(admin_client_, user, groups=[*own, str(clerks.pk)])
    assert set(user.groups.values_list("name", flat=True)) == {"Đơn vị: Công an tỉnh", "Văn thư"}
    assert len(events) == 1
    (event,) = events
    assert (event.kind, event.actor, event.document) == (
        Event.Kind.RIGHTS_CHANGED,
        users.quantri,
        None,
    )
    assert event.data == {
        "model": "auth.user",
        "object": "congan",
        "id": user.pk,
        "action": "changed",
        "changes": {"groups": [["Đơn vị: Công an tỉnh"], ["Văn thư", "Đơn vị: Công an tỉnh"]]},
    }
    assert event.comment == "Thay đổi người dùng: congan"
    assert event.get_kind_display() == "Thay đổi quyền, vai trò người dùng"


def test_making_a_person_staff_in_the_admin(admin_client_, users):
    user = users.chuyenvien
    events = save_in_admin(admin_client_, user, is_staff="on")
    user.refresh_from_db()
    assert user.is_staff
    assert [(e.kind, e.actor_id) for e in events] == [(Event.Kind.RIGHTS_CHANGED, users.quantri.pk)]
    assert changes(events, "auth.user") == [{"is_staff": [False, True]}]


def test_moving_a_person_to_another_unit_in_the_admin(admin_client_, users):
    user = users.congan
    other = Unit.objects.get(abbreviation="BATGT")
    events = save_in_admin(admin_client_, user, **{"profile-0-unit": str(other.pk)})
    user.profile.refresh_from_db()
    assert user.profile.unit == other
    assert [(e.kind, e.actor_id) for e in events] == [(Event.Kind.RIGHTS_CHANGED, users.quantri.pk)]
    assert changes(events, "documents.profile") == [
        {"unit": ["Công an tỉnh", "Thường trực Ban An toàn giao thông tỉnh"]}
    ]


def test_saving_a_person_unchanged_records_nothing(admin_client_, users):
    assert save_in_admin(admin_client_, users.vanthu) == []


def test_a_unit_renamed_in_the_admin_is_an_organisation_change(admin_client_, users):
    unit = Unit.objects.get(abbreviation="TTBCXB")
    page = admin_client_.get(f"/admin/documents/unit/{unit.pk}/change/")
    assert page.status_code == 200
    before = len(system_events())
    response = admin_client_.post(
        f"/admin/documents/unit/{unit.pk}/change/",
        {
            "name": "Phòng Báo chí - Xuất bản",
            "abbreviation": unit.abbreviation,
            "kind": unit.kind,
            "organization": str(unit.organization_id),
            "group": str(unit.group_id),
            "receiver": str(unit.receiver_id),
            "head": str(unit.head_id),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    events = system_events()[before:]
    assert [(e.kind, e.actor_id) for e in events] == [
        (Event.Kind.ORGANISATION_CHANGED, users.quantri.pk)
    ]
    assert events[0].data["changes"] == {
        "name": ["Phòng Thông tin - Báo chí - Xuất bản", "Phòng Báo chí - Xuất bản"]
    }
    assert events[0].get_kind_display() == "Thay đổi tổ chức, đơn vị"


def test_changes_in_code_are_recorded_as_the_system(users):
    """A shell, a command, a script: no request, the actor is None (Hệ thống)."""
    user = users.ttbcxb
    user.is_superuser = True
    user.save()
    group = Group.objects.get(name="Chuyên viên")
    perm = Permission.objects.get(
        codename="change_organization", content_type__app_label="documents"
    )
    assert list(group.permissions.values_list("codename", flat=True)) == ["add_document"]
    group.permissions.add(perm)
    members = sorted(group.user_set.values_list("username", flat=True))
    assert "chuyenvien" in members
    group.user_set.remove(users.chuyenvien)
    position = Position.objects.create(name="Phó Trưởng phòng")
    assign_perm("documents.change_unit", users.congan, users.congan.profile.unit)
    events = system_events()
    assert all(e.actor is None and e.role == "Hệ thống" for e in events)
    assert [(e.kind, e.data["model"], e.data["changes"]) for e in events] == [
        (Event.Kind.RIGHTS_CHANGED, "auth.user", {"is_superuser": [False, True]}),
        (
            Event.Kind.RIGHTS_CHANGED,
            "auth.group",
            {
                "permissions": [
                    ["documents.add_document"],
                    ["documents.add_document", "documents.change_organization"],
                ]
            },
        ),
        (
            Event.Kind.RIGHTS_CHANGED,
            "auth.group",
            {"user_set": [members, sorted(set(members) - {"chuyenvien"})]},
        ),
        (
            Event.Kind.ORGANISATION_CHANGED,
            "documents.position",
            {"name": [None, "Phó Trưởng phòng"], "signs_documents": [None, False]},
        ),
        (
            Event.Kind.RIGHTS_CHANGED,
            "guardian.userobjectpermission",
            {
                "permission": [None, "documents.change_unit"],
                "holder": [None, "congan"],
                "object": [None, f"documents.unit#{users.congan.profile.unit_id}"],
            },
        ),
    ]
    assert position.pk == events[3].data["id"]


def test_a_login_is_no_rights_change(users):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "chuyenvien", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(users.chuyenvien.pk)
    users.chuyenvien.refresh_from_db()
    assert users.chuyenvien.last_login is not None
    Client().force_login(users.vanthu)
    assert system_events() == []


def test_the_workflows_grants_are_not_rights_changes(users, seed_plan):
    """Issuing gives every recipient unit its object permission and access rows (in bulk)
    and takes back the signer's: none of it is a person's rights change."""
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=seed_plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    seed_plan.refresh_from_db()
    assert seed_plan.receipts.count() > 1
    assert seed_plan.access.count() > 1
    assert system_events() == []


def test_a_command_changing_rights_is_recorded(users):
    call_command("loaddata", "organisation", verbosity=0)  # a restore: rows as they were
    assert system_events() == []
    call_command(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "u = User.objects.get(username='bantatgt'); u.is_active = False; u.save()",
    )
    (event,) = system_events()
    assert (event.actor, event.data["changes"]) == (None, {"is_active": [True, False]})


def test_an_account_created_and_deleted_in_the_admin(admin_client_, users):
    response = admin_client_.post(
        "/admin/auth/user/add/",
        {
            "username": "thuctap",
            "usable_password": "true",
            "password1": "Thu-tap@2026-vanthu",
            "password2": "Thu-tap@2026-vanthu",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-unit": str(Unit.objects.get(abbreviation="VP").pk),
            "profile-0-position": str(Position.objects.get(name="Chuyên viên").pk),
            "_save": "Lưu",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="thuctap")
    created = system_events()
    assert [(e.data["model"], e.data["action"], e.actor_id) for e in created] == [
        ("auth.user", "created", users.quantri.pk),
        ("documents.profile", "created", users.quantri.pk),
    ]
    assert created[0].data["changes"]["is_superuser"] == [None, False]
    assert created[1].data["changes"]["unit"] == [None, "Văn phòng"]

    response = admin_client_.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="thuctap").exists()
    deleted = system_events()[len(created) :]
    assert [(e.data["model"], e.data["action"], e.actor_id) for e in deleted] == [
        ("documents.profile", "deleted", users.quantri.pk),
        ("auth.user", "deleted", users.quantri.pk),
    ]
    assert deleted[1].comment == "Xóa người dùng: thuctap"


def test_a_password_set_in_the_admin_is_recorded_without_its_value(admin_client_, users):
    """An administrator who sets a leader's password could sign in as them: that it was set,
    and by whom, is on the trail; the hash is not."""
    user = users.phogiamdoc
    before = len(system_events())
    response = admin_client_.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "Mat-khau-moi-2026!", "password2": "Mat-khau-moi-2026!"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    events = system_events()[before:]
    assert [(e.kind, e.actor_id) for e in events] == [(Event.Kind.RIGHTS_CHANGED, users.quantri.pk)]
    assert changes(events, "auth.user") == [{"password": ["***", "***"]}]
    user.refresh_from_db()
    assert user.password not in str(events[0].data)
