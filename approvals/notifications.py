"""Tell the people concerned that a document moved: an in-app notification, written in the
step's transaction, and an e-mail sent only after it commits.

A mail server that fails never blocks or undoes a workflow step: each e-mail is a job
enqueued after the commit (approvals.tasks.send_notification_email), which the worker tries
again with back-off while the server is down.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from documents import confidential
from documents.models import Document
from documents.permissions import GROUP_CLERKS

from . import selectors
from .models import Notification, NotificationReadMark

logger = logging.getLogger(__name__)


def in_office_language(function):
    """Notifications are stored and mailed in the office's language (settings.LANGUAGE_CODE),
    not in the language the person who triggered them happens to use."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def document_path(document: Document) -> str:
    return reverse("documents:document_detail", kwargs={"pk": document.pk})


def _label(document: Document) -> str:
    """The document as a message names it: nothing of a confidential one's content
    (documents.confidential)."""
    return confidential.safe_title(document)


def notify(
    *,
    users: Iterable[User | None],
    document: Document,
    kind: str,
    message: str,
    exclude: User | None = None,
    url: str = "",
) -> list[Notification]:
    """Record one notification per distinct active person, and mail them after commit.
    ``url``: the page it links to (default: the document's)."""
    recipients: dict[int, User] = {}
    for user in users:
        if user is None or not user.is_active:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        recipients.setdefault(user.pk, user)
    url = url or document_path(document)
    created = Notification.objects.bulk_create(
        Notification(recipient=user, document=document, kind=kind, message=message, url=url)
        for user in recipients.values()
    )
    _mail_after_commit([user.email for user in recipients.values()], message, url)
    return created


def notify_units(
    *, units: Iterable[int], document: Document, kind: str, message: str, url: str = ""
) -> list[Notification]:
    """Record one notification per unit, which each member reads on their own, and mail
    every active member after commit (once, though they belong to several of the units)."""
    unit_ids = sorted(set(units))
    url = url or document_path(document)
    created = Notification.objects.bulk_create(
        Notification(unit_id=unit_id, document=document, kind=kind, message=message, url=url)
        for unit_id in unit_ids
    )
    members = get_user_model().objects.filter(groups__unit__in=unit_ids, is_active=True)
    _mail_after_commit(list(members.values_list("email", flat=True).distinct()), message, url)
    return created


def _mail_after_commit(addresses: list[str], message: str, url: str) -> None:
    """One job per address after the commit (approvals.tasks.send_notification_email): the
    worker sends it, and tries again later while the mail server is down."""
    from config import jobs

    from . import tasks

    link = settings.VANTHU_SITE_URL.rstrip("/") + url
    for address in dict.fromkeys(address for address in addresses if address):
        jobs.after_commit(tasks.send_notification_email, address, message, link)


@in_office_language
def deliver_notification_email(address: str, message: str, link: str) -> None:
    """Send one e-mail; the mail server's error is raised (the job decides what to do)."""
    subject = _("[Văn thư] %(message)s") % {"message": message}
    body = _("%(message)s\n\nXem văn bản: %(link)s\n\nĐây là thư tự động của hệ thống Văn thư.") % {
        "message": message,
        "link": link,
    }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


def clerks() -> list[User]:
    return list(
        get_user_model().objects.filter(groups__name=GROUP_CLERKS, is_active=True).distinct()
    )


# --- one function per workflow step ------------------------------------------------
#
# A confidential document (Mật and above) is never named: its message says only what there is
# to do, nor quotes the comment made on it (documents.confidential). Its link leads to the
# page, where the visibility rule applies and the read is recorded.


@in_office_language
def submitted(document: Document, actor: User) -> None:
    if confidential.is_confidential(document):
        message = _("Bạn có văn bản mật chờ ký duyệt")
    else:
        message = _("Văn bản chờ anh/chị ký duyệt: %(doc)s") % {"doc": _label(document)}
    notify(
        users=[document.signer],
        document=document,
        kind=Notification.Kind.ASSIGNED,
        message=message,
    )


@in_office_language
def returned(document: Document, actor: User, comment: str) -> None:
    if confidential.is_confidential(document):
        message = _("Bạn có văn bản mật bị trả lại để chỉnh sửa")
    else:
        message = _("Văn bản bị trả lại để chỉnh sửa: %(doc)s. Ý kiến: %(comment)s") % {
            "doc": _label(document),
            "comment": comment,
        }
    notify(
        users=[document.drafter],
        document=document,
        kind=Notification.Kind.RETURNED,
        message=message,
    )


@in_office_language
def rejected(document: Document, actor: User, comment: str) -> None:
    if confidential.is_confidential(document):
        message = _("Bạn có văn bản mật không được duyệt")
    else:
        message = _("Văn bản không được duyệt: %(doc)s. Lý do: %(comment)s") % {
            "doc": _label(document),
            "comment": comment,
        }
    notify(
        users=[document.drafter],
        document=document,
        kind=Notification.Kind.REJECTED,
        message=message,
    )


