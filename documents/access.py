"""Who may see a document, stored: the ``DocumentAccess`` rows, and the object permissions
the services grant (the only writers of both).

The rule itself is written once, in documents.permissions (its module docstring); this module
keeps its rows: ``audiences_of`` names the audiences a person belongs to, ``role_audiences``
those the rule gives a document in a state, ``sync_access`` and the ``grant_*`` functions
write them as the document moves on, and ``visible_access`` / ``visible_documents_q`` read
them for lists, through the index (audience, created_at, document).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from guardian.shortcuts import remove_perm

from .permissions import (
    ACKNOWLEDGE_RECEIPT,
    CHANGE_DOCUMENT,
    SIGN_OFF_DOCUMENT,
    acts_in_workflow,
    group_ids,
    is_clerk,
    is_leader,
    organization_of,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import Document, DocumentAccess, Receipt


EVERYONE = "all"


def audiences_of(user: User) -> list[str]:
    """Every audience the person belongs to (DocumentAccess.audience); none: sees nothing."""
    if not acts_in_workflow(user):
        return []
    audiences = [f"user:{user.pk}", EVERYONE]
    audiences += [f"group:{pk}" for pk in group_ids(user)]
    organization = organization_of(user)
    if organization is not None and is_clerk(user):
        audiences.append(f"clerks:{organization.pk}")
    if organization is not None and is_leader(user):
        audiences.append(f"leaders:{organization.pk}")
    return audiences


def role_audiences(document: Document, status: str | None = None) -> set[str]:
    """The role part of the rule for the document's present state (or ``status``): (2), (3)
    and (4)."""
    from .models import Document

    status = document.status if status is None else status
    audiences = set()
    confidential = document.is_confidential
    if document.origin == Document.Origin.REFERENCE and not confidential:
        audiences.add(EVERYONE)
    if status in Document.LOCKED_STATUSES:
        audiences.add(f"clerks:{document.organization_id}")
    if status in Document.ISSUED_STATUSES and not confidential:
        audiences.add(f"leaders:{document.organization_id}")
    return audiences


def _is_role(audience: str) -> bool:
    return audience == EVERYONE or audience.startswith(("clerks:", "leaders:"))


def visible_access(user: User) -> QuerySet[DocumentAccess] | None:
    """The access rows that let the person see a document; None: nothing."""
    from .models import DocumentAccess

    audiences = audiences_of(user)
    if not audiences:
        return None
    return DocumentAccess.objects.filter(audience__in=audiences)


def visible_documents_q(user: User) -> Exists | None:
    """The visibility rule as a filter on Document; None: nothing."""
    access = visible_access(user)
    if access is None:
        return None
    return Exists(access.filter(document=OuterRef("pk")))


def _grant_access(document: Document, *audiences: str) -> None:
    from .models import DocumentAccess

    DocumentAccess.objects.bulk_create(
        [
            DocumentAccess(document=document, audience=audience, created_at=document.created_at)
            for audience in audiences
        ],
        ignore_conflicts=True,
    )


def sync_access(document: Document, *, previous_status: str | None = None) -> None:
    """After a change of state: the role audiences follow the rule; the people and units the
    document was given to (drafter, signers, recipient units) keep their access. Given the
    state the document left, only the difference between the two states' role audiences is
    written (a step reads nothing); without it, the rows present are read and mended."""
    from .models import DocumentAccess

    wanted = role_audiences(document)
    rows = DocumentAccess.objects.filter(document=document)
    if previous_status is not None:
        present = role_audiences(document, previous_status)
    else:
        present = {
            audience for audience in rows.values_list("audience", flat=True) if _is_role(audience)
        }
    if present - wanted:
        rows.filter(audience__in=present - wanted).delete()
    if wanted - present:
        _grant_access(document, *(wanted - present))


# --- grants (the only guardian writes) ------------------------------------------
#
# Written as guardian's own rows, in one INSERT per grant (ignore_conflicts: granting twice
# changes nothing), instead of guardian.shortcuts.assign_perm's look-ups, get_or_create and
# savepoint per object: a distribution to 50 units is one statement, not 250.


_permissions: dict[tuple[str, str], int] = {}


def _permission_id(perm: str) -> int:
    """The id of a permission, kept per database as ContentType keeps its rows; migrating or
    flushing a database (post_migrate, which recreates permissions) forgets them all."""
    from django.contrib.auth.models import Permission
    from django.db import connection

    key = (str(connection.settings_dict["NAME"]), perm)
    if key not in _permissions:
        app_label, codename = perm.split(".", 1)
        _permissions[key] = Permission.objects.values_list("pk", flat=True).get(
            content_type__app_label=app_label, codename=codename
        )
    return _permissions[key]


def forget_permissions(**_kwargs) -> None:
    _permissions.clear()


def _assign_user_perm(perm: str, user: User, objects: Sequence[models.Model]) -> None:
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    permission_id = _permission_id(perm)
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                permission_id=permission_id,
                content_type=ContentType.objects.get_for_model(obj),
                object_pk=str(obj.pk),
                user=user,
            )
            for obj in objects
        ],
        ignore_conflicts=True,
    )


def grant_drafter(user: User, document: Document) -> None:
    _grant_access(document, f"user:{user.pk}")
    _assign_user_perm(CHANGE_DOCUMENT, user, [document])


def grant_signer(user: User, document: Document) -> None:
    _grant_access(document, f"user:{user.pk}")
    _assign_user_perm(SIGN_OFF_DOCUMENT, user, [document])


def revoke_signer(user: User, document: Document) -> None:
    remove_perm(SIGN_OFF_DOCUMENT, user, document)


def grant_groups(document: Document, group_ids: Iterable[int]) -> None:
    """Every member of these groups (units in charge of, or supporting, an assignment of the
    document) sees it."""
    _grant_access(document, *(f"group:{pk}" for pk in sorted(set(group_ids))))


def grant_recipient_units(document: Document, receipts: Sequence[Receipt]) -> None:
    """Each recipient unit's members see the document and its receipt (receipts are listed
    by the unit's group, documents.selectors); any of them may acknowledge one given to no
    one. ``receipt.unit`` must be loaded (its ``group_id`` is read)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    _grant_access(document, *(f"group:{receipt.unit.group_id}" for receipt in receipts))
    if not receipts:
        return
    permission_id = _permission_id(ACKNOWLEDGE_RECEIPT)
    content_type = ContentType.objects.get_for_model(receipts[0])
    GroupObjectPermission.objects.bulk_create(
        [
            GroupObjectPermission(
                permission_id=permission_id,
                content_type=content_type,
                object_pk=str(receipt.pk),
                group_id=receipt.unit.group_id,
            )
            for receipt in receipts
        ],
        ignore_conflicts=True,
    )
