"""Each step of a dossier's review as a named, tagged Prefect flow run, one task per message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from config.settings import get_settings
from flows.dossier_step import rerun_dossier_step
from flows.runtime import Runtime, engine_for
from flows.service.dossier_steps import ClaimedStep
from flows.step_runner import StepRunner
from models.db import read_session, write_session
from models.dossier_step import DossierStep
from models.outbox import Outbox
from notifications.delivery import deliver_once
from tests.integration.conftest import Client, SmtpServer
from tests.integration.helpers import act, ok, operation_issue


@pytest.fixture
def configured(
    database_url: str, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The flows' settings: this test's database and SMTP server."""
    monkeypatch.setenv("NGO_REVIEW_DATABASE_URL", database_url)
    monkeypatch.setenv("NGO_REVIEW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NGO_REVIEW_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("NGO_REVIEW_SECRET_KEY", "step-test-secret")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    engine_for(database_url).dispose()
    engine_for.cache_clear()


def _runtime(engine: Engine, clock: Callable[[], datetime] | None = None) -> Runtime:
    """The runtime serve would pass the runner: this test's engine and settings."""
    if clock is None:
        return Runtime(engine, get_settings())
    return Runtime(engine, get_settings(), clock)


def _review(client: Client) -> dict[str, Any]:
    """Received, accepted, consulted (the required agencies), one answer."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    d = act(h, d["id"], "consult")
    bca = next(c for c in d["consultations"] if c["agency"] == "BCA")
    ok(client("BCA").post(f"/consultations/{bca['id']}/response", json={"opinion": "agree"}))
    return d


def _steps(engine: Engine, dossier_id: str) -> list[DossierStep]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(DossierStep)
                .where(DossierStep.dossier_id == dossier_id)
                .order_by(DossierStep.version)
            ).all()
        )


async def test_prefect_shows_each_step_by_name_and_tag_with_a_task_per_agency(
    prefect_harness: None, configured: None, client: Client, engine: Engine, smtp: SmtpServer
) -> None:
    """receive, accept, consult, respond: runs tagged with the dossier; a task per request."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterTags,
        TaskRunFilter,
    )
    from prefect.client.schemas.sorting import ArtifactSort, FlowRunSort, TaskRunSort

    d = _review(client)
    code = d["code"]
    steps = _steps(engine, d["id"])
    assert [s.name for s in steps] == ["receive", "accept", "consult", "respond"]
    assert {s.status for s in steps} == {"pending"}
    requested = {t["name"] for t in steps[2].tasks}
    assert "request BCA" in requested and "request UBND-HUE" in requested

    assert await StepRunner(_runtime(engine)).run_due() == 4
    assert {s.status for s in _steps(engine, d["id"])} == {"done"}
    assert len(smtp.inbox.to("ubnd-qt@agencies.example.org")) == 1
    assert smtp.inbox.to("bca@agencies.example.org") == []  # answered before its mail went
    assert await StepRunner(_runtime(engine)).run_due() == 0  # done once, whatever runs again

    async with get_client() as prefect:
        runs = await prefect.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"dossier:{code}"])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=50,
        )
        # The harness is shared by the whole session: keep this dossier's runs (codes repeat).
        runs = [r for r in runs if r.parameters.get("dossier_id") == d["id"]]
        assert [r.name for r in runs] == [
            f"{step} {code}" for step in ("receive", "accept", "consult", "respond")
        ]
        consult = runs[2]
        assert {"procedure:ngo.operation.issue", "step:consult"} <= set(consult.tags)
        assert all(r.state is not None and r.state.is_completed() for r in runs)
        tasks = await prefect.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[consult.id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC,
            limit=50,
        )
        assert requested <= {t.name for t in tasks}
        # Untagged: a tagged task run would first ask the server for tag concurrency slots.
        assert not any(t.tags for t in tasks)
        artifacts = await prefect.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"dossier-{code.lower()}"])),
            flow_run_filter=FlowRunFilter(),
            task_run_filter=TaskRunFilter(),
            sort=ArtifactSort.CREATED_DESC,
            limit=50,
        )
        assert artifacts, "no dossier artifact"
        table = str(artifacts[0].data)
        assert "consult" in table and "respond" in table and "requests" in table

    rerun = await rerun_dossier_step(steps[2].id)  # what the dossier-step deployment runs
    assert requested <= set(rerun["tasks"])
    assert len(smtp.inbox.to("ubnd-qt@agencies.example.org")) == 1  # sent once, still
    events = await _events(f"ngo-review.dossier.{code}")
    assert {"ngo-review.dossier.accept", "ngo-review.dossier.consult"} <= {
        e["event"] for e in events
    }
    consulted = next(e for e in events if e["event"] == "ngo-review.dossier.consult")
    related = {r["prefect.resource.id"] for r in consulted["related"]}
    assert "ngo-review.agency.UBND-HUE" in related


async def _events(resource: str) -> list[dict[str, Any]]:
    """Events of a resource, through the server's own events API (relayed events are async)."""
    import asyncio

    from prefect import get_client

    async with get_client() as prefect:
        for _ in range(50):
            answer = await prefect._client.post(
                "/events/filter",
                json={"filter": {"resource": {"id": [resource]}}, "limit": 50},
            )
            answer.raise_for_status()
            found: list[dict[str, Any]] = answer.json()["events"]
            if len(found) >= 3:
                return found
            await asyncio.sleep(0.2)
        return found


