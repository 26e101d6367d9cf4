"""The in-process schedule under Prefect's test harness: run names, failures, wake-ups, stop."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import Engine

from api.background import AfterCommit
from config.settings import Settings
from flows.runtime import Runtime
from flows.schedule import DELIVERY, DIGEST, SWEEP, Job, Scheduler, current, default_jobs
from flows.service.outbox import has_due
from tests.integration.conftest import SmtpServer
from tests.integration.test_deadline_sweep import _consulted


def _soon(t: datetime) -> datetime:
    return t + timedelta(seconds=0.2)


def _never(t: datetime) -> datetime:
    return t + timedelta(days=1)


async def _runs_of(flow_name: str) -> list[FlowRun]:
    async with get_client() as client:
        return await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=50,
        )


async def _until(condition: object, timeout: float = 20) -> None:
    """Wait until the callable returns true."""
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)


async def test_a_failed_run_is_logged_and_the_schedule_goes_on(prefect_harness: None) -> None:
    """Run 1 raises, runs 2 and 3 still happen; each is a Prefect run named `<job> <time>`."""
    name = f"flaky-{uuid.uuid4().hex[:8]}"
    calls: list[int] = []

    @flow(name=name)
    async def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return len(calls)

    task = asyncio.create_task(Scheduler([Job(name, flaky, _soon)]).run())
    try:
        await _until(lambda: len(calls) >= 3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    runs = await _runs_of(name)
    assert runs[0].state_type == StateType.FAILED
    assert any(r.state_type == StateType.COMPLETED for r in runs[1:])
    assert all(r.name.startswith(f"{name} 20") for r in runs)


async def test_a_tick_with_nothing_due_makes_no_flow_run_but_a_wake_up_does(
    prefect_harness: None, engine: Engine
) -> None:
    """`has_work` false: ticks pass without a Prefect run (an idle server costs none); once it
    is true a tick runs, and a wake-up runs whatever it says."""
    name = f"idle-{uuid.uuid4().hex[:8]}"
    due = False
    checks: list[datetime] = []
    runs: list[int] = []

    def has_work(eng: Engine, now: datetime) -> bool:
        assert eng is engine
        checks.append(now)
        return due

    @flow(name=name)
    async def job() -> None:
        runs.append(1)

    runtime = Runtime(engine, Settings())
    scheduler = Scheduler([Job(name, job, _soon, has_work=has_work)], runtime)
    task = asyncio.create_task(scheduler.run())
    try:
        await _until(lambda: len(checks) >= 5)
        assert runs == []
        scheduler.wake(name)
        await _until(lambda: len(runs) == 1)
        due = True
        await _until(lambda: len(runs) >= 3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    flow_runs = await _runs_of(name)
    assert flow_runs[0].name.endswith("(woken)")
    assert not any(r.name.endswith("(woken)") for r in flow_runs[1:])


async def test_the_default_jobs_see_due_timers_and_messages(engine: Engine) -> None:
    """The sweep's check finds a due timer, the delivery's a due message; nothing when idle."""
    jobs = {job.name: job for job in default_jobs()}
    sweep_due, deliver_due = jobs[SWEEP].has_work, jobs[DELIVERY].has_work
    assert sweep_due is not None and deliver_due is not None and jobs[DIGEST].has_work is None
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert not sweep_due(engine, now) and not deliver_due(engine, now)
    _consulted(engine)  # a reminder due on 2026-12-04 and request messages queued
    assert sweep_due(engine, datetime(2026, 12, 10, tzinfo=UTC))
    assert deliver_due(engine, datetime.now(UTC) + timedelta(seconds=1))


async def test_a_wake_up_runs_now_and_never_twice_at_once(prefect_harness: None) -> None:
    """Three wake-ups during a slow run: one more run after it, never two at the same time."""
    name = f"slow-{uuid.uuid4().hex[:8]}"
    state = {"running": 0, "most": 0, "runs": 0}

    @flow(name=name)
    async def slow() -> None:
        state["running"] += 1
        state["most"] = max(state["most"], state["running"])
        await asyncio.sleep(0.5)
        state["running"] -= 1
        state["runs"] += 1

    scheduler = Scheduler([Job(name, slow, _never)])
    task = asyncio.create_task(scheduler.run())
    try:
        await asyncio.sleep(0.1)
        scheduler.wake(name)
        await _until(lambda: state["running"] == 1)
        for _ in range(3):
            scheduler.wake(name)
        await _until(lambda: state["runs"] == 2)
        await asyncio.sleep(0.8)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert (state["runs"], state["most"]) == (2, 1)
    assert all(r.name.endswith("(woken)") for r in await _runs_of(name))


async def test_after_commit_wakes_only_the_schedule_of_this_process(
    prefect_harness: None, engine: Engine
) -> None:
    """No schedule here (API-only): nothing, no deployment run per action. With one: delivery is
    woken, and the sweep only when a timer falls due within a minute."""
    _consulted(engine)  # its reminder falls due on 2026-12-04
    ran = {DELIVERY: asyncio.Event(), SWEEP: asyncio.Event()}

    @flow(name=f"deliver-{uuid.uuid4().hex[:8]}")
    async def deliver() -> None:
        ran[DELIVERY].set()

    @flow(name=f"sweep-{uuid.uuid4().hex[:8]}")
    async def sweep() -> None:
        ran[SWEEP].set()

    before = AfterCommit(engine, lambda: datetime(2026, 12, 1, tzinfo=UTC))
    after = AfterCommit(engine, lambda: datetime(2026, 12, 10, tzinfo=UTC))
    assert current() is None
    await after()
    assert not any(e.is_set() for e in ran.values())
    jobs = [Job(DELIVERY, deliver, _never), Job(SWEEP, sweep, _never)]
    task = asyncio.create_task(Scheduler(jobs).run())
    try:
        await _until(lambda: current() is not None)
        await before()
        await asyncio.wait_for(ran[DELIVERY].wait(), 20)
        await asyncio.sleep(0.5)
        assert not ran[SWEEP].is_set()  # nothing due within a minute of 1 December
        await after()
        await asyncio.wait_for(ran[SWEEP].wait(), 20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert current() is None
    assert len(await _runs_of(sweep.name)) == 1  # delivery: once or twice (wakes may fold)


async def test_a_wake_up_delivers_at_once_with_no_flow_run_even_if_prefect_is_away(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """After a commit the delivery sends directly: an action's mail never waits on the Prefect
    server (here none answers at all); only its ticks are flow runs."""
    _consulted(engine)  # the request to BCA and the staff notices are queued
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        jobs = [job for job in default_jobs() if job.name == DELIVERY]
        scheduler = Scheduler(jobs, Runtime(engine, settings))
        task = asyncio.create_task(scheduler.run())
        try:
            await _until(lambda: current() is not None)
            scheduler.wake(DELIVERY)
            await _until(lambda: bool(smtp.inbox.to("bca@agencies.example.org")), 30)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert not has_due(engine, datetime.now(UTC) + timedelta(seconds=1))


async def test_shutdown_during_a_run_leaves_it_crashed_not_running(prefect_harness: None) -> None:
    """Drain gives up after its grace; cancelling the scheduler ends the run Crashed."""
    name = f"stuck-{uuid.uuid4().hex[:8]}"
    started = asyncio.Event()

    @flow(name=name)
    async def stuck() -> None:
        started.set()
        await asyncio.sleep(60)

    scheduler = Scheduler([Job(name, stuck, _never)])
    task = asyncio.create_task(scheduler.run())
    await asyncio.sleep(0.1)
    scheduler.wake(name)
    await asyncio.wait_for(started.wait(), 20)
    await scheduler.drain(grace=0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    (run,) = await _runs_of(name)
    assert run.state_type in {StateType.CRASHED, StateType.CANCELLED}
