#!/usr/bin/env bash
# Install everything and run the whole test suite (pytest): unit, HTTP and browser tests.
# SQLite by default; set DATABASE_URL=postgres://… to run the same suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
exec .venv/bin/python -m pytest "$@"
