"""config.jobs.after_commit: a job is enqueued only once its step has committed.

The suite runs without REDIS_URL, so jobs run in-process (eager), as in the demo."""

from __future__ import annotations

import pytest
from django.db import transaction

from config import celery_app
from config.jobs import after_commit

ran: list[tuple] = []


@celery_app.task(name="tests.test_jobs.remember")
def remember(*args, **kwargs):
    ran.append((args, kwargs))


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    """In-process, as with REDIS_URL unset, whatever the developer's environment says."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)
    ran.clear()
    yield
    ran.clear()


class Refused(Exception):
    pass


def test_without_redis_url_jobs_run_in_process(settings):
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set in this environment")
    assert settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_TASK_EAGER_PROPAGATES
    assert settings.CELERY_BROKER_URL.startswith("memory://")


@pytest.mark.django_db
def test_nothing_runs_before_the_commit_and_the_job_runs_after_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        after_commit(remember, 7, reason="issued")
        assert ran == []  # still inside the transaction
    assert len(callbacks) == 1
    assert ran == [((7,), {"reason": "issued"})]


@pytest.mark.django_db
def test_a_rolled_back_step_enqueues_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        after_commit(remember, 8)
        raise Refused
    assert callbacks == []
    assert ran == []


@pytest.mark.django_db(transaction=True)
def test_the_job_runs_once_the_real_transaction_commits():
    with transaction.atomic():
        after_commit(remember, 9)
        assert ran == []
    assert ran == [((9,), {})]
