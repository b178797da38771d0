"""Printed copies carry the system's mark (Phụ lục VI, 6i): who printed, when, from Văn thư."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from ..people import display_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def mark_text(user: User, at: dt.datetime | None = None) -> str:
    """'In từ hệ thống Văn thư — Nguyễn Văn A — 14:05 30/11/2026': one line for a page's foot."""
    at = timezone.localtime(at or timezone.now())
    return _("In từ hệ thống Văn thư — %(name)s — %(time)s") % {
        "name": display_name(user),
        "time": at.strftime("%H:%M %d/%m/%Y"),
    }
