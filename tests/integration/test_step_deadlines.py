"""A step's own deadline acts: the sweep flags a late completeness check, everyone sees it."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from flows.service.admin import create_token
from flows.service.digest import queue_daily_digest
from flows.service.sweep import sweep
from models.db import read_session
from models.outbox import Outbox
from notifications.render import render
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import act, ok, operation_issue


def _steps(view: dict[str, object]) -> dict[str, dict[str, object]]:
    return {s["name"]: s for s in view["steps"]}  # type: ignore[attr-defined,index]


def test_a_late_completeness_check_is_flagged_listed_and_digested(
    client: Client, browser: Browser, clock: Clock, engine: Engine
) -> None:
    """Received Wed 31/12/2025: due Tue 6/1/2026 (1/1 New Year, 2/1 swapped off, weekend)."""
    create_token(engine, role="manager", name="Digest Reader", email="digest@managers.example.org")
    h = client("handler")
    clock.set(2025, 12, 31, 9)
    late = ok(h.post("/dossiers", json=operation_issue()), 201)
    intake = _steps(late)["intake"]
    assert (intake["due_date"], intake["status"], intake["overdue"]) == (
        "2026-01-06",
        "open",
        False,
    )
    assert intake["ended_at"] is None and late["step_overdue"] is False

    clock.set(2026, 1, 6, 9)
    fresh = ok(h.post("/dossiers", json=operation_issue(subject="Received later")), 201)
    assert _steps(fresh)["intake"]["due_date"] == "2026-01-08"

    assert sweep(engine, clock.set(2026, 1, 6, 23, 59)).steps_overdue == 0  # still the due day
    first = sweep(engine, clock.set(2026, 1, 7, 0, 0))
    assert (first.fired, first.steps_overdue, first.skipped) == (1, 1, 0)
    assert sweep(engine, clock.now).fired == 0  # idempotent: the timer fired once

    clock.set(2026, 1, 7, 8)
    view = ok(h.get(f"/dossiers/{late['id']}"))
    intake = _steps(view)["intake"]
    assert (intake["status"], intake["overdue"], view["step_overdue"]) == ("overdue", True, True)
    last = ok(h.get(f"/dossiers/{late['id']}/history"))[-1]
    assert (last["action"], last["actor"], last["to_status"]) == (
        "flag-step-overdue",
        "system",
        "received",
    )
    assert last["details"]["events"] == [
        {"event": "StepOverdue", "step": "intake", "due_date": "2026-01-06"}
    ]

    flagged = ok(h.get("/dossiers", params={"step_overdue": "true"}))
    assert [d["id"] for d in flagged["items"]] == [late["id"]] and flagged["total"] == 1
    others = ok(h.get("/dossiers", params={"step_overdue": "false"}))
    assert [d["id"] for d in others["items"]] == [fresh["id"]]

    page = browser("handler")
    worklist = page.get("/app/worklist", params={"step_overdue": "true"})
    assert worklist.status_code == 200
    assert late["code"] in worklist.text and fresh["code"] not in worklist.text
    assert "quá hạn bước" in worklist.text
    detail = page.get(f"/app/dossiers/{late['id']}")
    assert "Thời hạn từng bước" in detail.text and "06/01/2026" in detail.text
    assert 'class="days late">Quá hạn' in detail.text

    assert queue_daily_digest(engine, clock.set(2026, 1, 7, 7)) >= 1
    with read_session(engine) as s:
        row = s.exec(
            select(Outbox).where(
                Outbox.template == "daily_digest",
                Outbox.recipient == "digest@managers.example.org",
            )
        ).one()
    assert row.context["intake_overdue_dossiers"] == [
        {
            "code": late["code"],
            "subject": late["subject"],
            "received_on": "2025-12-31",
            "due_date": "2026-01-06",
            "assignee": None,
            "working_days_late": 1,
        }
    ]
    mail = render("daily_digest", "vi", row.context)
    assert late["code"] in mail.text and fresh["code"] not in mail.text

    # Late is a breach to report, not a lock: the handler still accepts; the check is done late.
    clock.set(2026, 1, 7, 10)
    accepted = act(h, late["id"], "accept")
    steps = _steps(accepted)
    assert steps["intake"]["status"] == "done_late" and accepted["step_overdue"] is False
    assert steps["requests"]["due_date"] == "2026-01-09"
    assert ok(h.get("/dossiers", params={"step_overdue": "true"}))["total"] == 0
