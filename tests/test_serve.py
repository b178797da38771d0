"""scripts/serve.sh, for real: gunicorn, the Celery worker and Celery beat against PostgreSQL
and Redis, healthy by /healthz, stopped cleanly by SIGTERM, all stopped when one dies.

Each run gets a scratch PostgreSQL database (vanthu_serve_<hex>, dropped afterwards) and
Redis db 5 (emptied before and after; nothing else is touched). Skipped when PostgreSQL or
Redis does not answer at 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings

# Independent of the test database's backend: CI runs it in the SQLite pass only.
pytestmark = pytest.mark.once

BASE = Path(settings.BASE_DIR)
SERVE = BASE / "scripts" / "serve.sh"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/5"
START_DEADLINE = 240  # seconds; a safety net against a hung child, never a speed assertion
STOP_DEADLINE = 90
REAPED_WITHIN = 5  # seconds for the last grandchild to be gone once serve.sh has exited


def reachable(redis_url: str = REDIS_URL) -> str | None:
    """Why the services are not usable, or None."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at 127.0.0.1:5432 ({type(error).__name__})"
    try:
        with redis.Redis.from_url(redis_url, socket_connect_timeout=3) as server:
            server.ping()
    except redis.RedisError as error:
        return f"Redis is not reachable at 127.0.0.1:6379 ({type(error).__name__})"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren…), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(")")[2].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextlib.contextmanager
def scratch_installation(
    directory: Path, *, prefix: str = "vanthu_serve", redis_url: str = REDIS_URL
) -> Iterator[dict[str, str]]:
    """A scratch PostgreSQL database (``<prefix>_<hex>``), a Redis db emptied (db 5 unless
    ``redis_url`` names another), folders under ``directory``, and the environment of a
    production server on them; all dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with redis.Redis.from_url(redis_url) as server:
        server.flushdb()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "AXES_", "VANTHU_", "SIGNING_", "EMAIL_URL")
        )
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1, as the demo
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
            "REDIS_URL": redis_url,
            "DJANGO_STATIC_ROOT": str(directory / "static"),
            "DJANGO_MEDIA_ROOT": str(directory / "media"),
            "SIGNING_DIR": str(directory / "pki"),
            "VANTHU_BEAT_SCHEDULE_FILE": str(directory / "celerybeat-schedule"),
            "VANTHU_HEARTBEAT_SECONDS": "1",  # instead of 30: healthy within seconds
            "WEB_CONCURRENCY": "2",
            "DJANGO_LOG_LEVEL": "INFO",
            "EMAIL_URL": "dummymail://",
            "PYTHONUNBUFFERED": "1",
        }
    )
    try:
        yield env
    finally:
        with redis.Redis.from_url(redis_url) as server:
            server.flushdb()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A scratch installation (scratch_installation) for serve.sh."""
    reason = reachable()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("serve")
    with scratch_installation(directory) as env:
        yield env, directory


class Served:
    """scripts/serve.sh running in its own session, its output in a file."""

    def __init__(self, env: dict[str, str], directory: Path):
        self.port = free_port()
        self.env = {**env, "VANTHU_BIND": f"127.0.0.1:{self.port}"}
        self.static_root = Path(env["DJANGO_STATIC_ROOT"])
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"serve-{self.port}.log"
        self.output = self.log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [str(SERVE)],
            cwd=BASE,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_healthy(self) -> dict:
        """/healthz answering 200, every check ok, the worker's heartbeat included."""
        deadline = time.monotonic() + START_DEADLINE
        last = None
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve.sh exited early:\n{self.text()[-4000:]}"
            try:
                status, _headers, body = get(f"{self.base}/healthz")
                last = (status, body)
                if status == 200:
                    return json.loads(body)
            except OSError:
                pass  # not listening yet
            time.sleep(0.5)
        raise AssertionError(f"never healthy; last answer {last}\n{self.text()[-4000:]}")

    def children(self) -> dict[int, str]:
        return {pid: command(pid) for pid in descendants(self.process.pid)}

    def close(self):
        if self.process.poll() is None:  # a failed test: leave nothing running
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.output.close()


