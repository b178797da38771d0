#!/usr/bin/env bash
# Set up Văn thư on SQLite with the demo organisation and the seed plan, and serve it on
# http://127.0.0.1:8000 (log in as chuyenvien, phogiamdoc, vanthu, congan…; password vanthu@2026).
#
# The demo runs as production does: DEBUG off (no debug page is ever shown), the static files
# collected and served by whitenoise. Only two things are the demo's own: a secret key made
# once and kept in var/demo-secret-key, and plain HTTP on 127.0.0.1: cookies without the Secure
# flag, no redirect to HTTPS, no HSTS (production's settings, docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
mkdir -p var
if [ ! -s var/demo-secret-key ]; then
  (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" >var/demo-secret-key)
fi
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(cat var/demo-secret-key)}"
export DJANGO_SECURE_COOKIES=false
export DJANGO_SSL_REDIRECT=false
export DJANGO_HSTS_SECONDS=0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py migrate -v0
# The organisation, demo users, the seed plan, and throw-away signing certificates (var/pki/).
.venv/bin/python manage.py load_demo
# The search entries of the loaded documents (their text, their files' text).
.venv/bin/python manage.py reindex_search
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
