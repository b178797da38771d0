"""One transaction per step.

A service of documents is one transaction when it is called on its own (a page, a command, a
test). Inside a workflow step (approvals.services: the flow lock's transaction around the
task and the documents' services together) it is a part of the step's transaction without a
savepoint of its own: a step is undone whole, so a nested savepoint would cost two statements
and protect nothing.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from django.db import transaction

_in_step: contextvars.ContextVar[bool] = contextvars.ContextVar("vanthu_in_step", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def step() -> Iterator[None]:
    """Inside the step's transaction (the caller's atomic block, which undoes the step whole
    on error): the services called here join it instead of opening savepoints."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a workflow step runs inside its transaction")
    token = _in_step.set(True)
    try:
        yield
    finally:
        _in_step.reset(token)


def in_step() -> bool:
    return _in_step.get()


def service(function: Callable[P, R]) -> Callable[P, R]:
    """The decorated service runs in its own transaction, or in the step's (see above)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(savepoint=not _in_step.get()):
            return function(*args, **kwargs)

    return wrapper
