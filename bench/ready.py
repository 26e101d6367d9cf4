"""How long the README's first command takes until `serve` is ready, warm (installed already).

Runs `bash scripts/start.sh --port P` in this checkout --runs times, its state in one temporary
NGO_REVIEW_VAR_DIR; each time measures from launch to the API's /health answering with Prefect
ok, then stops it with SIGINT. The first run may install and creates the databases; the warm
figures are of the runs after it (nothing changed: no reinstall, databases already there).
Run: .venv/bin/python bench/ready.py [--runs 3]
Prints JSON: seconds to ready per run, and whether each printed that pip ran.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_start(var: Path) -> dict[str, object]:
    """Start, wait for ready, stop; seconds to ready and whether it installed."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
    env["NGO_REVIEW_VAR_DIR"] = str(var)
    start = time.monotonic()
    proc = subprocess.Popen(
        ["bash", "scripts/start.sh", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = None
    try:
        while time.monotonic() - start < 300 and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                if health.get("prefect") == "ok":
                    ready = time.monotonic() - start
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    return {
        "ready_seconds": round(ready, 1) if ready is not None else None,
        "installed": "==> installing ngo-review" in out,
    }


def main() -> None:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_start(Path(tmp) / "var") for _ in range(args.runs)]
    warm = [r["ready_seconds"] for r in runs[1:] if r["ready_seconds"] is not None]
    result = {"runs": runs, "warm_ready_seconds_max": max(warm) if warm else None}
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
