"""`/healthz` for the load balancer and the monitoring: JSON, no login, no session.

200 when every check passes, 503 otherwise, always with each check's result:
- database: a `SELECT 1` on the default database;
- storage: a file written to and deleted from the default storage (DJANGO_MEDIA_ROOT);
- redis (with REDIS_URL only): PING;
- worker (with REDIS_URL only): the age of the heartbeat the Celery worker writes to Redis
  when beat schedules it (every VANTHU_HEARTBEAT_SECONDS), healthy under
  VANTHU_HEARTBEAT_MAX_AGE seconds: it proves beat, the broker and a worker all work.
Errors answer with their type only (the full error goes to the log), as the page is public.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from celery import shared_task
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)
HEARTBEAT_KEY = "vanthu:worker-heartbeat"
Check = dict[str, Any]


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


@shared_task(name="config.health.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by a worker when beat schedules it: the time it ran, for /healthz."""
    with _redis() as client:
        client.set(HEARTBEAT_KEY, repr(time.time()), ex=24 * 3600)


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_storage() -> Check:
    name = default_storage.save(f"healthz-{uuid.uuid4().hex}.tmp", ContentFile(b"ok"))
    default_storage.delete(name)
    return {"ok": True}


def check_redis() -> Check:
    with _redis() as client:
        client.ping()
    return {"ok": True}


def check_worker() -> Check:
    with _redis() as client:
        value = client.get(HEARTBEAT_KEY)
    if value is None:
        return {"ok": False, "error": "no heartbeat yet", "age_seconds": None}
    age = round(max(0.0, time.time() - float(value)), 1)
    return {"ok": age < settings.VANTHU_HEARTBEAT_MAX_AGE, "age_seconds": age}


def _run(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as error:  # any failure is the answer, never a 500
        logger.warning("health check %s failed", name, exc_info=True)
        return {"ok": False, "error": type(error).__name__}


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Is this installation able to serve and to run its jobs? (200 yes, 503 no)"""
    checks: dict[str, Callable[[], Check]] = {
        "database": check_database,
        "storage": check_storage,
    }
    if settings.REDIS_URL:
        checks |= {"redis": check_redis, "worker": check_worker}
    results = {name: _run(name, check) for name, check in checks.items()}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
