"""Administrators publish procedure versions and migrate chosen running dossiers, audited."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from models.db import read_session
from models.timer import Timer
from tests.conftest import VN, Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

V2 = {
    "changes": {"consultation_working_days": 7, "total_working_days": 25},
    "note": "Decision 12/QĐ: shorter deadlines",
}


def _running(client: Client) -> dict:
    """Accepted Mon 23 Nov 2026 (due 6 Jan 2027), BCA consulted (due 8 Dec 2026)."""
    d = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    act(client("handler"), d["id"], "accept")
    return act(client("handler"), d["id"], "consult", {"agencies": ["BCA"]})


def test_new_version_applies_to_new_dossiers_only(client: Client) -> None:
    """Running dossiers keep version 1; new ones get version 2."""
    old = _running(client)
    admin = client("admin")
    v2 = ok(admin.post("/procedures/ngo.operation.issue/versions", json=V2), 201)
    assert (v2["version"], v2["consultation_working_days"], v2["total_working_days"]) == (2, 7, 25)
    listed = ok(client("manager").get("/procedures/ngo.operation.issue/versions"))
    assert [v["version"] for v in listed] == [1, 2]
    latest = {p["code"]: p for p in ok(client("manager").get("/procedures"))}
    assert latest["ngo.operation.issue"]["version"] == 2
    new = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    assert new["procedure_version"] == 2
    new = act(client("handler"), new["id"], "accept")
    assert new["due_date"] == "2026-12-29"  # 25 WD from Mon 23 Nov 2026
    assert ok(client("handler").get(f"/dossiers/{old['id']}"))["procedure_version"] == 1
    assert ok(client("handler").get(f"/dossiers/{old['id']}"))["due_date"] == "2027-01-06"


def test_publishing_is_admin_only_and_validated(client: Client) -> None:
    """Only admins; only changeable fields; real agencies; known procedures."""
    url = "/procedures/ngo.operation.issue/versions"
    assert client("handler").post(url, json=V2).status_code == 403
    for changes in ({"steps": []}, {}, {"total_working_days": 0}, {"default_agencies": ["NOPE"]}):
        r = client("admin").post(url, json={"changes": changes})
        assert r.status_code == 422, (changes, r.text)
    assert client("admin").post("/procedures/no.such/versions", json=V2).status_code == 404
    assert [
        v["version"] for v in ok(client("admin").get("/procedures/ngo.operation.issue/versions"))
    ] == [1]


def test_migration_dry_run_then_apply(client: Client, engine: Engine, clock: Clock) -> None:
    """The dry run reports new dates and changes nothing; applying recomputes and audits."""
    d = _running(client)
    ok(client("admin").post("/procedures/ngo.operation.issue/versions", json=V2), 201)
    body = {"to_version": 2, "dossier_ids": [d["id"]]}
    dry = ok(client("admin").post("/procedures/ngo.operation.issue/migrate", json=body))
    [plan] = dry["dossiers"]
    assert dry["applied"] is False and plan["allowed"] is True
    assert (plan["old_due_date"], plan["new_due_date"]) == ("2027-01-06", "2026-12-29")
    assert plan["pending_consultations"] == 1
    [change] = plan["consultation_changes"]
    assert (change["agency"], change["old_due_date"], change["new_due_date"]) == (
        "BCA",
        "2026-12-08",
        "2026-12-03",
    )
    unchanged = ok(client("handler").get(f"/dossiers/{d['id']}"))
    assert unchanged["procedure_version"] == 1 and unchanged["version"] == d["version"]

    done = ok(
        client("admin").post(
            "/procedures/ngo.operation.issue/migrate", json={**body, "dry_run": False}
        )
    )
    assert done["applied"] is True
    after = ok(client("handler").get(f"/dossiers/{d['id']}"))
    assert (after["procedure_version"], after["due_date"]) == (2, "2026-12-29")
    assert after["consultations"][0]["due_date"] == "2026-12-03"
    last = ok(client("manager").get(f"/dossiers/{d['id']}/history"))[-1]
    assert (last["action"], last["actor"]) == ("migrate-procedure", "Quản trị")
    assert last["details"]["to_version"] == 2
    with read_session(engine) as s:
        due = [
            t.due_at.astimezone(VN).date().isoformat()
            for t in s.exec(
                select(Timer).where(
                    Timer.kind == "consultation_due", col(Timer.cancelled_at).is_(None)
                )
            ).all()
        ]
    assert due == ["2026-12-04"]  # armed for the day after the new due date


def test_migration_refuses_what_is_unsafe_and_changes_nothing(client: Client) -> None:
    """A finished dossier in the batch: the dry run says why; applying is 409, all or none."""
    running = _running(client)
    finished = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    act(client("handler"), finished["id"], "withdraw", {"reason": "asked"})
    ok(client("admin").post("/procedures/ngo.operation.issue/versions", json=V2), 201)
    body = {"to_version": 2, "dossier_ids": [running["id"], finished["id"]]}
    dry = ok(client("admin").post("/procedures/ngo.operation.issue/migrate", json=body))
    allowed = {p["dossier_id"]: p["allowed"] for p in dry["dossiers"]}
    assert allowed == {running["id"]: True, finished["id"]: False}
    refused = client("admin").post(
        "/procedures/ngo.operation.issue/migrate", json={**body, "dry_run": False}
    )
    assert refused.status_code == 409 and len(refused.json()["dossiers"]) == 2
    assert "withdrawn" in str(refused.json()["dossiers"][1]["refusals"])
    assert ok(client("handler").get(f"/dossiers/{running['id']}"))["procedure_version"] == 1
    assert (
        client("admin")
        .post(
            "/procedures/ngo.operation.issue/migrate",
            json={"to_version": 9, "dossier_ids": [running["id"]]},
        )
        .status_code
        == 404
    )
    assert (
        client("handler").post("/procedures/ngo.operation.issue/migrate", json=body).status_code
        == 403
    )
