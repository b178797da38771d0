"""Request ids in the logs: one id per request, on its response and on every log record.

`RequestIdMiddleware` takes the client's (or the proxy's) `X-Request-ID` when it is sane
(at most 64 characters of letters, digits and '-'), otherwise makes a uuid4 hex; it answers
with it in `X-Request-ID` and keeps it in a context variable for the request. The
`RequestIdFilter` of the log handlers (settings.LOGGING) copies it onto every record as
`request_id` ("-" outside a request). config.celery passes it to the jobs a request enqueues.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from logging import Filter, LogRecord
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9-]{1,64}")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request (or job) being handled in this context, if any."""
    return _current.get()


def bind_request_id(value: str | None) -> Any:
    """Make `value` the current id; returns the token `unbind_request_id` takes."""
    return _current.set(value)


def unbind_request_id(token: Any) -> None:
    _current.reset(token)


def sane_request_id(value: str | None) -> str:
    """The client's id when it is safe to log and echo, otherwise a new one."""
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every log line of the request carries its id.

    The id stays bound until the response is closed (request_finished): Django logs a 4xx or
    5xx answer ("Not Found: …") after the middleware has returned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        request_finished.connect(_forget_request_id, dispatch_uid="config.logs.request_id")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(HEADER))
        bind_request_id(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget_request_id(**kwargs: Any) -> None:
    _current.set(None)


class RequestIdFilter(Filter):
    """Adds `request_id` to every record the handler emits ("-" outside a request)."""

    def filter(self, record: LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """settings.LOGGING: one JSON object per line (production), or plain text lines."""
    formatters = {
        # python-json-logger: the named fields, then any `extra=` of the call and the traceback.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message", "request_id"],
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
