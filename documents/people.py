"""How people are named: Vietnamese order, family name first ("Nguyễn Văn An").

Django's ``get_full_name`` puts the given name first ("An Nguyễn Văn"); use these instead.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser


def display_name(user: AbstractBaseUser | None) -> str:
    """Family and middle name (last_name) then given name (first_name); else the username."""
    if user is None:
        return ""
    name = f"{getattr(user, 'last_name', '')} {getattr(user, 'first_name', '')}".strip()
    return name or user.get_username()