@pytest.fixture
def served(installation):
    env, directory = installation
    with redis.Redis.from_url(REDIS_URL) as broker:
        broker.flushdb()  # no heartbeat but this run's counts
    server = Served(env, directory)
    try:
        yield server
    finally:
        server.close()


@pytest.mark.slow
def test_serve_runs_web_worker_and_beat_healthy_and_stops_them_all_on_sigterm(served):
    started = time.monotonic()
    health = served.wait_healthy()
    assert health["status"] == "ok"
    assert set(health["checks"]) == {"database", "storage", "redis", "worker"}
    assert all(check["ok"] for check in health["checks"].values())
    assert health["checks"]["worker"]["age_seconds"] < 120
    print(f"\nserve.sh healthy after {time.monotonic() - started:.1f}s")

    # The login page over real HTTP, from gunicorn, its request id in the access log.
    status, headers, body = get(f"{served.base}/accounts/login/", {"X-Request-ID": "serve-42"})
    assert status == 200
    assert 'name="password"' in body
    assert headers["X-Request-ID"] == "serve-42"
    # A static file collected by serve.sh, served by whitenoise through gunicorn.
    manifest = json.loads((served.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    status, headers, _body = get(f"{served.base}/static/{hashed}")
    assert status == 200 and "immutable" in headers["Cache-Control"]

    # A job enqueued under a request id logs that id on the worker (Celery message headers).
    enqueue = (
        "from config.logs import bind_request_id; from config.health import heartbeat; "
        "bind_request_id('job-from-req-7'); heartbeat.delay()"
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", enqueue],
        cwd=BASE,
        env=served.env,
        check=True,
        capture_output=True,
        timeout=60,
    )

    children = served.children()
    commands = list(children.values())
    assert sum("gunicorn" in c for c in commands) >= 3, commands  # the master and 2 workers
    assert any(" worker" in c for c in commands if "celery" in c), commands
    assert any(" beat" in c for c in commands if "celery" in c), commands

    deadline = time.monotonic() + 30
    while "job-from-req-7" not in served.text() and time.monotonic() < deadline:
        time.sleep(0.5)
    job_lines = [
        json.loads(line)
        for line in served.text().splitlines()
        if line.startswith("{") and "job-from-req-7" in line
    ]
    assert any(line["logger"] == "celery.app.trace" for line in job_lines), served.text()[-3000:]
    assert "request_id=serve-42" in served.text()  # gunicorn's access log line

    stopping = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=STOP_DEADLINE) == 0, served.text()[-3000:]
    deadline = time.monotonic() + REAPED_WITHIN
    while any(running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: cmd for pid, cmd in children.items() if running(pid)}
    assert not left, f"still running after serve.sh stopped: {left}"
    print(f"stopped in {time.monotonic() - stopping:.1f}s")
    assert "serve.sh: stopped" in served.text()


@pytest.mark.slow
def test_serve_stops_the_others_and_fails_when_one_of_them_dies(served):
    served.wait_healthy()
    children = served.children()
    beat = next(pid for pid, cmd in children.items() if "celery" in cmd and " beat" in cmd)
    os.kill(beat, signal.SIGKILL)
    assert served.process.wait(timeout=STOP_DEADLINE) != 0
    deadline = time.monotonic() + REAPED_WITHIN
    while any(running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: cmd for pid, cmd in children.items() if running(pid)}
    assert not left, f"still running after serve.sh stopped: {left}"
    assert f"beat (pid {beat}) exited" in served.text()


def test_serve_refuses_to_start_without_the_database_or_redis(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")
    }
    for missing, given in (("DATABASE_URL", {}), ("REDIS_URL", {"DATABASE_URL": "postgres://x/y"})):
        done = subprocess.run(  # noqa: S603
            [str(SERVE)],
            cwd=BASE,
            env={**env, **given},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2
        assert f"{missing} is not set" in done.stderr
        assert "Refusing to start" in done.stderr
