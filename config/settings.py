"""Settings for Văn thư, read from the environment through django-environ.

Every knob is listed in `.env.example`. Defaults are the safe ones: DEBUG off, SQLite in
`var/`, console e-mail. Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
DATABASE_URL (PostgreSQL) and runs `collectstatic`; a developer sets DJANGO_DEBUG=true.
The test suite uses `config.settings_test`, the demo script sets its own throw-away key.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from whitenoise.compress import Compressor

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # SQLite database and uploaded files on a single machine
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No default outside DEBUG: without DJANGO_SECRET_KEY Django refuses the first request that
# needs the key ("The SECRET_KEY setting must not be empty"), while commands that need no key
# (migrations, messages, collectstatic, mypy's plugin) still run.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key" if DEBUG else "")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # viewflow before the admin: its registration/ templates (password change and reset,
    # logged out) are the ones our users see, not the admin's.
    "viewflow",
    "viewflow.workflow",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "guardian",
    "simple_history",
    "axes",  # login throttling; after the apps whose authentication it watches
    "documents",
    "approvals",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",  # first: every log line of a request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "approvals.ui.middleware.ChosenLanguageMiddleware",  # Web UI: vi unless chosen
    "approvals.ui.middleware.BadInputMiddleware",  # NUL: 400; a URL id beyond 64 bits: 404
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Web UI: every page needs a login; viewflow's Site/App on request.resolver_match.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a locked-out login into our lockout page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vanthu.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite, the embedded default: writers queue instead of failing with "database is
    # locked". A transaction takes the write lock when it begins (IMMEDIATE), so two issuances
    # never both read and then both try to upgrade to a write (SQLite refuses one at once,
    # whatever the timeout); the loser waits up to `timeout` seconds (sqlite's busy timeout).
    # WAL lets pages be read while a write is in progress; synchronous=NORMAL is safe in WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out person is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords the login is refused
# for AXES_COOLOFF_TIME, and each further try restarts the wait. Locked per username *and* IP
# address together: an office reaches us from one NAT address, so locking by address alone would
# lock out every colleague after one person's typos, and locking by username alone would let
# anyone on the network lock a leader out of signing; a guesser still gets only a few tries per
# address. Behind a reverse proxy, set AXES_IPWARE_* so the client's address is read.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a successful login forgets the earlier typos
AXES_HTTP_RESPONSE_CODE = 429  # Too Many Requests, with our page (approvals.ui.lockout)
AXES_LOCKOUT_CALLABLE = "approvals.ui.lockout.lockout_response"
# The client's address: the connection's, unless behind the proxy (below, DJANGO_BEHIND_PROXY).
# Never a header a client can write itself, or a few X-Forwarded-For values undo the limit.
AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("REMOTE_ADDR",)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Ho_Chi_Minh")
# Vietnamese dates typed day first (config/formats/vi): Django's vi locale reads none.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"  # never served directly: downloads go through permission checks
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesFinder",  # minus viewflow's unused trees, see the module
]
# Whitenoise serves the collected files (hashed names, cached for ever) with gzip and brotli
# copies made by collectstatic. Not compressed, as no browser of ours downloads them: source maps
# (for developers) and the legacy font formats (browsers take woff2); brotli spent minutes there.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    *("map", "eot", "otf", "ttf"),
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="van-thu@stttt.binhphuoc.gov.vn")
# Web UI: the address put in notification e-mails (links back to the document).
VANTHU_SITE_URL = env.str("VANTHU_SITE_URL", default="http://127.0.0.1:8000")

# --- Digital signatures (ký số) [documents.signing, documents.signers, docs/signing.md] ---
# Who holds the keys: SIGNING_BACKEND for everyone, SIGNING_SIGNERS per username and
# SIGNING_AGENCY for the agency's seal override it. A mode name ("demo-files", "pkcs11",
# "csc") or JSON: '{"mode": "pkcs11", "module": "/usr/lib/...so", "token_label": "{username}",
# "key_label": "ky-so", "pin_file": "/etc/vanthu/pins/{username}"}'. PINs and API tokens come
# from pin_env/pin_file and token_env/token_file, never from here. "demo-files" (the default)
# reads the PEM files below, which `manage.py make_demo_pki` writes under var/pki/ for
# development and the demo; `check --deploy` warns about it (vanthu.W001).
SIGNING_DIR = env.path("SIGNING_DIR", default=str(VAR_DIR / "pki"))
_SIGNING_BACKEND = env.str("SIGNING_BACKEND", default="demo-files").strip()
SIGNING = {
    "BACKEND": (
        env.json("SIGNING_BACKEND") if _SIGNING_BACKEND.startswith("{") else _SIGNING_BACKEND
    ),
    "SIGNERS": env.json("SIGNING_SIGNERS", default={}),
    "AGENCY": env.json("SIGNING_AGENCY", default={}),
    # CA certificate(s) trusted when verifying signatures, one PEM bundle.
    "CA_CERT": env.str("SIGNING_CA_CERT", default=str(SIGNING_DIR("ca.crt.pem"))),
    # More trust anchors for verifying (documents/ltv.py, docs/ltv.md): PEM/DER files or
    # directories of them, comma-separated; the government roots (Root CA Chính phủ, Bộ
    # TT&TT) in real use. Verification trusts only CA_CERT, these and the chain in the file.
    "TRUST_ANCHORS": env.list("SIGNING_TRUST_ANCHORS", default=[]),
    # RFC 3161 time-stamping authority of the provider (http(s) URL); empty: no timestamps.
    "TSA_URL": env.str("SIGNING_TSA_URL", default=""),
    # PAdES level of new signatures: B-B, B-T, B-LT or B-LTA; empty: B-T with a TSA, else B-B.
    "LTV": env.str("SIGNING_LTV", default=""),
    # Whether checking a signature may fetch OCSP/CRL from the URLs in its certificates.
    "FETCH_REVOCATION": env.bool("SIGNING_FETCH_REVOCATION", default=False),
    # Signing mode "client": the signing service on the leader's own computer that the document
    # page asks to sign with their USB token (docs/signing.md, the adapter contract).
    "CLIENT_SERVICE_URL": env.str(
        "SIGNING_CLIENT_SERVICE_URL", default="http://127.0.0.1:8787/sign"
    ),
    # The audit trail's checkpoints must be signed by the agency's own certificate (its current
    # one is read from the agency's signer); after a renewal, list the earlier ones here (PEM
    # files) so that older checkpoints still verify (documents.trail, docs/security.md).
    "AUDIT_SEAL_CERTS": env.list("SIGNING_AUDIT_SEAL_CERTS", default=[]),
    # demo-files only, below.
    # <username>.key.pem and <username>.crt.pem (certificate, then its chain) per signer.
    "SIGNER_KEYS_DIR": env.str("SIGNING_SIGNER_KEYS_DIR", default=str(SIGNING_DIR("signers"))),
    # The agency's own key and certificate: its digital signature replaces the seal.
    "AGENCY_KEY": env.str("SIGNING_AGENCY_KEY", default=str(SIGNING_DIR("agency.key.pem"))),
    "AGENCY_CERT": env.str("SIGNING_AGENCY_CERT", default=str(SIGNING_DIR("agency.crt.pem"))),
    # Passphrase of the PEM private keys; empty: unencrypted (demo only).
    "KEY_PASSPHRASE": env.str("SIGNING_KEY_PASSPHRASE", default=""),
}

# --- Logging [config/logs.py] ------------------------------------------------
# To stderr, every record with the id of its request (X-Request-ID, echoed on the response;
# a job's records carry the id of the request that enqueued it). One JSON object per line in
# production (DEBUG off) for the log collector; DJANGO_LOG_FORMAT=text for plain lines.
LOGGING = logging_config(
    json=env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json") == "json",
    level=env.str("DJANGO_LOG_LEVEL", default="WARNING"),
)

# --- Background jobs: Celery on Redis [config/celery.py, config/jobs.py] --------
# REDIS_URL set (production: scripts/serve.sh, deploy/): services enqueue jobs in Redis and a
# Celery worker runs them; Celery beat runs the schedule. REDIS_URL unset (the demo, the test
# suite): every job runs in-process (eager) through the same functions, still only after the
# commit (config.jobs.after_commit), and its errors propagate to the caller.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://localhost/"  # never used; a host name keeps kombu quiet
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Reliability: a job is acknowledged when it has finished, not when a worker takes it, and is
# given back to the queue if its worker dies mid-way, so every job must be idempotent; each
# worker process holds one job at a time instead of prefetching four.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged job to another worker after this long: above the time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # no result backend: a job records its outcome on its row
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)  # raises
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)  # kills the process
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# The worker's heartbeat for /healthz (config.health): beat schedules it every
# VANTHU_HEARTBEAT_SECONDS; older than VANTHU_HEARTBEAT_MAX_AGE, the worker counts as down.
VANTHU_HEARTBEAT_SECONDS = env.float("VANTHU_HEARTBEAT_SECONDS", default=30)
VANTHU_HEARTBEAT_MAX_AGE = env.float("VANTHU_HEARTBEAT_MAX_AGE", default=120)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "config.health.heartbeat",
        "schedule": VANTHU_HEARTBEAT_SECONDS,
        "options": {"expires": VANTHU_HEARTBEAT_SECONDS},  # none pile up while workers are down
    },
    # A signed original whose job was lost with a worker killed outright is asked for again
    # after five minutes, instead of after the broker's visibility timeout (an hour).
    "requeue-overdue-originals": {
        "task": "documents.tasks.requeue_overdue_originals",
        "schedule": 120,
        "options": {"expires": 120},
    },
    # Reminders about the assignments' deadlines and escalation of overdue ones
    # (documents.followup.reminders). Every hour, not once a day: each reminder is sent once
    # per deadline (a unique row claimed before sending), so a run finds nothing to do once
    # the day's are sent, and a beat or worker down at 8:00 sends them at the next hour.
    "send-assignment-reminders": {
        "task": "documents.tasks.send_assignment_reminders",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
    # The audit trail's checkpoint (documents.trail.seal): the heads of the chains that moved,
    # signed by the agency, every day at 23:55 (CELERY_TIMEZONE: the agency's).
    "seal-audit-trail": {
        "task": "documents.tasks.seal_audit_trail",
        "schedule": crontab(hour=23, minute=55),
        "options": {"expires": 3600},
    },
}
# Reminders: a unit is reminded of its task this many working days before the deadline.
FOLLOWUP_REMIND_BEFORE_WORKING_DAYS = env.int("VANTHU_REMIND_BEFORE_WORKING_DAYS", default=3)
# Beat's record of when each entry last ran.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "VANTHU_BEAT_SCHEDULE_FILE", default=str(VAR_DIR / "celerybeat-schedule")
)

# --- Security (production) --------------------------------------------------
# Production is served over HTTPS only, and `manage.py check --deploy` passes with these
# defaults (docs/operations.md). DJANGO_SECURE_COOKIES=false says the site is served over plain
# HTTP (the demo and the production test on 127.0.0.1, the test suite): the other HTTPS-only
# settings then default to off too; each can still be set on its own.
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
    # A year of HSTS: once a browser has seen it, it refuses plain HTTP to this host (and its
    # subdomains) for that long. "preload" only allows a submission to the browsers' list.
    SECURE_HSTS_SECONDS = env.int(
        "DJANGO_HSTS_SECONDS", default=31536000 if SESSION_COOKIE_SECURE else 0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    if env.bool("DJANGO_BEHIND_PROXY", default=False):
        # Only behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto itself,
        # overwriting any the client sent: otherwise a client could claim HTTPS.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Login throttling counts per client address: behind the proxy every request comes
        # from it, and five wrong passwords from anyone would lock a leader out. The proxy
        # sets X-Forwarded-For to the client's address, overwriting any the client sent
        # (deploy/nginx-vanthu.conf), so axes reads it first.
        AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # The health check answers probes over plain HTTP on the server itself (config.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
