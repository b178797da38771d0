"""Computed columns of viewflow's list views, labelled the way viewflow reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Method = TypeVar("Method", bound=Callable[..., object])


def column(header: StrOrPromise, *, orderby: str | None = None) -> Callable[[Method], Method]:
    """Give a list view's method its column header (and the field that sorts it). viewflow's
    DataSourceColumn reads ``short_description`` and ``orderby_column``, like the admin's
    attributes; viewflow has no ``@admin.display`` of its own."""

    def labelled(method: Method) -> Method:
        # attr-defined: function attributes that only the framework reads, as in the admin.
        method.short_description = header  # type: ignore[attr-defined]
        if orderby is not None:
            method.orderby_column = orderby  # type: ignore[attr-defined]
        return method

    return labelled
