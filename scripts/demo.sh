#!/usr/bin/env bash
# Set up Văn thư on SQLite with the demo organisation and the seed plan, and serve it on
# http://127.0.0.1:8000 (log in as chuyenvien, phogiamdoc, vanthu, congan…; password vanthu@2026).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
export DATABASE_URL=${DATABASE_URL:-sqlite:///var/vanthu.sqlite3}
.venv/bin/python manage.py migrate -v0
if [ "$(.venv/bin/python manage.py shell -c 'from django.contrib.auth.models import User; print(User.objects.exists())')" = "False" ]; then
  .venv/bin/python manage.py loaddata document_types organisation demo_documents
fi
# Throw-away certificates for the demo's digital signatures (var/pki/); never for real use.
[ -f var/pki/ca.crt.pem ] || .venv/bin/python manage.py make_demo_pki
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
