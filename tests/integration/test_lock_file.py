"""The lock files pin every dependency of pyproject.toml, with hashes (scripts/lock.sh)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(?:\[(?P<extras>[^]]*)\])?==(?P<version>\S+)$")
FIX = "run `bash scripts/lock.sh` after changing pyproject's dependencies"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _entries(lock: str) -> list[tuple[str, list[str]]]:
    """Each requirement of a lock file (continuation lines joined) and its options."""
    text = (ROOT / lock).read_text()
    joined = re.sub(r"\s*\\\n\s*", " ", text)
    entries = []
    for line in joined.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            requirement, *options = line.split()
            entries.append((requirement, options))
    return entries


def _pins(lock: str) -> dict[str, tuple[str, set[str]]]:
    """Canonical name → (version, extras) of every pin of a lock file."""
    pins = {}
    for requirement, _ in _entries(lock):
        match = PIN.match(requirement)
        assert match, f"{lock}: {requirement!r} is not pinned with =="
        extras = {e.strip() for e in (match["extras"] or "").split(",") if e.strip()}
        pins[canonicalize_name(match["name"])] = (match["version"], extras)
    return pins


def _runtime() -> list[Requirement]:
    return [Requirement(r) for r in _pyproject()["project"]["dependencies"]]


def _test_extra() -> list[Requirement]:
    return [Requirement(r) for r in _pyproject()["project"]["optional-dependencies"]["test"]]


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_every_line_is_an_exact_pin_with_sha256_hashes(lock: str) -> None:
    entries = _entries(lock)
    assert len(entries) > 50
    for requirement, options in entries:
        assert PIN.match(requirement), f"{lock}: {requirement!r} is not an exact pin"
        hashes = [o for o in options if o.startswith("--hash=")]
        assert hashes, f"{lock}: {requirement} has no hash, `pip install --require-hashes` fails"
        assert all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", h) for h in hashes), requirement
        assert set(options) == set(hashes), f"{lock}: {requirement} has options {options}"


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", _runtime),
        ("requirements-test.lock", lambda: _runtime() + _test_extra()),
    ],
)
def test_every_pyproject_dependency_is_pinned_within_its_range(lock: str, requirements) -> None:
    pins = _pins(lock)
    for req in requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is missing from {lock}: {FIX}"
        version, extras = pins[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"{lock} pins {req.name}=={version}, outside pyproject's {req.specifier}: {FIX}"
        )
        assert req.extras <= extras, f"{lock}: {req.name} lacks extras {req.extras}: {FIX}"


def test_the_build_backend_is_locked_for_a_build_without_isolation() -> None:
    """The image runs `pip install --no-build-isolation .`: setuptools must come from the lock."""
    [backend] = [Requirement(r) for r in _pyproject()["build-system"]["requires"]]
    version, _ = _pins("requirements.lock")[canonicalize_name(backend.name)]
    assert backend.specifier.contains(version)


def test_tests_run_what_the_image_runs() -> None:
    """The test lock keeps every runtime pin: the same versions in CI and in the image."""
    runtime, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    assert {name: pin for name, pin in test.items() if name in runtime} == runtime


def test_the_image_installs_the_lock_with_hashes() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-deps --no-build-isolation ." in dockerfile  # nothing unhashed
