"""Template data of the registers (Phụ lục IV): whether the menu offers them."""

from __future__ import annotations

from django import template

from documents.records import registers

register = template.Library()


@register.filter
def may_view_registers(user) -> bool:
    """The agency's văn thư and leaders (documents.records.registers.can_view_registers)."""
    return bool(user and user.is_authenticated and registers.can_view_registers(user))
