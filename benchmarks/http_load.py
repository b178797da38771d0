"""The home page under HTTP load: gunicorn on 127.0.0.1 serving one benchmark database as
production runs (DEBUG off, collected static files), a bounded load generator (threads with
http.client, a real login's session cookie, a fixed duration and a request cap)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

from .environment import BENCH_DIR
from .organisation import PASSWORD

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or HOST
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def _environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "AXES_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-" + "x" * 40,
        DJANGO_SECURE_COOKIES="false",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(BENCH_DIR / "static"),
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DATABASE_URL=_database_url(),
        EMAIL_URL="dummymail://",
    )
    return env


def _get(port: int, path: str, cookies: dict[str, str]) -> tuple[int, bytes, list]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        conn.close()


def _cookies(headers: list, jar: dict[str, str]) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]


def login(port: int, username: str) -> dict[str, str]:
    """A session cookie from the real login form (CSRF token included)."""
    jar: dict[str, str] = {}
    status, body, headers = _get(port, "/accounts/login/", jar)
    _cookies(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"login page answered {status}")
    form = urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
    )
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response.getheaders(), jar)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login as {username} failed ({response.status})")
    return jar


def _wait_ready(port: int, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            if _get(port, "/accounts/login/", {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def run(
    *,
    path: str = "/documents/",
    username: str = "vanthu",
    duration: float = 15.0,
    concurrency: int = 4,
    cap: int = 5000,
    workers: int | None = None,
) -> dict:
    """Requests per second and latency of one page under ``concurrency`` clients."""
    workers = workers or os.cpu_count() or 2
    env = _environment()
    root = Path(settings.BASE_DIR)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=root,
        env=env,
        check=True,
        timeout=600,
    )
    port = _free_port()
    connection.close()
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
    )
    try:
        _wait_ready(port, server, time.monotonic() + 60)
        jar = login(port, username)
        for _ in range(3):  # warm every worker a little
            _get(port, path, jar)
        return _load(port, path, jar, duration, concurrency, cap) | {
            "path": path,
            "user": username,
            "workers": workers,
            "concurrency": concurrency,
            "duration_s": duration,
            "cap": cap,
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _load(port, path, jar, duration, concurrency, cap) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) >= cap:
                    return
            started = time.perf_counter()
            try:
                status = _get(port, path, jar)[0]
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else None
    return {
        "requests": len(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_s": round(wall, 1),
        "requests_per_second": round(len(latencies) / wall, 1) if wall else None,
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(p95 * 1000, 1) if p95 is not None else None,
    }
