"""docker-compose.yml is valid, pinned, passes .env's mail settings and needs its secrets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from config.settings import Settings

ROOT = Path(__file__).parents[2]
SECRETS = ("POSTGRES_PASSWORD", "PREFECT_POSTGRES_PASSWORD", "NGO_REVIEW_SECRET_KEY")
APP_SERVICES = ("migrate", "api", "worker")
# An exact release: major.minor.patch (PostgreSQL's own scheme since 10: major.minor), with an
# optional `v` before and a variant after (-bookworm); never `latest` or a bare major.
EXACT_TAG = re.compile(r"^v?\d+\.\d+\.\d+(?:-[a-z0-9.]+)*$")
EXACT_POSTGRES_TAG = re.compile(r"^\d+\.\d+(?:-[a-z0-9.]+)*$")


def _config(tmp_path: Path, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `docker-compose config -q` with only the given secrets set (no .env file read)."""
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.skip("docker-compose is not installed")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(extra_env)
    empty_env_file = tmp_path / "empty.env"  # a developer's .env must not fill the gaps
    empty_env_file.write_text("")
    return subprocess.run(
        [compose, "--env-file", str(empty_env_file), "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_file_is_valid_with_secrets(tmp_path: Path) -> None:
    result = _config(tmp_path, {name: f"dummy-{name.lower()}" for name in SECRETS})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", SECRETS)
def test_compose_file_requires_every_secret(tmp_path: Path, missing: str) -> None:
    result = _config(tmp_path, {name: "dummy" for name in SECRETS if name != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_compose_file_fails_without_secrets(tmp_path: Path) -> None:
    result = _config(tmp_path, {})
    assert result.returncode != 0
    assert "see .env.example" in result.stderr


def _resolved(tmp_path: Path, dotenv: str) -> dict[str, Any]:
    """The compose file as `docker compose` resolves it with this `.env` (and no other)."""
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.skip("docker-compose is not installed")
    env_file = tmp_path / "deploy.env"
    env_file.write_text(dotenv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "POSTGRES_"))}
    result = subprocess.run(
        [compose, "--env-file", str(env_file), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k not in SECRETS},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


SECRETS_ENV = "".join(f"{name}=dummy-{name.lower()}\n" for name in SECRETS)


def _is_exact(image: str) -> bool:
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:  # no tag at all means `latest`
        return False
    return bool((EXACT_POSTGRES_TAG if name == "postgres" else EXACT_TAG).match(tag))


def _from_images() -> list[str]:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    return [line.split()[1] for line in lines if line.upper().startswith("FROM ")]


def test_every_image_is_pinned_to_an_exact_release(tmp_path: Path) -> None:
    services = _resolved(tmp_path, SECRETS_ENV)["services"]
    pulled = [s["image"] for s in services.values() if "build" not in s]
    assert len(pulled) >= 4  # postgres ×2, prefect-server, mailpit
    for image in pulled + _from_images():
        assert _is_exact(image), f"{image} is not an exact release"
    for loose in ("postgres:16", "postgres", "axllent/mailpit:latest", "python:3.11-slim"):
        assert not _is_exact(loose)  # what this file held before, and what it must never hold
    assert {s["image"] for s in services.values() if "build" in s} == {"ngo-review:local"}


def _locked_version(package: str) -> str:
    lock = (ROOT / "requirements.lock").read_text()
    match = re.search(rf"^{package}(?:\[[^]]*\])?==(\S+)", lock, re.MULTILINE)
    assert match, f"{package} is not in requirements.lock"
    return match.group(1)


def test_the_prefect_server_runs_the_prefect_the_workers_run(tmp_path: Path) -> None:
    """Server and client of one Prefect release, on the image's Python."""
    image = _resolved(tmp_path, SECRETS_ENV)["services"]["prefect-server"]["image"]
    match = re.fullmatch(r"prefecthq/prefect:(\d+\.\d+\.\d+)-python(\d+\.\d+)", image)
    assert match, image
    version, python = match.groups()
    assert version == _locked_version("prefect")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [prefect] = [
        Requirement(r)
        for r in pyproject["project"]["dependencies"]
        if Requirement(r).name == "prefect"
    ]
    assert prefect.specifier.contains(version)
    [base] = _from_images()
    assert base.startswith(f"python:{python}."), (base, python)


def _app_settings(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The Settings the container's process reads from this environment (no .env file)."""
    for name in list(os.environ):
        if name.startswith("NGO_REVIEW_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    return Settings(_env_file=None)


def test_smtp_login_and_starttls_from_env_reach_every_app_container(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = SECRETS_ENV + (
        "NGO_REVIEW_SMTP_HOST=smtp.example.gov.vn\n"
        "NGO_REVIEW_SMTP_PORT=587\n"
        "NGO_REVIEW_SMTP_USERNAME=ngo-review@example.gov.vn\n"
        "NGO_REVIEW_SMTP_PASSWORD=s3cret-p@ss:word/+=\n"
        "NGO_REVIEW_SMTP_STARTTLS=true\n"
        "NGO_REVIEW_MAIL_FROM=noreply@example.gov.vn\n"
    )
    services = _resolved(tmp_path, dotenv)["services"]
    for name in APP_SERVICES:
        settings = _app_settings(services[name]["environment"], monkeypatch)
        assert settings.smtp_host == "smtp.example.gov.vn", name
        assert settings.smtp_port == 587
        assert settings.smtp_username == "ngo-review@example.gov.vn"
        assert settings.smtp_password == "s3cret-p@ss:word/+="
        assert settings.smtp_starttls is True
        assert settings.mail_from == "noreply@example.gov.vn"


def test_without_mail_settings_mail_goes_to_mailpit_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = _resolved(tmp_path, SECRETS_ENV)["services"]
    for name in APP_SERVICES:
        settings = _app_settings(services[name]["environment"], monkeypatch)
        assert (settings.smtp_host, settings.smtp_port) == ("mailpit", 1025), name
        assert (settings.smtp_username, settings.smtp_password) == ("", "")
        assert settings.smtp_starttls is False
    assert "mailpit" in services
