"""Periodic flows called in this process: sweep each minute, delivery each 30 s, digest at 07:00.

Each tick is still a Prefect flow run (named `<flow> <local time>`, visible in the UI), but it
runs here instead of in a new ~120 MB subprocess per run as a served deployment would. A wake-up
of the delivery after a commit sends at once without a flow run (`Job.woken`); the message's
task in the dossier's step run then shows it sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from flows.calendar import VN_TZ
from flows.runtime import Runtime, using

log = logging.getLogger("ngo_review.schedule")

SWEEP = "deadline-sweep"
DELIVERY = "deliver-notifications"
DIGEST = "daily-digest"

# Sleep at most this long at once, so a wall-clock jump (suspend, NTP) delays a tick by no more.
_MAX_NAP = 60.0

_current: Scheduler | None = None


def next_every(seconds: int, after: datetime) -> datetime:
    """The first instant strictly after `after` on a multiple of `seconds` (UTC epoch)."""
    epoch = int(after.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds + seconds, UTC)


def next_weekday_at(hour: int, minute: int, after: datetime) -> datetime:
    """The first Monday-Friday hour:minute in Asia/Ho_Chi_Minh strictly after `after`."""
    local = after.astimezone(VN_TZ)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    while candidate <= local or candidate.weekday() >= 5:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


def _never(_result: Any) -> bool:
    return False


@dataclass(frozen=True)
class Job:
    """A flow to call on a schedule; after a run whose result passes `did_work`, wake `then`."""

    name: str
    flow: Any  # a prefect Flow returning an awaitable when called
    next_fire: Callable[[datetime], datetime]
    time_format: str = "%Y-%m-%dT%H:%M"
    then: tuple[str, ...] = ()
    did_work: Callable[[Any], bool] = _never
    # A cheap query: on a tick (not a wake-up) with nothing to do, no flow run is made, so an
    # idle server costs no Prefect run per tick. None: always run.
    has_work: Callable[[Engine, datetime], bool] | None = None
    # A wake-up (an action just committed here) runs this directly instead of a flow run, so the
    # action's mail never waits on the Prefect server: the local one, on SQLite, stalls up to
    # 60 s (its busy timeout) under write contention (bench/notify.py). Ticks stay flow runs.
    woken: Callable[[Runtime], Awaitable[Any]] | None = None


def default_jobs() -> list[Job]:
    """What serve and worker run: sweep every minute, delivery every 30 s, digest 07:00 Mon-Fri."""
    # Imported here: Prefect reads PREFECT_API_URL when first used, after serve has set it.
    from flows.daily_digest import daily_digest
    from flows.deadline_sweep import deadline_sweep
    from flows.deliver_notifications import deliver_notifications
    from flows.service import outbox, sweep
    from notifications.delivery import deliver_now

    # Fired timers and a queued digest write outbox rows: deliver them now, not at the next tick.
    return [
        Job(
            SWEEP,
            deadline_sweep,
            lambda t: next_every(60, t),
            then=(DELIVERY,),
            did_work=lambda summary: bool(summary.get("fired")),
            has_work=sweep.has_due,
        ),
        Job(
            DELIVERY,
            deliver_notifications,
            lambda t: next_every(30, t),
            "%Y-%m-%dT%H:%M:%S",
            has_work=outbox.has_due,
            woken=deliver_now,
        ),
        Job(
            DIGEST,
            daily_digest,
            lambda t: next_weekday_at(7, 0, t),
            then=(DELIVERY,),
            did_work=lambda queued: bool(queued),
        ),
    ]


def _now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """One loop per job; a run is never started while the same job's previous one is going."""

    def __init__(self, jobs: list[Job], runtime: Runtime | None = None) -> None:
        self.jobs = {job.name: job for job in jobs}
        # Without a runtime (tests of the loop itself), flows use the environment's settings.
        self.runtime = runtime
        self.clock = runtime.clock if runtime is not None else _now
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events = {name: asyncio.Event() for name in self.jobs}
        self._runs: set[asyncio.Task[Any]] = set()
        self._stopping = False

    def wake(self, name: str) -> None:
        """Run job `name` now (or right after its current run); safe from any thread."""
        if name not in self._events or self._loop is None:
            return
        try:
            running_here = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            running_here = False
        if running_here:
            self._events[name].set()
        else:
            self._loop.call_soon_threadsafe(self._events[name].set)

    async def run(self) -> None:
        """Run every job's loop until cancelled; the current scheduler while it runs."""
        global _current  # noqa: PLW0603 - the one in-process scheduler the API may wake
        self._loop = asyncio.get_running_loop()
        _current = self
        try:
            async with asyncio.TaskGroup() as group:
                for job in self.jobs.values():
                    group.create_task(self._job_loop(job), name=f"schedule {job.name}")
        finally:
            if _current is self:
                _current = None

    async def drain(self, grace: float) -> None:
        """Start nothing new; give runs in progress up to `grace` seconds to finish."""
        self._stopping = True
        if self._runs:
            await asyncio.wait(set(self._runs), timeout=grace)

    async def _job_loop(self, job: Job) -> None:
        """Wait for the next fire time or a wake-up, run, repeat; failures are only logged."""
        while True:
            due = job.next_fire(self.clock())
            woken = await self._wait(job.name, due)
            if self._stopping:
                return
            when = self.clock() if woken else due
            if not woken and not await self._has_work(job, when):
                continue
            run: asyncio.Task[Any] = asyncio.create_task(self._run_once(job, when, woken))
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)
            result = await run
            if result is not None and job.did_work(result):
                for other in job.then:
                    self.wake(other)

    async def _has_work(self, job: Job, when: datetime) -> bool:
        """Whether a tick of `job` has anything to do (True when it cannot tell)."""
        if job.has_work is None or self.runtime is None:
            return True
        try:
            return await asyncio.to_thread(job.has_work, self.runtime.engine, when)
        except Exception as exc:  # noqa: BLE001 - the run itself reports a database outage
            log.warning("%s: could not tell whether work is due (%s); running", job.name, exc)
            return True

    async def _wait(self, name: str, due: datetime) -> bool:
        """Sleep until `due` or a wake-up; whether it was a wake-up."""
        event = self._events[name]
        while not event.is_set() and (left := (due - self.clock()).total_seconds()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(left, _MAX_NAP))
        woken = event.is_set()
        event.clear()  # a wake-up during the run below asks for one more run after it
        return woken

    async def _run_once(self, job: Job, when: datetime, woken: bool) -> Any:
        """Run the job once: as a named Prefect flow run, or a wake-up directly (`Job.woken`);
        its result, None if it failed."""
        stamp = when.astimezone(VN_TZ).strftime(job.time_format)
        run_name = f"{job.name} {stamp}" + (" (woken)" if woken else "")
        runtime = self.runtime
        try:
            with using(runtime) if runtime is not None else contextlib.nullcontext():
                if woken and job.woken is not None and runtime is not None:
                    return await job.woken(runtime)
                return await job.flow.with_options(flow_run_name=run_name)()
        except Exception:  # one failed run (or Prefect down) must not stop the schedule
            log.exception("%s failed; the next tick retries", run_name)
            return None


def current() -> Scheduler | None:
    """The scheduler running in this process, if any."""
    return _current


def wake(name: str) -> bool:
    """Wake job `name` of this process's scheduler; False when none runs here."""
    scheduler = _current
    if scheduler is None or name not in scheduler.jobs:
        return False
    scheduler.wake(name)
    return True
