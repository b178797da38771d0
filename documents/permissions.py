"""Who may do what to a document. Permission names are declared once, here.

Roles are Django groups (model-level permissions); rights on one document or receipt are
django-guardian object permissions, granted by the services as the document moves on.
Every check goes through ``user.has_perm(perm, obj)`` so guardian's backend is consulted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import Group, User

    from .models import Document, Receipt

# Role groups (Django groups). Their names are data; these are the codes fixtures use.
GROUP_DRAFTERS = "Chuyên viên"
GROUP_SIGNERS = "Lãnh đạo Sở"
GROUP_CLERKS = "Văn thư"

ADD_DOCUMENT = "documents.add_document"  # model-level: drafters
VIEW_DOCUMENT = "documents.view_document"  # object-level
CHANGE_DOCUMENT = "documents.change_document"  # object-level, granted to the drafter
SIGN_OFF_DOCUMENT = "documents.sign_off_document"  # object-level, granted on submission
ISSUE_DOCUMENT = "documents.issue_document"  # model-level: the văn thư group
VIEW_RECEIPT = "documents.view_receipt"  # object-level, granted to the recipient unit's group
ACKNOWLEDGE_RECEIPT = "documents.acknowledge_receipt"  # object-level, idem


def _has_group(user: User, name: str) -> bool:
    return user.is_active and user.groups.filter(name=name).exists()


def is_signer(user: User) -> bool:
    """A leader of the body who may be chosen to sign documents."""
    return _has_group(user, GROUP_SIGNERS)


def is_clerk(user: User) -> bool:
    """A văn thư of the body."""
    return user.is_active and user.has_perm(ISSUE_DOCUMENT) and _has_group(user, GROUP_CLERKS)


# --- predicates ---------------------------------------------------------------


def can_create(user: User) -> bool:
    """Drafters (chuyên viên) create drafts."""
    return user.is_active and user.has_perm(ADD_DOCUMENT)


def can_edit(user: User, document: Document) -> bool:
    """The drafter edits their own draft, only while it is a draft or returned to them."""
    return (
        user.is_active
        and document.is_editable
        and document.drafter_id == user.pk
        and user.has_perm(CHANGE_DOCUMENT, document)
    )


def can_sign_off(user: User, document: Document) -> bool:
    """Only the Phó Giám đốc the draft was submitted to signs it off, while it waits."""
    return (
        user.is_active
        and document.status == document.Status.SUBMITTED
        and document.signer_id == user.pk
        and user.has_perm(SIGN_OFF_DOCUMENT, document)
    )


def can_issue(user: User, document: Document) -> bool:
    """Only a văn thư issues, and only a signed-off document."""
    return document.status == document.Status.SIGNED and is_clerk(user)


def can_acknowledge(user: User, receipt: Receipt) -> bool:
    """Only a member of the recipient unit acknowledges its receipt, once."""
    return (
        user.is_active
        and receipt.status == receipt.Status.PENDING
        and user.groups.filter(pk=receipt.unit.group_id).exists()
        and user.has_perm(ACKNOWLEDGE_RECEIPT, receipt)
    )


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


def ensure_can_issue(user: User, document: Document) -> None:
    if not is_clerk(user):
        raise PermissionDenied(_("Chỉ văn thư được cho số và ban hành văn bản."))
    if document.status != document.Status.SIGNED:
        raise PermissionDenied(_("Chỉ văn bản đã được ký duyệt mới được ban hành."))


def ensure_can_acknowledge(user: User, receipt: Receipt) -> None:
    if receipt.status != receipt.Status.PENDING:
        raise PermissionDenied(_("Đơn vị đã xác nhận nhận văn bản này."))
    if not can_acknowledge(user, receipt):
        raise PermissionDenied(_("Chỉ thành viên của đơn vị nhận được xác nhận văn bản này."))


# --- grants (the only guardian writes) ------------------------------------------


def grant_drafter(user: User, document: Document) -> None:
    assign_perm(VIEW_DOCUMENT, user, document)
    assign_perm(CHANGE_DOCUMENT, user, document)


def grant_signer(user: User, document: Document) -> None:
    assign_perm(VIEW_DOCUMENT, user, document)
    assign_perm(SIGN_OFF_DOCUMENT, user, document)


def revoke_signer(user: User, document: Document) -> None:
    remove_perm(SIGN_OFF_DOCUMENT, user, document)


def grant_recipient_unit(group: Group, receipt: Receipt) -> None:
    assign_perm(VIEW_RECEIPT, group, receipt)
    assign_perm(ACKNOWLEDGE_RECEIPT, group, receipt)
    assign_perm(VIEW_DOCUMENT, group, receipt.document)
