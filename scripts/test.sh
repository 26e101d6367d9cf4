#!/usr/bin/env bash
# Installs the project with its test tools into .venv and runs every check: ruff, mypy, pytest.
# PostgreSQL tests run when NGO_REVIEW_TEST_POSTGRES_URL is set (.ci/run sets it).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/unit -x`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ ! -x .venv/bin/python ]]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi
echo "==> installing ngo-review with its test dependencies"
.venv/bin/python -m pip install -qq --editable ".[test]"

failed=()

echo "==> ruff check ."
.venv/bin/ruff check . || failed+=(ruff)

echo "==> ruff format --check ."
.venv/bin/ruff format --check . || failed+=("ruff format")

echo "==> mypy"
.venv/bin/mypy || failed+=(mypy)

echo "==> pytest"
pytest_log=$(mktemp)
trap 'rm -f "${pytest_log}"' EXIT
pytest_status=0
# -n auto: one pytest-xdist worker per core (each test has its own database and ports).
.venv/bin/python -m pytest -q -n auto "$@" 2>&1 | tee "${pytest_log}" || pytest_status=${PIPESTATUS[0]}
summary=$(grep -E '(passed|failed|error|skipped|deselected|xfailed|xpassed|no tests ran)' \
    "${pytest_log}" | tail -n 1 || true)
echo "pytest summary: ${summary:-(none)}"
if ((pytest_status == 5)); then
    echo "error: pytest collected no tests (exit 5); that counts as a failure" >&2
    failed+=("pytest (no tests)")
elif ((pytest_status != 0)); then
    failed+=("pytest (exit ${pytest_status})")
fi

if ((${#failed[@]} > 0)); then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "OK: ruff, mypy and pytest passed"
