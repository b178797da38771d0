"""/healthz (config.health) and the request id of every request and log line (config.logs),
through Django's test client on the suite's database."""

from __future__ import annotations

import json
import logging
import socket

import pytest
import redis
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter

from config.health import HEARTBEAT_KEY, heartbeat
from config.logs import RequestIdFilter, bind_request_id, logging_config, unbind_request_id

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"  # a db of its own; the tests delete only their key


@pytest.fixture
def no_redis(settings):
    settings.REDIS_URL = ""


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_healthz_answers_200_with_database_and_storage_checks_and_no_login(client, no_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "storage": {"ok": True}},
    }
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie: a probe leaves nothing behind


@pytest.mark.django_db
def test_healthz_answers_head_and_refuses_post(client, no_redis):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_storage_when_media_root_is_not_writable(
    client, no_redis, tmp_path
):
    # Below a plain file no directory can be made, whoever runs the tests (root ignores the
    # permission bits of a read-only directory).
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with override_settings(MEDIA_ROOT=str(blocker / "media")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["error"]  # the error's type only: the page is public
    assert str(tmp_path) not in response.content.decode()


@pytest.mark.django_db
def test_healthz_checks_redis_and_the_worker_heartbeat_when_redis_is_configured(client, settings):
    if not redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    settings.REDIS_URL = REDIS_TEST_URL
    with redis.Redis.from_url(REDIS_TEST_URL) as server:
        server.delete(HEARTBEAT_KEY)
        try:
            response = client.get("/healthz")
            assert response.status_code == 503  # no worker has written its heartbeat yet
            checks = response.json()["checks"]
            assert checks["redis"] == {"ok": True}
            assert checks["worker"] == {
                "ok": False,
                "error": "no heartbeat yet",
                "age_seconds": None,
            }

            heartbeat()  # what a worker runs when beat schedules it
            response = client.get("/healthz")
            assert response.status_code == 200
            worker = response.json()["checks"]["worker"]
            assert worker["ok"] is True and 0 <= worker["age_seconds"] < 5

            settings.VANTHU_HEARTBEAT_MAX_AGE = 0  # a heartbeat too old: the worker is down
            response = client.get("/healthz")
            assert response.status_code == 503
            assert response.json()["checks"]["worker"]["ok"] is False
        finally:
            server.delete(HEARTBEAT_KEY)


@pytest.mark.django_db
def test_healthz_names_redis_when_it_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["storage"]["ok"]
    assert checks["redis"]["ok"] is False and checks["worker"]["ok"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["abc-123", "A" * 64, "0f1e2d3c4b5a69788796a5b4c3d2e1f0"])
def test_a_sane_request_id_is_echoed(client, no_redis, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    assert response["X-Request-ID"] == sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent", ["", "A" * 65, "has space", "new\nline", "semi;colon", "ünicode", "a_b", "x/../y"]
)
def test_an_insane_request_id_is_replaced_by_a_new_one(client, no_redis, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent} if sent else {})
    echoed = response["X-Request-ID"]
    assert echoed != sent
    assert len(echoed) == 32 and all(c in "0123456789abcdef" for c in echoed)  # uuid4 hex


@pytest.mark.django_db
def test_every_request_gets_its_own_id(client, no_redis):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] != second["X-Request-ID"]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.mark.django_db
def test_log_records_of_a_request_carry_its_id(client, no_redis, tmp_path):
    handler = Collect()
    logger = logging.getLogger()
    logger.addHandler(handler)
    try:
        client.post("/healthz", headers={"X-Request-ID": "req-42"})  # 405, logged by the view
        with override_settings(MEDIA_ROOT=str(tmp_path / "file")):
            (tmp_path / "file").write_text("")
            # 503: the failed check logged by the view, the answer by Django's handler after
            # the middleware has returned
            client.get("/healthz", headers={"X-Request-ID": "req-43"})
        client.get("/healthz")
    finally:
        logger.removeHandler(handler)
    assert [(r.name, r.request_id) for r in handler.records] == [
        ("django.request", "req-42"),
        ("config.health", "req-43"),
        ("django.request", "req-43"),
    ]
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "outside", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_production_log_lines_are_json_with_the_request_id():
    config = logging_config(json=True, level="INFO")
    assert config["handlers"]["console"]["formatter"] == "json"
    options = {k: v for k, v in config["formatters"]["json"].items() if k != "()"}
    formatter = JsonFormatter(**options)
    record = logging.LogRecord(
        "vanthu.test", logging.WARNING, __file__, 1, "xin chào %s", ("An",), None
    )
    token = bind_request_id("req-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        unbind_request_id(token)
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING" and line["logger"] == "vanthu.test"
    assert line["message"] == "xin chào An" and line["request_id"] == "req-7"
    assert "time" in line
    assert logging_config(json=False, level="INFO")["handlers"]["console"]["formatter"] == "text"
