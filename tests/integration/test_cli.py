"""The ngo-review command line: db upgrade, token create, procedures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from models.db import make_engine, read_session
from models.token import ApiToken, hash_token
from models.user import User


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
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
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_db_upgrade_is_repeatable(tmp_path: Path) -> None:
    """Upgrading twice is fine; reference agencies are loaded once."""
    first = _cli(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.strip().splitlines()[-1])["agencies_added"] > 5
    second = _cli(tmp_path, "db", "upgrade")
    assert json.loads(second.stdout.strip().splitlines()[-1])["agencies_added"] == 0


def test_token_create_prints_a_token_stored_only_hashed(tmp_path: Path) -> None:
    """The printed token works as a credential; the database holds only its hash."""
    out = _cli(
        tmp_path, "token", "create", "--role", "agency", "--name", "Officer BCA", "--agency", "BCA"
    )
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with read_session(engine) as s:
        rows = s.exec(select(ApiToken, User).where(ApiToken.user_id == User.id)).all()
    assert [(u.role, u.agency_code, t.token_hash) for t, u in rows] == [
        ("agency", "BCA", hash_token(token))
    ]
    assert token not in (tmp_path / "cli.db").read_bytes().decode("latin-1")
    bad = _cli(tmp_path, "token", "create", "--role", "agency", "--name", "X")
    assert bad.returncode == 2 and "agency" in bad.stderr
    assert _cli(tmp_path, "token", "create", "--role", "king", "--name", "X").returncode == 2


def test_procedures_lists_codes_versions_and_deadlines(tmp_path: Path) -> None:
    """One JSON line per procedure."""
    out = _cli(tmp_path, "procedures")
    assert out.returncode == 0, out.stderr
    rows = {r["code"]: r for r in map(json.loads, out.stdout.strip().splitlines())}
    assert rows["ngo.operation.issue"]["total_working_days"] == 30
    assert rows["ngo.office.issue"]["version"] == 1


def test_sweep_and_deliver_run_the_flows_once(tmp_path: Path) -> None:
    """`sweep --as-of` prints the JSON summary and is idempotent; `deliver` prints its own."""
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    out = _cli(tmp_path, "sweep", "--as-of", "2026-12-04T00:00:00+07:00")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"fired", "reminders", "overdue", "deemed_consent", "late", "at_risk"} <= set(summary)
    assert summary["fired"] == 0
    bad = _cli(tmp_path, "sweep", "--as-of", "next tuesday")
    assert bad.returncode == 2 and "ISO-8601" in bad.stderr
    out = _cli(tmp_path, "deliver")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["sent"] == 0
