"""Page timings: every main page, for each role, at each data size, sizes interleaved.

Django's test client in this process (no network, no server): what is measured is the view,
its queries and its template. Each (size, role) has its own signed-in client; each round
requests every page once per size, so a slow minute of a shared machine hits all sizes alike.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from documents.models import Document
from documents.selectors import document_list_visible_to

from .environment import Backend

ROLES = {
    "chuyenvien": "chuyên viên (drafter)",
    "phogiamdoc": "phó giám đốc (signer)",
    "vanthu": "văn thư (clerk)",
    "chanhvanphong": "head of a recipient unit (Văn phòng)",
    "giamdoc": "giám đốc",
}


def _detail(user: User) -> str:
    """The newest archived document the person may see (its whole trail), else any."""
    visible = document_list_visible_to(user).order_by("-created_at", "-pk")
    document = visible.filter(status=Document.Status.ARCHIVED).first() or visible.first()
    if document is None:
        return ""
    return reverse("documents:document_detail", kwargs={"pk": document.pk})


# name → a fixed path, or a function of the person giving one ("" : nothing to show).
PAGES: dict[str, str | Callable[[User], str]] = {
    "Việc của tôi": "/documents/",
    "documents p1": "/documents/van-ban/",
    "documents issued": "/documents/van-ban/?status=issued",
    "documents last page": "/documents/van-ban/?page=last",
    "document detail": _detail,
    "receipts": "/documents/phieu-nhan/",
    "notifications": "/documents/thong-bao/",
    "inbox": "/document/inbox/",
    "queue": "/document/queue/",
    "archive": "/document/archive/",
    "tasks": "/document/tasks/",
    "flows": "/document/flows/",
}


@dataclass
class Series:
    page: str
    role: str
    size: int
    path: str
    statuses: set[int] = field(default_factory=set)
    queries: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    bytes: int = 0

    def summary(self) -> dict:
        times = sorted(self.seconds)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else None
        return {
            "page": self.page,
            "role": self.role,
            "size": self.size,
            "path": self.path,
            "status": sorted(self.statuses),
            "queries": max(self.queries) if self.queries else None,
            "queries_min": min(self.queries) if self.queries else None,
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "p95_ms": round(p95 * 1000, 1) if p95 is not None else None,
            "requests": len(times),
            "bytes": self.bytes,
        }


class QueryCounter:
    """Counts every query (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _request(client: Client, path: str) -> tuple[int, int, float, int]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    return response.status_code, counter.count, elapsed, len(response.content)


def measure(
    backend: Backend | None,
    databases: dict[int, str],
    *,
    repeats: int = 30,
    roles: list[str] | None = None,
    pages: list[str] | None = None,
) -> list[dict]:
    """``repeats`` timed requests of every page for every role at every size, interleaved.
    Without a backend, the one size is measured on the current connection (the smoke test)."""
    roles = roles or list(ROLES)
    pages = pages or list(PAGES)
    clients: dict[tuple[int, str], Client] = {}
    series: dict[tuple[int, str, str], Series] = {}
    for size, name in databases.items():
        if backend is not None:
            backend.use(name)
        for role in roles:
            user = User.objects.get(username=role)
            client = Client(raise_request_exception=False)  # a failing page: its 500
            client.force_login(user)
            clients[(size, role)] = client
            for page in pages:
                target = PAGES[page]
                path = target(user) if callable(target) else target
                series[(size, role, page)] = Series(page, role, size, path)
    total = (repeats + 1) * len(series)
    done, started = 0, time.perf_counter()
    for round_number in range(repeats + 1):  # round 0 warms up (templates, caches)
        for size, name in databases.items():
            if backend is not None:
                backend.use(name)
            for role in roles:
                for page in pages:
                    entry = series[(size, role, page)]
                    done += 1
                    if not entry.path:
                        continue
                    status, queries, elapsed, size_bytes = _request(
                        clients[(size, role)], entry.path
                    )
                    if round_number:
                        entry.statuses.add(status)
                        entry.queries.append(queries)
                        entry.seconds.append(elapsed)
                        entry.bytes = size_bytes
            sys.stderr.write(
                f"\rpages: round {round_number}/{repeats}, {done}/{total} requests, "
                f"{time.perf_counter() - started:,.0f} s "
            )
    sys.stderr.write("\n")
    return [entry.summary() for entry in series.values()]
