"""`ngo-review token list` and `token revoke` in process (typer's CliRunner) on a real database,
with the API served over real HTTP: a revoked token is refused at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from config.settings import get_settings
from flows.service.admin_audit import list_admin_events
from ngo_review.cli import app


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """cli(*args) → (exit code, JSON lines printed, standard error), on the test's database."""
    monkeypatch.setenv("NGO_REVIEW_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def run(*args: str) -> tuple[int, list[Any], str]:
        result = CliRunner().invoke(app, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        return result.exit_code, lines, result.stderr

    yield run
    get_settings.cache_clear()


def _create(cli: Any, *args: str) -> str:
    result = CliRunner().invoke(app, ["token", "create", *args])
    assert result.exit_code == 0, result.output
    secret: str = result.stdout.strip()
    return secret


def test_list_then_revoke_and_the_token_is_refused_at_once(
    cli: Any, engine: Engine, server_url: str
) -> None:
    """The list shows each token's metadata and never its secret; revoke ends it at once."""
    officer = _create(cli, "--role", "agency", "--name", "Officer BCA", "--agency", "BCA")
    handler = _create(cli, "--role", "handler", "--name", "Nguyễn Văn An", "--expires-days", "30")
    with httpx.Client(base_url=server_url, headers={"Authorization": f"Bearer {officer}"}) as bca:
        assert bca.get("/consultations").status_code == 200

        code, listed, _ = cli("token", "list")
        assert code == 0 and len(listed) == 2
        newest, oldest = listed
        assert newest["role"] == "handler" and newest["name"] == "cli"
        assert newest["username"] and newest["agency"] is None
        assert newest["expires_at"] is not None and newest["last_used_at"] is None
        assert oldest["role"] == "agency" and oldest["agency"] == "BCA"
        assert oldest["last_used_at"] is not None and oldest["revoked_at"] is None
        assert set(oldest) >= {"id", "created_at", "expires_at", "revoked_at", "last_used_at"}
        printed = json.dumps(listed)
        assert officer not in printed and handler not in printed
        assert "token_hash" not in printed and "token" not in oldest
        code, only, _ = cli("token", "list", "--user", oldest["username"])
        assert code == 0 and [t["id"] for t in only] == [oldest["id"]]

        code, (revoked,), _ = cli("token", "revoke", str(oldest["id"]))
        assert code == 0 and revoked["id"] == oldest["id"] and revoked["revoked_at"]
        refused = bca.get("/consultations")
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"] in ("unauthorized", "invalid_token", "not_authenticated")
        code, (again,), _ = cli("token", "revoke", str(oldest["id"]))
        assert code == 0 and again["revoked_at"] == revoked["revoked_at"]
    with httpx.Client(base_url=server_url, headers={"Authorization": f"Bearer {handler}"}) as h:
        assert h.get("/dossiers").status_code == 200  # the other token still works

    code, listed, _ = cli("token", "list")
    assert [t["revoked_at"] is not None for t in listed] == [False, True]
    events = [(e.entity, e.entity_key, e.action, e.actor) for e in list_admin_events(engine)]
    assert events.count(("token", str(oldest["id"]), "revoke", "ngo-review CLI")) == 1


def test_revoking_an_unknown_or_malformed_id_fails_cleanly(cli: Any) -> None:
    """Exit status 2 with an error line, never a traceback; nothing changes."""
    _create(cli, "--role", "admin", "--name", "Quản trị")
    code, _, err = cli("token", "revoke", "999")
    assert code == 2 and err.startswith("error: no token 999")
    for bad in ("0", "-1", "abc", str(2**40)):
        code, _, err = cli("token", "revoke", bad)
        assert code == 2 and "Traceback" not in err, (bad, err)
    code, listed, _ = cli("token", "list")
    assert code == 0 and [t["revoked_at"] for t in listed] == [None]
    code, empty, _ = cli("token", "list", "--user", "nobody")
    assert code == 0 and empty == []
