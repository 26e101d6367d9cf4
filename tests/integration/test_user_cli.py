"""`ngo-review user create|list|disable` and `token create --user`: the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flows.service.admin_audit import list_admin_events
from flows.service.users import authenticate, resolve_token
from models.db import make_engine
from models.types import utcnow

PASSWORD = "read from standard input"


def _cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
        "NGO_REVIEW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "NGO_REVIEW_VAR_DIR": str(tmp_path / "var"),
        "PREFECT_HOME": str(tmp_path / "pf"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "ngo_review.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_create_list_disable_a_user_and_give_them_a_token(tmp_path: Path) -> None:
    """The password comes from stdin; the user signs in with it until disabled."""
    too_short = _cli(
        tmp_path,
        "user",
        "create",
        "--username",
        "officer.bca",
        "--name",
        "Officer BCA",
        "--role",
        "agency",
        "--agency",
        "BCA",
        stdin="short\n",
    )
    assert too_short.returncode == 2 and too_short.stderr.startswith("error: password")
    created = _cli(
        tmp_path,
        "user",
        "create",
        "--username",
        "officer.bca",
        "--name",
        "Officer BCA",
        "--role",
        "agency",
        "--agency",
        "BCA",
        "--email",
        "officer@bca.example.org",
        "--language",
        "en",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert PASSWORD not in created.stdout
    assert json.loads(created.stdout.strip().splitlines()[-1])["agency"] == "BCA"
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    signed = authenticate(engine, "officer.bca", PASSWORD)
    assert signed.user is not None and signed.user.role == "agency"

    listed = _cli(tmp_path, "user", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = [json.loads(line) for line in listed.stdout.strip().splitlines()]
    assert (row["username"], row["active"], row["language"]) == ("officer.bca", True, "en")
    assert "hash" not in listed.stdout and "argon2" not in listed.stdout

    token = _cli(
        tmp_path,
        "token",
        "create",
        "--user",
        "officer.bca",
        "--expires-days",
        "30",
        "--label",
        "mail gateway",
    )
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip().splitlines()[-1]
    found = resolve_token(engine, secret, utcnow())
    assert found is not None and found[0].username == "officer.bca"

    disabled = _cli(tmp_path, "user", "disable", "officer.bca")
    assert disabled.returncode == 0, disabled.stderr
    assert json.loads(disabled.stdout.strip().splitlines()[-1])["active"] is False
    assert authenticate(engine, "officer.bca", PASSWORD).user is None
    assert resolve_token(engine, secret, utcnow()) is None

    events = [(e.actor, e.entity, e.action) for e in list_admin_events(engine)]
    assert events == [
        ("ngo-review CLI", "user", "update"),
        ("ngo-review CLI", "token", "create"),
        ("ngo-review CLI", "user", "create"),
    ]
