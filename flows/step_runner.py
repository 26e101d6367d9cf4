"""The step runner of `serve` and `worker`: claims due dossier steps and runs each as a flow run.

Woken at once after a commit in this process (`wake`), and on PostgreSQL by `LISTEN/NOTIFY` from
other processes; polls as a fallback. A step that cannot run (Prefect unreachable, a message not
accepted) goes back to pending with back-off, so nothing is lost; its deterministic id and the
outbox's own claims mean nothing is done twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial

import anyio

from flows.prefect_health import prefect_answers
from flows.runtime import Runtime, using
from flows.service import dossier_steps
from flows.service.dossier_steps import ClaimedStep

log = logging.getLogger("ngo_review.steps")

Runner = Callable[[ClaimedStep], Awaitable[str | None]]
Probe = Callable[[], Awaitable[bool]]


class StepRunner:
    """Runs due steps, `concurrency` at a time (settings.step_concurrency).

    One at a time against a Prefect server on SQLite (the local one locks under concurrent flow
    runs: p95 30 s at 4, ../shared/PREFECT.md); 2-4 against one on PostgreSQL (docker-compose).
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        poll_seconds: float = 5.0,
        batch: int = 10,
        concurrency: int | None = None,
        run: Runner | None = None,
        probe: Probe | None = None,
        probe_seconds: float = 2.0,
    ) -> None:
        self.runtime = runtime
        self.engine = runtime.engine
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.concurrency = max(1, concurrency or runtime.settings.step_concurrency)
        self._run = run
        self._probe = probe or partial(prefect_reachable, runtime.settings.prefect_api_url)
        self.probe_seconds = probe_seconds
        self.prefect_away = False
        self._clock = runtime.clock
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Something was committed: look for due steps now (safe from any thread)."""
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._wake.set)
        else:
            self._wake.set()

    async def run_due(self) -> int:
        """Run every step due now; how many ran (done or sent back to wait).

        When a step fails because Prefect does not answer, it and the rest of the batch go back
        to pending with no attempt counted, and `prefect_away` is set: `run` then waits for
        Prefect's health check instead of spending every step's back-off on the outage.
        """
        ran = 0
        self.prefect_away = False
        while True:
            claimed = await anyio.to_thread.run_sync(
                lambda: dossier_steps.claim_steps(self.engine, self._clock(), self.batch)
            )
            if not claimed:
                return ran
            done, waiting = await self._run_batch(claimed)
            ran += done
            if waiting:
                await anyio.to_thread.run_sync(
                    dossier_steps.release_steps,
                    self.engine,
                    waiting,
                    self._clock(),
                    "Prefect does not answer",
                )
                return ran

    async def _run_batch(self, claimed: list[ClaimedStep]) -> tuple[int, list[str]]:
        """Dossiers side by side (at most `concurrency` steps at once), each dossier's steps in
        order; how many ran, and the ids left to wait for Prefect when it stopped answering."""
        chains: dict[str, list[ClaimedStep]] = {}
        for step in claimed:
            chains.setdefault(step.dossier_id, []).append(step)
        gate = asyncio.Semaphore(self.concurrency)
        ran = 0
        waiting: list[str] = []

        async def chain(steps: list[ClaimedStep]) -> None:
            nonlocal ran
            for i, step in enumerate(steps):
                async with gate:
                    ok = not self.prefect_away and await self._one(step)
                if not ok:
                    self.prefect_away = True
                    waiting.extend(s.id for s in steps[i:])
                    return
                ran += 1

        await asyncio.gather(*(chain(steps) for steps in chains.values()))
        return ran, waiting

    async def wait_for_prefect(self) -> None:
        """Probe Prefect's health every `probe_seconds` until it answers."""
        while not await self._probe():
            await asyncio.sleep(self.probe_seconds)
        log.info("Prefect answers again; running the steps that waited")

    async def _one(self, step: ClaimedStep) -> bool:
        """Run one step; False when it failed because Prefect is away (nothing recorded)."""
        run = self._run or _prefect_run
        try:
            with using(self.runtime):
                flow_run_id = await run(step)
        except Exception as exc:  # noqa: BLE001 - any failure: the step waits and is retried
            if not await self._probe():
                log.warning("Prefect does not answer; steps wait for it (%s)", exc)
                return False
            error = f"{type(exc).__name__}: {exc}"
            later = await anyio.to_thread.run_sync(
                lambda: dossier_steps.mark_retry(self.engine, step.id, self._clock(), error)
            )
            log.warning(
                "step %s %s not done (%s); retry at %s", step.name, step.dossier_code, exc, later
            )
            return True
        await anyio.to_thread.run_sync(
            lambda: dossier_steps.mark_done(self.engine, step.id, self._clock(), flow_run_id)
        )
        return True

    async def _sleep(self) -> None:
        """Until woken, the next pending step's time, or the poll interval."""
        due = await anyio.to_thread.run_sync(lambda: dossier_steps.next_due(self.engine))
        timeout = self.poll_seconds
        if due is not None:
            timeout = min(timeout, max((due - self._clock()).total_seconds(), 0.0))
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)
        except TimeoutError:
            pass
        self._wake.clear()

    async def run(self) -> None:
        """Run steps until cancelled."""
        self._loop = asyncio.get_running_loop()
        stop_waking = dossier_steps.on_commit(self.wake)
        listener = asyncio.create_task(self._listen())
        try:
            while True:
                try:
                    await self.run_due()
                except Exception as exc:  # noqa: BLE001 - the database may be briefly away
                    log.warning("step runner pass failed: %s", exc)
                if self.prefect_away:
                    await self.wait_for_prefect()
                else:
                    await self._sleep()
        finally:
            stop_waking()
            listener.cancel()

    async def _listen(self) -> None:
        """On PostgreSQL, wake on NOTIFY from other processes' commits."""
        from models.db import is_postgres

        if not is_postgres(self.engine):
            return
        from flows.service.step_notify import listen

        await listen(self.engine, self.wake)


async def prefect_reachable(api_url: str) -> bool:
    """Whether the configured Prefect server answers (True when none is configured: the flows
    then run against Prefect's own ephemeral or test server)."""
    return not api_url or await prefect_answers(api_url)


async def _prefect_run(step: ClaimedStep) -> str | None:
    # Imported here: Prefect reads its settings (PREFECT_API_URL) when first imported.
    from flows.dossier_step import run_step

    return await run_step(step)
