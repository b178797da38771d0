"""The Celery application "vanthu": settings from Django's (CELERY_*), jobs from each app's
tasks.py, and the worker's heartbeat (config.health).

With REDIS_URL set the jobs go through Redis to `celery -A config worker`, and
`celery -A config beat` runs settings.CELERY_BEAT_SCHEDULE; without it they run in-process
(eager), through the same functions. Enqueue from a service with config.jobs.after_commit.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

from config.logs import bind_request_id, current_request_id, unbind_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vanthu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# config is no app, so autodiscovery does not see its tasks: the heartbeat is named here.
app.conf.imports = ("config.health",)

# The request id of the request that enqueued a job travels in the message's headers, and
# the worker's log lines of that job carry it (config.logs).
REQUEST_ID_HEADER = "vanthu_request_id"
_tokens: dict[str, Any] = {}


@signals.setup_logging.connect
def _keep_django_logging(**kwargs: Any) -> None:
    """The worker and beat log through settings.LOGGING (JSON lines), not Celery's own setup."""


@signals.before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@signals.task_prerun.connect
def _adopt_request_id(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    )
    if request_id:
        _tokens[task_id] = bind_request_id(str(request_id))


@signals.task_postrun.connect
def _drop_request_id(task_id: str = "", **kwargs: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        unbind_request_id(token)
