"""Idle cost of the embedded `ngo-review serve`: CPU of one core and RSS, serve and its children.

Starts the real `ngo-review serve` (embedded defaults: local Prefect server, SMTP sink, SQLite)
in a temporary directory on free 127.0.0.1 ports, waits until /health reports Prefect ok and a
warm-up has passed, samples CPU time and RSS of serve and all its descendants from /proc over
--seconds (default 300), prints JSON, then stops serve with SIGTERM and reports how it ended.
Run: .venv/bin/python bench/idle.py [--seconds 300] [--warmup 30]
Targets (issue 11): idle CPU <= 3 % of a core in total, steady RSS <= 450 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TICK = os.sysconf("SC_CLK_TCK")
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1e6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, CPU seconds including reaped children, RSS MB) from /proc, None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name may hold spaces: cut after ")"
    # fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17, rss is 24.
    cpu = sum(int(x) for x in fields[11:15]) / TICK
    return int(fields[1]), cpu, int(fields[21]) * PAGE_MB


def _tree(root: int) -> dict[int, tuple[float, float]]:
    """{pid: (CPU s, RSS MB)} of root and every live descendant."""
    stats: dict[int, tuple[int, float, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (s := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = s
    wanted, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, _) in stats.items():
            if ppid == parent and pid not in wanted:
                wanted.add(pid)
                frontier.append(pid)
    return {pid: stats[pid][1:] for pid in wanted if pid in stats}


def _label(pid: int, root: int) -> str:
    """A short name for a process: serve, Prefect server or what its command line says."""
    if pid == root:
        return "ngo-review serve"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "(gone)"
    if any(name in cmd for name in ("prefect server", "quiet_prefect server", "prefect.server")):
        return "prefect server"
    return cmd[:80]


@dataclass
class Samples:
    """CPU at the window's ends and RSS every few seconds, per process."""

    first: dict[int, tuple[float, float]]
    rss: dict[int, list[float]] = field(default_factory=dict)
    totals: list[float] = field(default_factory=list)

    def add(self, tree: dict[int, tuple[float, float]]) -> None:
        """Record one RSS sample of every process."""
        for pid, (_, rss) in tree.items():
            self.rss.setdefault(pid, []).append(rss)
        self.totals.append(sum(rss for _, rss in tree.values()))


def measure(root: int, seconds: float, every: float = 5.0) -> dict[str, object]:
    """Sample the tree of `root` for `seconds`; CPU % of one core and RSS MB."""
    started = time.monotonic()
    samples = Samples(first=_tree(root))
    samples.add(samples.first)
    while (left := started + seconds - time.monotonic()) > 0:
        time.sleep(min(every, left))
        last = _tree(root)
        samples.add(last)
    elapsed = time.monotonic() - started
    processes = []
    for pid, (cpu, _) in last.items():
        before = samples.first.get(pid, (0.0, 0.0))[0]
        processes.append(
            {
                "pid": pid,
                "name": _label(pid, root),
                "cpu_percent": round(100 * (cpu - before) / elapsed, 2),
                "rss_mb": round(statistics.median(samples.rss[pid]), 1),
            }
        )
    # A process that ended inside the window had its CPU moved to its parent when reaped.
    total = sum(c for c, _ in last.values()) - sum(c for c, _ in samples.first.values())
    return {
        "seconds": round(elapsed, 1),
        "cpu_percent_of_one_core": round(100 * total / elapsed, 2),
        "rss_mb_steady": round(statistics.median(samples.totals), 1),
        "rss_mb_max": round(max(samples.totals), 1),
        "processes": sorted(processes, key=lambda p: -float(p["rss_mb"])),  # type: ignore[arg-type]
    }


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, timeout: float = 180) -> float:
    """Seconds until /health answers with Prefect ok; exits if serve dies or is too slow."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited with {proc.returncode} before it was healthy")
        try:
            if httpx.get(f"{base}/health", timeout=2).json().get("prefect") == "ok":
                return time.monotonic() - started
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise SystemExit("serve did not become healthy in time")


def _stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> dict[str, object]:
    """SIGTERM serve; its exit code and how long it took."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return {"exit_code": code, "stop_seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    """Start serve, measure, print JSON, stop serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300, help="length of the window")
    parser.add_argument("--warmup", type=float, default=30, help="seconds after healthy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
        env["NGO_REVIEW_VAR_DIR"] = str(Path(tmp) / "var")
        env["NGO_REVIEW_PREFECT_PORT"] = str(_free_port())
        log_path = Path(tmp) / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ngo_review.cli", "serve", "--port", str(port)],
                cwd=tmp,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            ready = _wait_healthy(proc, f"http://127.0.0.1:{port}")
            time.sleep(args.warmup)
            result = {"ready_seconds": round(ready, 1), **measure(proc.pid, args.seconds)}
        finally:
            if proc.poll() is None:
                result_stop = _stop(proc)
            else:
                result_stop = {"exit_code": proc.returncode, "stop_seconds": 0.0}
        output = log_path.read_text(errors="replace")
        result.update(result_stop)
        result["traceback_in_output"] = "Traceback" in output
    print(json.dumps(result, indent=2))  # noqa: T201 - the benchmark's report


if __name__ == "__main__":
    main()
