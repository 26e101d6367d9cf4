"""A local Prefect server for `ngo-review serve`, started and stopped with it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from config.settings import child_environment

# The local server's own services wake every 5-20 s by default to look for late, paused,
# cancelled or expired work; serve schedules nothing through Prefect and never pauses a run, so
# once a minute is plenty and keeps the idle server near 0 % of a core (bench/idle.py).
QUIET_SERVICES = {
    # glibc's per-thread malloc arenas hold freed memory; two keep the server's RSS steady.
    "MALLOC_ARENA_MAX": "2",
    **{
        f"PREFECT_SERVER_SERVICES_{name}": "60"
        for name in (
            "SCHEDULER_LOOP_SECONDS",
            "SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS",
            "LATE_RUNS_LOOP_SECONDS",
            "PAUSE_EXPIRATIONS_LOOP_SECONDS",
            "FOREMAN_LOOP_SECONDS",
            "CANCELLATION_CLEANUP_LOOP_SECONDS",
            "REPOSSESSOR_LOOP_SECONDS",
            "CLEANUP_RECONCILER_LOOP_SECONDS",
        )
    },
}


def free_port(*preferred: int | None) -> int:
    """The first preferred port free on 127.0.0.1, else any free one."""
    for port in preferred:
        if port is None:
            continue
        with socket.socket() as s:
            # As uvicorn binds: connections of the last run in TIME_WAIT must not count as "in
            # use", or every quick restart would move the Prefect UI to a new port.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPrefectServer:
    """`prefect server start` on 127.0.0.1 with its SQLite home under var/prefect."""

    def __init__(self, home: Path, port: int = 4200) -> None:
        self.home = home.resolve()
        # If the port is taken, the one of the last run: the UI keeps its address when it can.
        self.port = free_port(port, self._last_port())
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    def _last_port(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.home / "port").read_text())
        return None

    def start(self, timeout: float = 120.0) -> str:
        """Start it and wait for its health check; returns its API URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "port").write_text(str(self.port))
        env = child_environment(
            QUIET_SERVICES,  # unless set in the environment
            {
                "PREFECT_HOME": str(self.home),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_SERVER_API_HOST": "127.0.0.1",
                "PREFECT_SERVER_API_PORT": str(self.port),
            },
            drop=("PREFECT_API_URL",),
        )
        if self._stopping.is_set():
            raise RuntimeError("stopped before the Prefect server started")
        log = (self.home / "server.log").open("ab")
        # Its own session: a Ctrl+C at the terminal reaches serve only, which stops it in order.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ngo_review.quiet_prefect",  # `prefect`, its worker polling less often
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--analytics-off",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child holds its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stopping.is_set():
            if self.process.poll() is not None:
                raise RuntimeError(f"Prefect server exited; see {self.home / 'server.log'}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        stopped = self._stopping.is_set()
        self.stop()
        if stopped:
            raise RuntimeError("stopped before the Prefect server started")
        raise RuntimeError(f"Prefect server did not start in {timeout:.0f} s")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM its process group, wait, SIGKILL what is left; safe to call twice."""
        self._stopping.set()
        if self.process is None:
            return
        group = self.process.pid  # its own session leader, so also its process group
        if self.process.poll() is None:
            _signal_group(group, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever it started and left behind (or the server itself, if it did not stop).
        _signal_group(group, signal.SIGKILL)
        self.process.wait()


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)
