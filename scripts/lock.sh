#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml, with exact versions and hashes:
#   requirements.lock       runtime dependencies (what the Docker image installs)
#   requirements-test.lock  the same pins plus the `test` extra
# Both also pin the build backend (setuptools), so `pip install --no-deps --no-build-isolation .`
# needs nothing unhashed. pip-tools runs in a throwaway venv (never .venv) on Python 3.11, the
# image's Python. Pins already in the lock files are kept; extra arguments go to pip-compile:
#   bash scripts/lock.sh                           after a change to pyproject's dependencies
#   bash scripts/lock.sh --upgrade                 everything to the newest allowed versions
#   bash scripts/lock.sh --upgrade-package httpx   one package
# tests/integration/test_lock_file.py fails while the locks disagree with pyproject.toml.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1
python=${PYTHON:-python3.11}

work=$(mktemp -d "${TMPDIR:-/tmp}/ngo-review-lock.XXXXXX")
trap 'rm -rf "${work}"' EXIT

# pip-compile resolves for the interpreter it runs on: markers and wheels must be the image's.
"${python}" - <<'PY' || { echo "error: ${python} is not CPython 3.11 on Linux (set PYTHON=...)" >&2; exit 2; }
import platform, sys
sys.exit(0 if sys.version_info[:2] == (3, 11) and platform.system() == "Linux" else 1)
PY

echo "==> installing pip-tools into a throwaway venv"
"${python}" -m venv "${work}/venv"
"${work}/venv/bin/python" -m pip install -qq --upgrade "pip>=25,<27" "pip-tools>=7.5,<8"

# Resolve from a copy: reading the project's metadata builds it, and the build must leave
# nothing (egg-info) in the checkout. The old locks come along so their pins are kept.
mkdir "${work}/src"
cp pyproject.toml README.md "${work}/src/"
for lock in requirements.lock requirements-test.lock; do
    [[ -f ${lock} ]] && cp "${lock}" "${work}/src/"
done

compile() {
    (cd "${work}/src" && CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" \
        "${work}/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --no-strip-extras \
        --build-deps-for wheel --no-emit-index-url --no-emit-find-links \
        --no-emit-trusted-host "$@" pyproject.toml)
}

echo "==> requirements.lock"
compile --output-file requirements.lock "$@"

echo "==> requirements-test.lock"
# The runtime pins constrain the test lock: tests run what the image runs. Constraints take
# neither hashes nor extras (extras stay in the locks: `--require-hashes` needs `httpx[http2]`).
sed -nE 's/^([A-Za-z0-9._-]+)(\[[^]]*\])?(==[^ ]+).*/\1\3/p' "${work}/src/requirements.lock" \
    >"${work}/src/runtime-pins.txt"
compile --extra test --constraint runtime-pins.txt --output-file requirements-test.lock "$@"

cp "${work}/src/requirements.lock" "${work}/src/requirements-test.lock" .
echo "OK: requirements.lock and requirements-test.lock written"
