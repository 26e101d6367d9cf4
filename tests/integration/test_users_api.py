"""The administrators' API: users, tokens and the audit trail of every administrative change."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Client
from tests.integration.helpers import ok

HOA = {
    "username": "le.thi.hoa",
    "display_name": "Lê Thị Hoa",
    "role": "handler",
    "email": "hoa@users.example.org",
    "language": "en",
    "password": "a long passphrase",
}


def _events(client: Client, **params: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = ok(client("admin").get("/admin/events", params=params))
    return events


def test_create_and_change_a_user(client: Client) -> None:
    """201 on create, 409 for a taken username, 422 for an agency user without an agency."""
    admin = client("admin")
    created = ok(admin.post("/users", json=HOA), 201)
    assert created["role"] == "handler" and created["active"] is True
    assert "password" not in created and "password_hash" not in created
    assert ok(admin.post("/users", json=HOA), 409)["error"] == "conflict"
    orphan = admin.post("/users", json={**HOA, "username": "officer.x", "role": "agency"})
    assert orphan.status_code == 422 and "agency" in orphan.json()["detail"]
    assert (
        admin.post(
            "/users", json={**HOA, "username": "x.y", "role": "agency", "agency": "NOPE"}
        ).status_code
        == 422
    )
    changed = ok(admin.patch("/users/le.thi.hoa", json={"role": "agency", "agency": "BCA"}))
    assert (changed["role"], changed["agency"]) == ("agency", "BCA")
    back = ok(admin.patch("/users/le.thi.hoa", json={"role": "leader"}))
    assert (back["role"], back["agency"]) == ("leader", None)
    assert admin.patch("/users/nobody", json={"active": False}).status_code == 404
    assert [u["username"] for u in ok(admin.get("/users"))].count("le.thi.hoa") == 1

    events = [e for e in _events(client, entity="user") if e["entity_key"] == "le.thi.hoa"]
    assert [e["action"] for e in events] == ["update", "update", "create"]
    assert events[0]["before"]["role"] == "agency" and events[0]["after"]["role"] == "leader"
    assert events[1]["before"]["agency"] is None and events[1]["after"]["agency"] == "BCA"
    assert {e["actor"] for e in events} == {"Quản trị"}
    assert {e["actor_role"] for e in events} == {"admin"}


def test_token_create_and_revoke_through_the_api(client: Client, logins: dict[str, str]) -> None:
    """A token for a user works at once and stops at once when revoked; both are audited."""
    admin = client("admin")
    created = ok(
        admin.post(
            "/tokens",
            json={"username": logins["leader"], "name": "signing tool", "expires_days": 30},
        ),
        201,
    )
    leader = client("nobody")
    leader.headers["Authorization"] = f"Bearer {created['token']}"
    assert leader.get("/dossiers").status_code == 200
    assert (
        admin.post("/tokens", json={"username": logins["leader"], "expires_days": 0}).status_code
        == 422
    )
    ok(admin.delete(f"/tokens/{created['id']}"))
    assert leader.get("/dossiers").status_code == 401
    [revoke, create] = _events(client, entity="token", limit=2)
    assert (revoke["action"], revoke["before"], revoke["after"]["revoked_at"] is not None) == (
        "revoke",
        {"revoked_at": None},
        True,
    )
    assert create["after"]["name"] == "signing tool" and create["after"]["expires_at"]


def test_agency_calendar_and_procedure_changes_through_the_api_are_audited(client: Client) -> None:
    """The existing admin endpoints write the same trail as the pages: actor, before, after."""
    admin = client("admin")
    ok(
        admin.post(
            "/agencies",
            json={
                "code": "BTC-KHDT",
                "name_vi": "Bộ Tài chính (KHĐT)",
                "name_en": "Ministry of Finance (Planning)",
            },
        ),
        201,
    )
    ok(admin.patch("/agencies/BTC-KHDT", json={"email": "khdt@agencies.example.org"}))
    ok(admin.put("/calendar/overrides/2026-12-31", json={"kind": "holiday", "note": "A"}))
    ok(admin.put("/calendar/overrides/2026-12-31", json={"kind": "working_day", "note": "B"}))
    assert admin.delete("/calendar/overrides/2026-12-31").status_code == 204
    ok(
        admin.post(
            "/procedures/ngo.operation.issue/versions",
            json={"changes": {"total_working_days": 25}, "note": "shorter"},
        ),
        201,
    )

    rows = [
        (e["entity"], e["entity_key"], e["action"], e["before"], e["after"])
        for e in _events(client)
    ][:6]
    assert rows[0][:3] == ("procedure", "ngo.operation.issue", "publish")
    assert rows[0][3]["total_working_days"] == 30 and rows[0][4]["total_working_days"] == 25
    assert rows[1:4] == [
        ("calendar", "2026-12-31", "delete", {"kind": "working_day", "note": "B"}, None),
        (
            "calendar",
            "2026-12-31",
            "set",
            {"kind": "holiday", "note": "A"},
            {"kind": "working_day", "note": "B"},
        ),
        ("calendar", "2026-12-31", "set", None, {"kind": "holiday", "note": "A"}),
    ]
    assert rows[4] == (
        "agency",
        "BTC-KHDT",
        "update",
        {"email": ""},
        {"email": "khdt@agencies.example.org"},
    )
    assert rows[5][:4] == ("agency", "BTC-KHDT", "create", None)
    assert len(_events(client, limit=1)) == 1
    assert _events(client, entity="nothing") == []
    assert admin.get("/admin/events", params={"limit": 0}).status_code == 422
    assert client("leader").get("/admin/events").status_code == 403
