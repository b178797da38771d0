"""Settings of the test suite: the project's own, with what a test run needs and has not.

A throw-away secret key, plain-HTTP cookies (the live server of the browser tests speaks
HTTP) and static files read from the apps' folders, as no test run collects them first.
tests/test_production.py serves the collected files with the production settings instead.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
# Jobs run in-process, whatever the developer's shell says: a REDIS_URL left set would send
# the suite's jobs to a real Redis (tests/test_serve.py starts its own worker). Readable
# log lines in a failing test's captured output.
os.environ["REDIS_URL"] = ""
os.environ.setdefault("DJANGO_LOG_FORMAT", "text")

from config.settings import *  # noqa: E402, F403
from config.settings import AUTHENTICATION_BACKENDS, STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Axes watches every login through a request, as in production. Django's test client's
# `login()` authenticates without one, which axes' backend refuses outright; this one lets it
# through (there is no request whose address could be throttled) and is otherwise axes' own.
AUTHENTICATION_BACKENDS = [
    "config.testing.RequestOptionalAxesBackend" if backend.startswith("axes.") else backend
    for backend in AUTHENTICATION_BACKENDS
]
