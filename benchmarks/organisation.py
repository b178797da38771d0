"""A province-sized organisation around the demo one: ~50 units and ~1,000 people, in bulk.

The demo units and people stay (the measured roles are the demo users); new internal units
(phòng) get drafters, new external units (sở, huyện…) get staff, every unit a head who is also
its receiver, and every demo unit more members, so a unit of the demo looks like the others.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction

from documents import permissions
from documents.models import Organization, Position, Profile, Unit

PASSWORD = "vanthu@2026"  # noqa: S105  the demo users' password, for every generated person too
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Tú",
    "Vân",
    "Yến",
]
EXTERNAL = [
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Nông nghiệp",
    "Sở Tài nguyên và Môi trường",
    "Sở Lao động - Thương binh và Xã hội",
    "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Báo Bình Phước",
    "Đài Phát thanh - Truyền hình",
    "Bưu điện tỉnh",
    "Viettel Bình Phước",
    "VNPT Bình Phước",
]
HUYEN = [
    "Đồng Xoài",
    "Bình Long",
    "Phước Long",
    "Chơn Thành",
    "Đồng Phú",
    "Bù Đăng",
    "Bù Đốp",
    "Bù Gia Mập",
    "Hớn Quản",
    "Lộc Ninh",
    "Phú Riềng",
]


@dataclass
class Organisation:
    """What the generator draws from: who drafts, who signs, which units receive."""

    organization: Organization
    drafters: list[User] = field(default_factory=list)
    signers: list[User] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)  # every unit
    records_office: Unit | None = None
    # each unit's active members by unit pk, the receiver first
    members: dict[int, list[User]] = field(default_factory=dict)


def _person(index: int, rng: random.Random) -> dict[str, str]:
    return {
        "username": f"cb{index:04d}",
        "last_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}",
        "first_name": rng.choice(GIVEN),
    }


def _new_units(organization: Organization, internal: int, external: int) -> list[Unit]:
    names = [
        (f"Phòng Nghiệp vụ {i + 1}", f"NV{i + 1}", Unit.Kind.INTERNAL) for i in range(internal)
    ]
    outside = EXTERNAL + [f"UBND huyện {name}" for name in HUYEN]
    outside += [f"Cơ quan số {i}" for i in range(len(outside), external)]
    names += [(name, f"CQ{i + 1}", Unit.Kind.EXTERNAL) for i, name in enumerate(outside[:external])]
    groups = Group.objects.bulk_create([Group(name=f"Đơn vị: {name}") for name, _, _ in names])
    return Unit.objects.bulk_create(
        Unit(
            name=name,
            abbreviation=abbreviation,
            kind=kind,
            organization=organization if kind == Unit.Kind.INTERNAL else None,
            group=group,
        )
        for (name, abbreviation, kind), group in zip(names, groups, strict=True)
    )


@transaction.atomic
def build(*, units: int = 50, people: int = 1000, seed: int = 13) -> Organisation:
    """Add units and people to the demo organisation (loaded from fixtures/) in bulk."""
    rng = random.Random(seed)
    organization = Organization.objects.get(abbreviation="STTTT")
    positions = {p.name: p for p in Position.objects.all()}
    roles = {
        g.name: g
        for g in Group.objects.filter(
            name__in=[permissions.GROUP_DRAFTERS, permissions.GROUP_SIGNERS]
        )
    }
    existing = list(Unit.objects.select_related("group"))
    extra = max(units - len(existing), 0)
    internal = min(6, extra)
    created = _new_units(organization, internal, extra - internal)
    every_unit = existing + created
    # Who joins which unit: the leaders' unit gets two more Phó Giám đốc, the records office
    # nobody (one văn thư), the rest shares the people, a phòng twice an outside agency's share.
    leaders = next(u for u in every_unit if u.abbreviation == "BGĐ")
    records = next(u for u in every_unit if u.is_records_office)
    staffed = [u for u in every_unit if u not in (leaders, records)]
    weights = [2 if u.kind == Unit.Kind.INTERNAL else 1 for u in staffed]
    budget = max(people - User.objects.count() - 2, 0)
    placement = [leaders, leaders] + rng.choices(staffed, weights=weights, k=budget)
    start = User.objects.count() + 1
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(password=password, is_active=True, **_person(start + i, rng))
        for i in range(len(placement))
    )
    first_member: dict[int, User] = {}
    memberships, profiles = [], []
    through = User.groups.through
    for user, unit in zip(users, placement, strict=True):
        memberships.append(through(user_id=user.pk, group_id=unit.group_id))
        if unit is leaders:
            position = positions["Phó Giám đốc"]
            memberships.append(
                through(user_id=user.pk, group_id=roles[permissions.GROUP_SIGNERS].pk)
            )
        elif unit.kind == Unit.Kind.INTERNAL:
            position = positions["Chuyên viên"]
            memberships.append(
                through(user_id=user.pk, group_id=roles[permissions.GROUP_DRAFTERS].pk)
            )
        else:
            position = positions["Cán bộ tiếp nhận văn bản"]
        if unit in created and unit.pk not in first_member:
            first_member[unit.pk] = user
            position = positions["Trưởng phòng"] if unit.kind == Unit.Kind.INTERNAL else position
        profiles.append(Profile(user=user, unit=unit, position=position))
    through.objects.bulk_create(memberships)
    Profile.objects.bulk_create(profiles)
    for unit in created:
        unit.head = unit.receiver = first_member.get(unit.pk)
    Unit.objects.bulk_update(created, ["head", "receiver"])
    return load()


def load() -> Organisation:
    """The organisation as the database has it (after build, or in an extended copy)."""
    organization = Organization.objects.get(abbreviation="STTTT")
    result = Organisation(organization=organization)
    users = {u.pk: u for u in User.objects.filter(is_active=True)}
    members: dict[int, list[User]] = {}
    pairs = User.groups.through.objects.filter(group__unit__isnull=False)
    for group_id, user_id in pairs.values_list("group_id", "user_id"):
        if user_id in users:
            members.setdefault(group_id, []).append(users[user_id])
    for unit in Unit.objects.order_by("pk"):
        people = sorted(members.get(unit.group_id, []), key=lambda u: u.pk)
        if unit.receiver_id is not None:
            people.sort(key=lambda u: u.pk != unit.receiver_id)  # the receiver first
        result.members[unit.pk] = people
        result.units.append(unit)
        if unit.is_records_office:
            result.records_office = unit
    drafters = User.objects.filter(
        is_active=True, groups__name=permissions.GROUP_DRAFTERS, profile__isnull=False
    ).select_related("profile__unit")
    result.drafters = [
        u
        for u in drafters.order_by("pk")
        if u.profile.unit.kind == Unit.Kind.INTERNAL and not u.profile.unit.is_records_office
    ]
    result.signers = list(
        User.objects.filter(is_active=True, profile__position__name="Phó Giám đốc").order_by("pk")
    )
    return result
