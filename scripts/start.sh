#!/usr/bin/env bash
# Installs ngo-review into .venv and starts everything on embedded defaults with demo data:
# `ngo-review serve --demo` (SQLite under ./var/; prints demo tokens and URLs).
# Extra arguments go to `ngo-review serve`, e.g. `bash scripts/start.sh --port 8080`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ ! -x .venv/bin/python ]]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi
echo "==> installing ngo-review"
.venv/bin/python -m pip install -qq --editable .

exec .venv/bin/ngo-review serve --demo "$@"
