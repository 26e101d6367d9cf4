"""Run serve's parts together; stop them all on SIGTERM/SIGINT or when the API fails."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn

log = logging.getLogger("ngo_review.serve")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stop:
    """Set once by SIGTERM or SIGINT (handled in the event loop: no KeyboardInterrupt)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def set(self) -> None:
        """Ask for shutdown; safe from a plain signal handler or another thread."""
        self._loop.call_soon_threadsafe(self.event.set)

    def _received(self, sig: signal.Signals) -> None:
        if not self.event.is_set():
            log.info("%s received: shutting down", sig.name)
        self.event.set()

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """Route SIGTERM and SIGINT here while the block runs (its cleanup included)."""
        for sig in SIGNALS:
            self._loop.add_signal_handler(sig, self._received, sig)
        try:
            yield
        finally:
            for sig in SIGNALS:
                self._loop.remove_signal_handler(sig)


class ApiServer(uvicorn.Server):
    """uvicorn without its own signal handling: it re-raises the signal after shutdown, which
    would end the process with -15 or a KeyboardInterrupt traceback; serve stops it instead."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the process's signal handlers as serve set them."""
        yield

    async def serve_or_fail(self) -> None:
        """Serve; a failed start (uvicorn calls sys.exit) becomes an ordinary error."""
        try:
            await self.serve()
        except SystemExit as exc:
            raise RuntimeError(
                f"the API did not start (exit {exc.code}); see the log above"
            ) from None


def _report(task: asyncio.Task[Any]) -> None:
    """A background loop that ends by itself is logged; the API keeps serving."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("%s stopped: %r", task.get_name(), exc, exc_info=exc)


async def supervise(
    stop: Stop,
    loops: dict[str, Callable[[], Awaitable[None]]],
    *,
    api: ApiServer | None = None,
    drain: Callable[[], Awaitable[None]] | None = None,
    grace: float = 10.0,
) -> None:
    """Run the API and the named loops until a stop signal (or the API ends), then stop all.

    Order on the way out: the API stops accepting, running flows get `drain` to finish, then
    the loops are cancelled (an interrupted Prefect flow run ends Crashed, not Running).
    """
    tasks = [asyncio.create_task(_call(factory), name=name) for name, factory in loops.items()]
    for task in tasks:
        task.add_done_callback(_report)
    api_task = asyncio.create_task(api.serve_or_fail(), name="api") if api else None
    stopped = asyncio.create_task(stop.event.wait(), name="stop")
    try:
        await asyncio.wait([t for t in (stopped, api_task) if t], return_when="FIRST_COMPLETED")
    finally:
        if api is not None:
            api.should_exit = True
        if drain is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(drain(), grace)
        for task in tasks:
            task.cancel()
        stopped.cancel()
        done = [*tasks, *([api_task] if api_task else [])]
        await asyncio.wait(done, timeout=grace)
    if api_task is not None and api_task.done() and not api_task.cancelled():
        if (exc := api_task.exception()) is not None:
            raise exc


async def _call(factory: Callable[[], Awaitable[None]]) -> None:
    await factory()
