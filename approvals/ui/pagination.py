"""Lists that cost the same at 1,000 and at 100,000 rows.

Django's paginator counts every row of the list (``SELECT COUNT(*)`` over the whole visible
set) on each page, and its last page skips every row before it: both grow with the data.
``CappedPaginator`` counts at most ``CAP`` rows (a ``COUNT`` over ``LIMIT CAP + 1``): a list
longer than that shows "hơn 1.000" and pages up to the cap, the newest rows first; older
ones are reached through the list's filters (year, type, unit, status) and search, which
narrow the list below the cap.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.utils.formats import get_format
from django.utils.translation import gettext as _

CAP = 1000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def _counted(self) -> int:
        """Rows counted, at most cap + 1 (one more tells that the list goes on)."""
        rows = self.object_list
        count_up_to = getattr(rows, "count_up_to", None)
        if count_up_to is not None:
            return count_up_to(self.cap + 1)
        # Any cap + 1 rows tell the same: counted in no order, the database may take them
        # from whichever index finds them first.
        head = (rows.order_by() if hasattr(rows, "order_by") else rows)[: self.cap + 1]
        count = getattr(head, "count", None)
        if callable(count) and not isinstance(head, list | tuple):
            return count()
        return len(head)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the count shown is a floor."""
        return self._counted > self.cap

    @property
    def count_label(self) -> str:
        """The count as shown: "1.000", or "hơn 1.000" when capped (Vietnamese grouping)."""
        # Grouped by thousands in the language's way (1.000 / 1,000): Django's number_format
        # groups only where the locale sets NUMBER_GROUPING, which Vietnamese does not.
        number = f"{self.count:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
        return _("hơn %(count)s") % {"count": number} if self.capped else number
