#!/usr/bin/env bash
# Prepare this machine for the app's browser tests, idempotently (quick when all is in place):
#   1. Chromium at /usr/bin/chromium (Debian's package; never `playwright install`),
#   2. npm (Debian's package) when missing, to fetch Solara's front-end packages,
#   3. the offline asset cache of those packages in .solara-cdn/ (git-ignored, about 70 MB).
# Usage: scripts/ci_prepare.sh [PYTHON]   (default: $PYTHON, else .venv/bin/python, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${1:-${PYTHON:-}}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  # Chromium's wrapper prints "[: ...: unexpected operator" on some runs: harmless.
  $SUDO apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
  echo "ci_prepare: installing chromium" >&2
  apt_install chromium
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ci_prepare: installing npm" >&2
  apt_install npm
fi
"$PY" -m sim.app.assets >/dev/null
echo "ci_prepare: chromium at /usr/bin/chromium, asset cache at $("$PY" -c 'from sim.app.assets import default_cache_dir; print(default_cache_dir())')" >&2