async def test_a_failing_step_waits_with_back_off_and_then_runs_once(
    prefect_harness: None, configured: None, client: Client, engine: Engine, smtp: SmtpServer
) -> None:
    """The flow call fails while Prefect answers: the step is pending again with back-off;
    later it runs, once."""
    d = _review(client)
    now = datetime.now(UTC)

    async def unreachable(step: ClaimedStep) -> str | None:
        raise ConnectionError("Prefect is down")

    away = StepRunner(_runtime(engine, lambda: now), run=unreachable)
    assert await away.run_due() == 4
    waiting = _steps(engine, d["id"])
    assert {s.status for s in waiting} == {"pending"}
    assert all(
        s.next_attempt_at > now and "Prefect is down" in (s.last_error or "") for s in waiting
    )
    assert smtp.inbox.to("ubnd-qt@agencies.example.org") == []
    assert await StepRunner(_runtime(engine, lambda: now)).run_due() == 0  # not due yet

    back = StepRunner(_runtime(engine, lambda: now + timedelta(minutes=1)))
    assert await back.run_due() == 4
    assert {s.status for s in _steps(engine, d["id"])} == {"done"}
    assert len(smtp.inbox.to("ubnd-qt@agencies.example.org")) == 1


async def test_while_prefect_is_away_steps_wait_for_it_and_run_once_when_it_answers(
    prefect_harness: None, configured: None, client: Client, engine: Engine, smtp: SmtpServer
) -> None:
    """No attempt is spent on an outage: the batch goes back due now, the runner probes
    Prefect's health, and every step runs once as soon as it answers."""
    d = _review(client)
    up = False
    probes = 0

    async def probe() -> bool:
        nonlocal probes
        probes += 1
        return up or probes > 3

    async def unreachable(step: ClaimedStep) -> str | None:
        raise ConnectionError("Prefect is down")

    away = StepRunner(_runtime(engine), run=unreachable, probe=probe, probe_seconds=0.01)
    assert await away.run_due() == 0 and away.prefect_away
    waiting = _steps(engine, d["id"])
    assert {s.status for s in waiting} == {"pending"}
    assert all(s.attempts == 0 for s in waiting)  # the outage is not the steps' fault
    assert smtp.inbox.to("ubnd-qt@agencies.example.org") == []

    await asyncio.wait_for(away.wait_for_prefect(), timeout=5)
    assert probes > 3
    back = StepRunner(_runtime(engine), probe=probe)
    assert await back.run_due() == 4 and not back.prefect_away
    assert {s.status for s in _steps(engine, d["id"])} == {"done"}
    assert all(s.attempts == 1 for s in _steps(engine, d["id"]))
    assert len(smtp.inbox.to("ubnd-qt@agencies.example.org")) == 1


async def test_smtp_down_costs_one_attempt_per_back_off_not_one_per_step_retry(
    prefect_harness: None, configured: None, client: Client, engine: Engine, smtp: SmtpServer
) -> None:
    """A step tries each message once; while SMTP is down the outbox's back-off governs: steps
    run again by the runner spend no attempt, and delivery sends it once after the back-off."""
    smtp.stop()
    d = _review(client)
    assert await StepRunner(_runtime(engine)).run_due() == 4
    assert {s.status for s in _steps(engine, d["id"])} == {"done"}
    with read_session(engine) as s:
        mail = s.exec(
            select(Outbox).where(Outbox.recipient == "ubnd-qt@agencies.example.org")
        ).one()
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert mail.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)  # 30 s back-off

    step = next(s for s in _steps(engine, d["id"]) if s.name == "consult")
    with write_session(engine) as s:  # as if the runner ran the step again
        row = s.get(DossierStep, step.id)
        assert row is not None
        row.status, row.next_attempt_at = "pending", datetime.now(UTC)
        s.add(row)
    assert await StepRunner(_runtime(engine)).run_due() == 1
    with read_session(engine) as s:
        assert s.get(Outbox, mail.id).attempts == 1  # type: ignore[union-attr]

    smtp.start()
    later = mail.next_attempt_at + timedelta(seconds=1)
    summary = await deliver_once(engine, get_settings(), clock=lambda: later)
    assert summary.sent >= 1
    assert len(smtp.inbox.to("ubnd-qt@agencies.example.org")) == 1
    await deliver_once(engine, get_settings(), clock=lambda: later + timedelta(hours=1))
    assert len(smtp.inbox.to("ubnd-qt@agencies.example.org")) == 1


async def test_steps_of_different_dossiers_run_side_by_side_and_each_dossier_in_order(
    configured: None, client: Client, engine: Engine
) -> None:
    """concurrency 3: up to three steps at once, never two of one dossier, each in its order;
    when Prefect stops answering, what had not run waits for it with no attempt counted."""
    ids = [_review(client)["id"] for _ in range(3)]
    flight: set[str] = set()
    most = 0
    order: dict[str, list[str]] = {}

    async def run(step: ClaimedStep) -> str | None:
        nonlocal most
        assert step.dossier_id not in flight
        flight.add(step.dossier_id)
        most = max(most, len(flight))
        await asyncio.sleep(0.05)
        order.setdefault(step.dossier_id, []).append(step.id)
        flight.discard(step.dossier_id)
        return None

    runner = StepRunner(_runtime(engine), run=run, concurrency=3)
    assert await runner.run_due() == 12
    assert most == 3
    assert all(order[d] == [s.id for s in _steps(engine, d)] for d in ids)  # by version

    more = [_review(client)["id"] for _ in range(2)]
    calls = 0

    async def away(step: ClaimedStep) -> str | None:
        nonlocal calls
        calls += 1
        raise ConnectionError("Prefect is down")

    async def down() -> bool:
        return False

    stopped = StepRunner(_runtime(engine), run=away, probe=down, concurrency=3)
    assert await stopped.run_due() == 0 and stopped.prefect_away
    assert calls <= 2  # one per dossier at most, then nothing more starts
    waiting = [s for d in more for s in _steps(engine, d)]
    assert len(waiting) == 8 and all(s.status == "pending" and s.attempts == 0 for s in waiting)
