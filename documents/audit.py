"""Writing the event log. Every service calls ``record`` in its own transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from .models import Document, Event


def role_of(user: User | None) -> str:
    """The role a person acted in, as shown in the timeline: their position and unit."""
    if user is None:
        return "Hệ thống"
    from .permissions import profile_of  # unit and position in one query, kept on the user

    profile = profile_of(user)
    if profile is None:
        return ""
    return f"{profile.position.name}, {profile.unit.name}"


def record(
    *,
    document: Document,
    actor: User | None,
    kind: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the document's log."""
    return Event.objects.create(
        document=document,
        actor=actor,
        role=role_of(actor),
        kind=kind,
        comment=comment,
        data=data or {},
    )
