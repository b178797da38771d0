"""Enqueueing background jobs from the services."""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction


def after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task.delay(*args, **kwargs)` once the current transaction has committed.

    A job therefore never reads rows its step has not committed yet, and a step that rolls
    back enqueues nothing. Outside a transaction it is enqueued at once. With REDIS_URL unset
    (the demo, the test suite) the job runs in-process right after the commit, the same
    function as on a worker; a test sees it run inside `django_capture_on_commit_callbacks
    (execute=True)` (the test's own transaction never commits). An error while enqueueing
    (Redis down after Celery's retries) is raised to the caller, after the commit.

    Every job must be safe to run twice and at any later time, as a worker may die mid-way
    and the job is then given again (acks late): take ids, not objects; start by locking the
    row (`select_for_update()` inside `transaction.atomic()`), re-read its state, and return
    without doing anything when the work is already done or no longer wanted.
    """
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
