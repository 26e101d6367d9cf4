"""`ngo-review serve` stops cleanly on SIGTERM and SIGINT: exit 0, no traceback, no orphans."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(root: int) -> set[int]:
    """Every live process below `root`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found: set[int] = set()
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = {pid for pid, ppid in parents.items() if ppid == parent} - found
        found |= children
        frontier.extend(children)
    return found


def _alive(pid: int) -> bool:
    """Running and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _serve_then_stop(
    cwd: Path, env: dict[str, str], sig: signal.Signals
) -> tuple[int, str, set[int]]:
    """Start serve, wait for /health with Prefect ok, send `sig`; (exit code, output, children)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ngo_review.cli", "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                if health.get("prefect") == "ok":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            assert time.monotonic() < deadline, "serve did not answer /health in time"
            time.sleep(0.3)
        children = _descendants(proc.pid)
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, children


def test_sigterm_and_sigint_stop_everything_and_keep_the_prefect_port(tmp_path: Path) -> None:
    """Each signal: exit 0, no traceback, the Prefect server gone; a restart reuses its port."""
    prefect_port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
    env["NGO_REVIEW_PREFECT_PORT"] = str(prefect_port)
    for sig in (signal.SIGTERM, signal.SIGINT):
        code, out, children = _serve_then_stop(tmp_path, env, sig)
        assert code == 0, out
        assert "Traceback" not in out, out
        assert f"Starting a local Prefect server on http://127.0.0.1:{prefect_port}/api" in out
        assert children, "serve started no Prefect server"
        deadline = time.monotonic() + 10
        while any(map(_alive, children)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)], f"orphans after {sig.name}"
        assert _port_free(prefect_port)
        assert "ngo-review stopped." in out
