"""Who may see and do what to a document. Permission names are declared once, here.

Roles are Django groups (model-level permissions); rights on one document or receipt are
django-guardian object permissions, granted by the services as the document moves on.
Every check goes through ``user.has_perm(perm, obj)`` so guardian's backend is consulted.

The administrator (a superuser) manages the organisation and the users in the Django admin;
they act in no workflow step and see no document through these rules: ``acts_in_workflow``.

Who sees a document (the one place the rule is written; ``DocumentAccess`` rows store it per
document and audience, kept by documents.access's ``grant_*`` and ``sync_access``, so lists
are index-served):
1. the drafter, the leader it was submitted to, and every member of a unit it was sent to
   (the rows written when they are granted the document);
2. the văn thư of the issuing agency: every document of the agency from sign-off on (they
   number, issue and keep it), confidential ones included;
3. the agency's leaders (Giám đốc, Phó Giám đốc: the "Lãnh đạo Sở" group): every issued or
   archived document of the agency, except confidential ones (Mật and above), which only the
   people named on them (1) and the văn thư (2) see;
4. everyone signed in: reference documents of other agencies (cited by ours) that are not
   confidential.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import Document, Organization, Profile, Receipt

# Role groups (Django groups). Their names are data; these are the codes fixtures use.
GROUP_DRAFTERS = "Chuyên viên"
GROUP_SIGNERS = "Lãnh đạo Sở"
GROUP_CLERKS = "Văn thư"

ADD_DOCUMENT = "documents.add_document"  # model-level: drafters
CHANGE_DOCUMENT = "documents.change_document"  # object-level, granted to the drafter
SIGN_OFF_DOCUMENT = "documents.sign_off_document"  # object-level, granted on submission
ISSUE_DOCUMENT = "documents.issue_document"  # model-level: the văn thư group
ACKNOWLEDGE_RECEIPT = "documents.acknowledge_receipt"  # object-level, idem


def acts_in_workflow(user: User) -> bool:
    """A signed-in, active person who is not the administrator."""
    return user.is_authenticated and user.is_active and not user.is_superuser


def _has_group(user: User, name: str) -> bool:
    if not acts_in_workflow(user):
        return False
    return any(m.name == name for m in _memberships(user))


class _Membership(NamedTuple):
    name: str
    pk: int
    unit: int | None  # the unit the group stands for
    issues: bool  # the group holds ISSUE_DOCUMENT (the văn thư's role)


def _memberships(user: User) -> list[_Membership]:
    """The person's groups (name, id, the id of the unit the group stands for, and whether
    the group may issue), read in one query per user object: one page asks several times
    (menu, lists, actions), and the văn thư's role needs no separate permission query."""
    from django.contrib.auth.models import Group

    cache = user.__dict__.get("_vanthu_groups")
    if cache is None:
        app_label, codename = ISSUE_DOCUMENT.split(".")
        issues = Group.permissions.through.objects.filter(
            group_id=OuterRef("pk"),
            permission__codename=codename,
            permission__content_type__app_label=app_label,
        )
        rows = user.groups.annotate(issues=Exists(issues)).values_list(
            "name", "pk", "unit__pk", "issues"
        )
        cache = user.__dict__["_vanthu_groups"] = [_Membership(*row) for row in rows]
    return cache


def group_ids(user: User) -> list[int]:
    """The ids of the person's groups (their units' groups among them)."""
    return [m.pk for m in _memberships(user)] if acts_in_workflow(user) else []


def unit_ids(user: User) -> list[int]:
    """The ids of the units the person belongs to."""
    if not acts_in_workflow(user):
        return []
    return sorted(m.unit for m in _memberships(user) if m.unit is not None)


def is_signer(user: User) -> bool:
    """A leader of the body who may be chosen to sign documents."""
    return _has_group(user, GROUP_SIGNERS)


def is_leader(user: User) -> bool:
    """A leader of the agency (Giám đốc, Phó Giám đốc): sees every issued document of it."""
    return _has_group(user, GROUP_SIGNERS)


def is_clerk(user: User) -> bool:
    """A văn thư of the body."""
    if not acts_in_workflow(user):
        return False
    return any(m.name == GROUP_CLERKS and m.issues for m in _memberships(user))


def organization_of(user: User) -> Organization | None:
    """The agency the person works in, through their unit; None for outsiders."""
    profile = profile_of(user)
    return profile.unit.organization if profile is not None else None


def profile_of(user: User) -> Profile | None:
    """The person's unit, agency and position, read in one query and kept on the user
    object, so that ``user.profile`` costs nothing more on the same request."""
    from .models import Profile

    if not user.is_authenticated or user.__dict__.get("_vanthu_no_profile"):
        return None
    if "profile" not in user._state.fields_cache:
        profile = (
            Profile.objects.select_related("unit__organization", "position")
            .filter(user=user)
            .first()
        )
        if profile is None:
            user.__dict__["_vanthu_no_profile"] = True
            return None
        user.profile = profile
    return getattr(user, "profile", None)


# --- predicates ---------------------------------------------------------------


def can_create(user: User) -> bool:
    """Drafters (chuyên viên) create drafts."""
    return acts_in_workflow(user) and user.has_perm(ADD_DOCUMENT)


