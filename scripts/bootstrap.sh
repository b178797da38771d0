#!/usr/bin/env bash
# Install what Văn thư needs on a fresh Debian machine: system packages (when run as root),
# a virtualenv in .venv with the pinned Python dependencies, and the compiled translations.
# Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  gettext           # msgfmt, for compilemessages
  chromium          # the browser the end-to-end tests drive (never downloaded by Playwright)
  poppler-utils     # pdftoppm: PNG previews of rendered PDFs
  fonts-liberation2 # Liberation Serif: metric-compatible with Times New Roman, Vietnamese glyphs
  libpango-1.0-0 libpangoft2-1.0-0  # WeasyPrint's text layout
  softhsm2          # a software PKCS#11 token: the signing tests' stand-in for a USB token or HSM
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

.venv/bin/python manage.py compilemessages -v0 --ignore=.venv
