"""Arguments shared by the management commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

DATE_FORMAT = "%d/%m/%Y"


def day(value: object) -> dt.date | None:
    """A date typed day first (dd/mm/yyyy), as everywhere in Văn thư; None when not given.
    Anything else stops the command with a clear message (exit code 1)."""
    if value is None:
        return None
    try:
        return dt.datetime.strptime(str(value).strip(), DATE_FORMAT).date()
    except ValueError as error:
        raise CommandError(
            _("Ngày không hợp lệ: %(value)s (cần dạng dd/mm/yyyy, ví dụ 31/12/2020).")
            % {"value": value}
        ) from error