def can_edit(user: User, document: Document) -> bool:
    """The drafter edits their own draft, only while it is a draft or returned to them."""
    return (
        acts_in_workflow(user)
        and document.is_editable
        and document.drafter_id == user.pk
        and user.has_perm(CHANGE_DOCUMENT, document)
    )


def can_sign_off(user: User, document: Document) -> bool:
    """Only the Phó Giám đốc the draft was submitted to signs it off, while it waits."""
    return (
        acts_in_workflow(user)
        and document.status == document.Status.SUBMITTED
        and document.signer_id == user.pk
        and user.has_perm(SIGN_OFF_DOCUMENT, document)
    )


def can_issue(user: User, document: Document) -> bool:
    """Only a văn thư issues, and only a signed-off document."""
    return document.status == document.Status.SIGNED and is_clerk(user)


def is_member(user: User, unit) -> bool:
    """A person belongs to a unit through the unit's group."""
    return acts_in_workflow(user) and user.groups.filter(pk=unit.group_id).exists()


def can_acknowledge(user: User, receipt: Receipt) -> bool:
    """The person the receipt was given to acknowledges it, once; a receipt given to no one
    in particular, any member of the recipient unit."""
    if not (acts_in_workflow(user) and receipt.status == receipt.Status.PENDING):
        return False
    if _recalled(receipt):
        return False
    if receipt.assignee_id is not None:
        return receipt.assignee_id == user.pk
    return is_member(user, receipt.unit) and user.has_perm(ACKNOWLEDGE_RECEIPT, receipt)


def _recalled(receipt: Receipt) -> bool:
    """A recalled document is frozen: none of its receipts moves any more (Điều 19)."""
    return receipt.document.status == receipt.document.Status.RECALLED


def can_hand_over(user: User, receipt: Receipt) -> bool:
    """The head of the recipient unit (the văn thư, for the records office) gives a pending
    receipt to a member of the unit to acknowledge."""
    if not (acts_in_workflow(user) and receipt.status == receipt.Status.PENDING):
        return False
    if _recalled(receipt):
        return False
    unit = receipt.unit
    if unit.head_id is not None and unit.head_id == user.pk:
        return True
    return unit.is_records_office and is_clerk(user) and is_member(user, unit)


# --- ensure_* twins -----------------------------------------------------------


def ensure_can_create(user: User) -> None:
    if not can_create(user):
        raise PermissionDenied(_("Bạn không có quyền soạn thảo văn bản."))


def ensure_can_edit(user: User, document: Document) -> None:
    if not document.is_editable:
        raise PermissionDenied(
            _("Văn bản đang ở trạng thái “%(status)s”, không thể chỉnh sửa.")
            % {"status": document.get_status_display()}
        )
    if not can_edit(user, document):
        raise PermissionDenied(_("Chỉ người soạn thảo được chỉnh sửa dự thảo này."))


def ensure_can_submit(user: User, document: Document) -> None:
    ensure_can_edit(user, document)


def ensure_can_sign_off(user: User, document: Document) -> None:
    if document.status != document.Status.SUBMITTED:
        raise PermissionDenied(_("Văn bản không ở trạng thái chờ ký duyệt."))
    if not can_sign_off(user, document):
        raise PermissionDenied(_("Bạn không có quyền ký duyệt văn bản này."))


def ensure_can_issue_any(user: User) -> None:
    """A văn thư: the role part of ensure_can_issue."""
    if not is_clerk(user):
        raise PermissionDenied(_("Chỉ văn thư được cho số và ban hành văn bản."))


def ensure_can_issue(user: User, document: Document) -> None:
    ensure_can_issue_any(user)
    if document.status != document.Status.SIGNED:
        raise PermissionDenied(_("Chỉ văn bản đã được ký duyệt mới được ban hành."))


def ensure_can_acknowledge(user: User, receipt: Receipt) -> None:
    if _recalled(receipt):
        raise PermissionDenied(_("Văn bản đã bị thu hồi, không thể xác nhận đã nhận."))
    if receipt.status != receipt.Status.PENDING:
        raise PermissionDenied(_("Đơn vị đã xác nhận nhận văn bản này."))
    if not can_acknowledge(user, receipt):
        if receipt.assignee_id is not None:
            raise PermissionDenied(_("Phiếu nhận này được giao cho người khác xác nhận."))
        raise PermissionDenied(_("Chỉ thành viên của đơn vị nhận được xác nhận văn bản này."))


def ensure_can_hand_over(user: User, receipt: Receipt) -> None:
    if _recalled(receipt):
        raise PermissionDenied(_("Văn bản đã bị thu hồi, không thể giao xác nhận."))
    if receipt.status != receipt.Status.PENDING:
        raise PermissionDenied(_("Đơn vị đã xác nhận nhận văn bản này."))
    if not can_hand_over(user, receipt):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị nhận được giao việc xác nhận văn bản."))


def ensure_member(to: User, receipt: Receipt) -> None:
    """Whom a receipt is handed to: an active member of the recipient unit."""
    if not is_member(to, receipt.unit):
        raise ValidationError(
            {"assignee": _("Người được giao phải là thành viên của đơn vị nhận.")}
        )
