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
# The editable install follows code changes by itself; pip runs again only when what it
# installs from changes (pyproject.toml), as it took ~20 s even with nothing to do.
stamp=.venv/.ngo-review-installed
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]] || ! .venv/bin/python -c "import ngo_review" 2>/dev/null; then
    echo "==> installing ngo-review"
    .venv/bin/python -m pip install -qq --editable .
    echo "$wanted" > "$stamp"
else
    echo "==> ngo-review already installed (pyproject.toml unchanged)"
fi

exec .venv/bin/ngo-review serve --demo "$@"