@in_office_language
def signed_off(document: Document, actor: User) -> None:
    secret = confidential.is_confidential(document)
    notify(
        users=clerks(),
        document=document,
        kind=Notification.Kind.ASSIGNED,
        message=(
            _("Bạn có văn bản mật đã ký duyệt, chờ cho số và ban hành")
            if secret
            else _("Văn bản đã ký duyệt, chờ cho số và ban hành: %(doc)s")
            % {"doc": _label(document)}
        ),
    )
    notify(
        users=[document.drafter],
        document=document,
        kind=Notification.Kind.SIGNED_OFF,
        message=(
            _("Bạn có văn bản mật đã được ký duyệt")
            if secret
            else _("Văn bản đã được ký duyệt: %(doc)s") % {"doc": _label(document)}
        ),
    )


@in_office_language
def issued(document: Document, actor: User) -> None:
    secret = confidential.is_confidential(document)
    notify(
        users=[document.drafter, document.signer],
        document=document,
        kind=Notification.Kind.ISSUED,
        message=(
            _("Bạn có văn bản mật đã ban hành")
            if secret
            else _("Văn bản đã ban hành: %(doc)s") % {"doc": _label(document)}
        ),
        exclude=actor,
    )
    units = [receipt.unit_id for receipt in document.receipts.all()]
    notify_units(
        units=units,
        document=document,
        kind=Notification.Kind.DISTRIBUTED,
        message=(
            _("Đơn vị nhận được văn bản mật, đề nghị xác nhận đã nhận")
            if secret
            else _("Đơn vị nhận được văn bản, đề nghị xác nhận đã nhận: %(doc)s")
            % {"doc": _label(document)}
        ),
    )


@in_office_language
def handed_over(receipt, actor: User) -> None:
    if confidential.is_confidential(receipt.document):
        message = _(
            "Bạn có văn bản mật cần xử lý: được giao xác nhận đơn vị %(unit)s đã nhận văn bản"
        ) % {"unit": receipt.unit.name}
    else:
        message = _("Anh/chị được giao xác nhận đơn vị %(unit)s đã nhận văn bản: %(doc)s") % {
            "unit": receipt.unit.name,
            "doc": _label(receipt.document),
        }
    notify(
        users=[receipt.assignee],
        document=receipt.document,
        kind=Notification.Kind.ASSIGNED,
        message=message,
        exclude=actor,
    )


@in_office_language
def archived(document: Document) -> None:
    notify(
        users=[document.drafter],
        document=document,
        kind=Notification.Kind.ARCHIVED,
        message=(
            _("Mọi nơi nhận đã xác nhận, văn bản mật đã lưu trữ")
            if confidential.is_confidential(document)
            else _("Mọi nơi nhận đã xác nhận, văn bản đã lưu trữ: %(doc)s")
            % {"doc": _label(document)}
        ),
    )


@in_office_language
def recalled(document: Document, actor: User) -> None:
    """Every recipient unit (and the drafter) is told the document is recalled, with the
    reason; a confidential one is not named, nor its reason quoted."""
    if confidential.is_confidential(document):
        message = _("Văn bản mật đã bị thu hồi, đề nghị đơn vị xác nhận thu hồi")
    else:
        message = _("Văn bản đã bị thu hồi: %(doc)s. Lý do: %(reason)s") % {
            "doc": _label(document),
            "reason": document.recall_reason,
        }
    units = list(document.receipts.values_list("unit_id", flat=True))
    notify_units(units=units, document=document, kind=Notification.Kind.RECALLED, message=message)
    notify(
        users=[document.drafter, document.signer],
        document=document,
        kind=Notification.Kind.RECALLED,
        message=message,
        exclude=actor,
    )


@in_office_language
def superseded(old: Document, new: Document) -> None:
    """The old document's recipients are told that a correction or a replacement of it is
    issued (its link leads to the new one)."""
    correction = new.corrects_id == old.pk
    if confidential.is_confidential(old) or confidential.is_confidential(new):
        message = (
            _("Văn bản mật đã được đính chính") if correction else _("Văn bản mật đã được thay thế")
        )
    elif correction:
        message = _("Văn bản %(old)s đã được đính chính bởi %(new)s") % {
            "old": old.notation,
            "new": new.notation,
        }
    else:
        message = _("Văn bản %(old)s đã được thay thế bởi %(new)s") % {
            "old": old.notation,
            "new": new.notation,
        }
    units = list(old.receipts.values_list("unit_id", flat=True))
    # About the old document: its page names the new one (a link only if visible).
    notify_units(units=units, document=old, kind=Notification.Kind.SUPERSEDED, message=message)


def mark_read(*, user: User, ids: list[int]) -> int:
    """The person has read these notifications of theirs, and so every older one: their read
    mark moves up to the newest of them, never down. Returns the mark."""
    theirs = Notification.objects.filter(selectors.notification_for_q(user), pk__in=ids)
    newest = theirs.aggregate(newest=Max("pk"))["newest"]
    if newest is None:
        return selectors.notification_read_up_to(user)
    mark, _created = NotificationReadMark.objects.get_or_create(user=user)
    if newest <= mark.read_up_to:
        return mark.read_up_to
    # A conditional update: two pages read at once leave the higher mark.
    NotificationReadMark.objects.filter(user=user, read_up_to__lt=newest).update(read_up_to=newest)
    return max(newest, mark.read_up_to)
