"""The build context holds no local environment, state or secret; COPY takes sources only."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BUILD_FILES = {"requirements.lock", "pyproject.toml", "README.md"}

NEVER_IN_CONTEXT = [
    ".venv/bin/python",
    ".venv/lib/python3.11/site-packages/fastapi/__init__.py",
    "venv/bin/python",
    "var/ngo_review.db",
    "var/secret-key",
    "var/mail/new/1.eml",
    ".env",
    ".env.production",
    ".env.local",
    ".git/HEAD",
    ".git/objects/ab/cdef",
    "__pycache__/x.cpython-311.pyc",
    "api/__pycache__/app.cpython-311.pyc",
    "api/app.pyc",
    ".pytest_cache/v/cache/lastfailed",
    ".mypy_cache/3.11/api.json",
    ".ruff_cache/0.6.0/123",
    ".hypothesis/examples/ab/cd",
    ".coverage",
    "tests/integration/test_backup.py",
    "tests/data/passport.pdf",
    "bench/results/run.json",
    "ngo_review.db",
    "models/dossiers.db",
    "var/ngo_review.db-wal",
    "backup/ngo-review.sqlite3",
    "node_modules/htmx.org/package.json",
    "api/static/node_modules/x/index.js",
    "ngo_review.egg-info/PKG-INFO",
    "certs/smtp.key",
    "certs/smtp.pem",
]
IN_CONTEXT = [
    "requirements.lock",
    "pyproject.toml",
    "README.md",
    "api/app.py",
    "api/static/vendor/fonts/NotoSans-Regular.ttf",
    "models/migrations/versions/0009_audit_chain.py",
    "flows/calendar_data/2026.toml",
    "notifications/templates/receipt.vi.txt.j2",
    "ngo_review/cli.py",
    "config/settings.py",
]


def _rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(.dockerignore line is an exception `!`, its pattern as a regex), in file order."""
    rules = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.removeprefix("!").strip().strip("/")
        rules.append((negate, re.compile(_regex(pattern))))
    return rules


def _regex(pattern: str) -> str:
    """Docker's pattern syntax (Go filepath.Match plus `**`) as a regular expression."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + "[" + pattern[i + 1 : end].replace("\\", "\\\\") + "]", end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out + r"\Z"


def _excluded(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for negate, regex in rules:
        if any(regex.match(c) for c in candidates):
            excluded = not negate
    return excluded


@pytest.mark.parametrize("path", NEVER_IN_CONTEXT)
def test_never_in_the_build_context(path: str) -> None:
    assert _excluded(path, _rules()), f"{path} would be sent to the Docker builder"


@pytest.mark.parametrize("path", IN_CONTEXT)
def test_what_the_image_needs_is_in_the_context(path: str) -> None:
    assert not _excluded(path, _rules())


def test_nothing_from_the_local_state_of_this_checkout_is_sent() -> None:
    """Walk the real tree: no file of .venv, var, .git or a cache reaches the context."""
    rules = _rules()
    sent = [
        p.relative_to(ROOT).as_posix()
        for top in ROOT.iterdir()
        if top.name in {".venv", "var", ".git", ".pytest_cache", ".mypy_cache", "tests"}
        for p in ([top] if top.is_file() else top.rglob("*"))
        if p.is_file()
    ]
    leaks = [p for p in sent if not _excluded(p, rules)]
    assert leaks == []


def _copies() -> list[list[str]]:
    """The source arguments of every COPY/ADD instruction of the Dockerfile."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    sources = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0].upper() in {"COPY", "ADD"}:
            args = [w for w in words[1:] if not w.startswith("--")]
            sources.append(args[:-1])
    return sources


def test_the_dockerfile_copies_only_the_packages_and_their_build_files() -> None:
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {p.rstrip("*") for p in include["packages"]["find"]["include"]}
    copied = {src.rstrip("/") for sources in _copies() for src in sources}
    assert copied <= packages | BUILD_FILES, copied - packages - BUILD_FILES
    assert packages <= copied, f"packages missing from the image: {packages - copied}"
    assert "requirements.lock" in copied
    assert all(sources for sources in _copies())  # no `COPY . .` hiding behind a parse slip
