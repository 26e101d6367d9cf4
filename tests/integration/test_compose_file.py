"""docker-compose.yml is valid and refuses to start without its secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SECRETS = ("POSTGRES_PASSWORD", "PREFECT_POSTGRES_PASSWORD", "NGO_REVIEW_SECRET_KEY")


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
