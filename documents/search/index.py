"""Placeholder: the search helper replaces this module."""

from __future__ import annotations


def write_entry(document) -> None:
    return None
