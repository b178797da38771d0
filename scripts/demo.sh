#!/usr/bin/env bash
# Set up Văn thư on SQLite with the demo organisation and the seed plan, and serve it on
# http://127.0.0.1:8000 (log in as chuyenvien, phogiamdoc, vanthu, congan…; password vanthu@2026).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
.venv/bin/python manage.py migrate -v0
# The organisation, demo users, the seed plan, and throw-away signing certificates (var/pki/).
.venv/bin/python manage.py load_demo
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
