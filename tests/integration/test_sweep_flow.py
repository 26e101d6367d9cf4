"""The deadline-sweep Prefect flow and its deployment, under Prefect's own test harness."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from flows.deadline_sweep import deadline_sweep
from flows.deliver_notifications import deliver_notifications
from flows.deployments import build_deployments
from flows.runtime import engine_for
from flows.schedule import default_jobs
from tests.conftest import Clock
from tests.integration.conftest import Client, SmtpServer
from tests.integration.helpers import act, issue_certificate, ok, operation_issue
from tests.integration.test_deadline_sweep import _consulted


@pytest.fixture
def configured(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the flows' settings at this test's database."""
    monkeypatch.setenv("NGO_REVIEW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    engine_for(database_url).dispose()
    engine_for.cache_clear()


async def test_flow_fires_due_timers_once(
    prefect_harness: None, configured: None, engine: Engine
) -> None:
    """The flow as Prefect runs it: one reminder, then nothing on a second run."""
    _consulted(engine)
    first = await deadline_sweep(as_of="2026-12-04T00:00:00+07:00")
    assert (first["fired"], first["reminders"]) == (1, 1)
    second = await deadline_sweep(as_of="2026-12-04T00:00:00+07:00")
    assert second["fired"] == 0
    later = await deadline_sweep(as_of="2026-12-09T00:00:00+07:00")
    assert later["overdue"] == 1


async def test_the_flow_shows_the_obligations_as_a_task_of_their_own(
    prefect_harness: None, configured: None, engine: Engine, client: Client, clock: Clock
) -> None:
    """Signed Fri 4 Dec 2026: on 19 Dec the bank notice and the 2026 report are overdue; the
    flow run has the timers' task and the obligations' task."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    issue_certificate(client, clock)
    result = await deadline_sweep(as_of="2026-12-19T08:00:00+07:00", return_state=True)
    summary = await result.result()
    assert (summary["obligations_reminded"], summary["obligations_overdue"]) == (0, 2)
    async with get_client() as prefect:
        runs = await prefect.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[result.state_details.flow_run_id])
            ),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC,
            limit=10,
        )
    names = sorted(r.name.rsplit("-20", 1)[0] for r in runs)
    assert names == ["fire-due-timers", "ngo-obligations"]
    again = await deadline_sweep(as_of="2026-12-19T08:00:00+07:00")
    assert again["obligations_overdue"] == 0


async def test_serve_builds_the_deployments_without_schedules(prefect_harness: None) -> None:
    """Deployments only for a manual run: their schedules run in process (flows/schedule.py)."""
    sweep, deliver, digest, rerun = await build_deployments()
    assert (rerun.name, rerun.flow_name) == ("dossier-step", "rerun-dossier-step")
    assert (sweep.name, sweep.flow_name) == ("deadline-sweep", "deadline-sweep")
    assert (deliver.name, digest.name) == ("deliver-notifications", "daily-digest")
    assert not (sweep.schedules or deliver.schedules or digest.schedules)


def test_the_in_process_schedule_keeps_the_cadence() -> None:
    """Sweep on the minute, delivery every 30 s, digest at 07:00 Mon-Fri in Hanoi."""
    from datetime import UTC, datetime

    jobs = {job.name: job for job in default_jobs()}
    friday = datetime(2026, 12, 4, 2, 31, 10, tzinfo=UTC)  # 09:31:10 in Hanoi
    assert jobs["deadline-sweep"].next_fire(friday) == datetime(2026, 12, 4, 2, 32, tzinfo=UTC)
    half = datetime(2026, 12, 4, 2, 31, 30, tzinfo=UTC)
    assert jobs["deliver-notifications"].next_fire(friday) == half
    assert jobs["daily-digest"].next_fire(friday) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert jobs["deadline-sweep"].then == ("deliver-notifications",)


def test_actions_work_and_health_reports_when_prefect_is_down(
    client: Client, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Human actions never wait on Prefect: a dead PREFECT_API_URL changes nothing for them."""
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    h = client("handler")
    health = ok(h.get("/health"))
    assert health == {"status": "ok", "database": "ok", "prefect": "unavailable"}
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    view = act(h, d["id"], "consult", {"agencies": ["BCA"], "working_days": 1})
    assert view["consultations"][0]["status"] == "requested"


async def test_delivery_flow_sends_through_real_smtp(
    prefect_harness: None,
    configured: None,
    engine: Engine,
    smtp: SmtpServer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """deliver-notifications as Prefect runs it: the queued mail arrives once."""
    monkeypatch.setenv("NGO_REVIEW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NGO_REVIEW_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("NGO_REVIEW_SECRET_KEY", "flow-test-secret")
    get_settings.cache_clear()
    _consulted(engine)
    first = await deliver_notifications()
    assert (first["sent"], first["failed"]) == (2, 0)  # receipt (applicant) + request (BCA)
    assert (await deliver_notifications())["sent"] == 0
    assert len(smtp.inbox.to("bca@agencies.example.org")) == 1
