#!/usr/bin/env bash
# Run Văn thư in production: the web server (gunicorn), the Celery worker and Celery beat,
# against PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). docs/deploy.md walks through a
# server; every other setting comes from the environment too (.env.example lists them all).
#
#   scripts/serve.sh          migrate, collectstatic, then the three processes together; on
#                             SIGTERM or SIGINT it stops all three, and if one of them dies it
#                             stops the other two and exits non-zero
#   scripts/serve.sh web      migrate, collectstatic, then gunicorn alone  (deploy/*.service:
#   scripts/serve.sh worker   the Celery worker alone                       one unit each)
#   scripts/serve.sh beat     Celery beat alone (exactly one per installation)
#
# WEB_CONCURRENCY: gunicorn workers (default 2 × CPUs + 1, at most 8); VANTHU_BIND: the
# address gunicorn listens on (default 127.0.0.1:8000, behind nginx). The access log goes to
# stdout with each request's X-Request-ID; the app, worker and beat log JSON lines to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
STOP_TIMEOUT=${VANTHU_STOP_TIMEOUT:-60}  # seconds a process has to stop before it is killed

say() { echo "serve.sh: $*" >&2; }

require() {
  if [ -z "${!1:-}" ]; then
    say "$1 is not set: $2 (see docs/deploy.md). Refusing to start."
    exit 2
  fi
}

prepare() {
  say "applying migrations"
  "$PYTHON" manage.py migrate --noinput
  say "collecting static files"
  "$PYTHON" manage.py collectstatic --noinput -v0
}

web() {
  local workers=${WEB_CONCURRENCY:-}
  if [ -z "$workers" ]; then
    workers=$((2 * $(nproc) + 1))
    if ((workers > 8)); then workers=8; fi
  fi
  exec .venv/bin/gunicorn config.wsgi \
    --workers "$workers" \
    --bind "${VANTHU_BIND:-127.0.0.1:8000}" \
    --access-logfile - \
    --access-logformat '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s' \
    --error-logfile - \
    --no-control-socket
}

worker() {
  exec .venv/bin/celery --app config worker --without-gossip --without-mingle
}

beat() {
  exec .venv/bin/celery --app config beat
}

# The three together, as children of this script.
pids=()
names=()
stopping=0

start() {
  "$1" &
  pids+=($!)
  names+=("$1")
  say "started $1 (pid $!)"
}

stop_all() {
  local deadline pid alive
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + STOP_TIMEOUT))
  while ((SECONDS < deadline)); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid did not stop within ${STOP_TIMEOUT}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait || true
}

on_signal() {
  stopping=1
  say "stopping web, worker and beat"
}

all() {
  trap on_signal TERM INT
  prepare
  if ((stopping)); then exit 0; fi  # asked to stop while migrating: start nothing
  start web
  start worker
  start beat
  local status=0 died=""
  # `wait -n` returns when a child exits, or early when a trapped signal arrives.
  wait -n -p died || status=$?
  if ((stopping)); then
    stop_all
    say "stopped"
    exit 0
  fi
  local name="?"
  for i in "${!pids[@]}"; do
    if [ "${pids[$i]}" = "$died" ]; then name=${names[$i]}; fi
  done
  say "$name (pid ${died:-?}) exited with status $status: stopping the others"
  stop_all
  exit $((status == 0 ? 1 : status))
}

require DATABASE_URL "the PostgreSQL database, e.g. postgres://vanthu@127.0.0.1:5432/vanthu"
require REDIS_URL "the Redis server of the Celery jobs, e.g. redis://127.0.0.1:6379/0"
case "${1:-all}" in
  all) all ;;
  web) prepare && web ;;
  worker) worker ;;
  beat) beat ;;
  *) say "unknown command '$1' (all, web, worker or beat)"; exit 2 ;;
esac
