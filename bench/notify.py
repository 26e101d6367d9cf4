"""Time from an API action to its e-mail accepted by the SMTP server, embedded setup.

Starts `ngo-review serve --demo` (local Prefect server, local SMTP sink, SQLite) in a temporary
directory, waits until the demo's own steps and mail have been drained for 65 s (past the
first sweep, which fires the demo timers already due), then accepts N dossiers one by one and
reads when the sink stored each receipt.

With `--outage S`, it then stops the local Prefect server for S seconds, accepts more dossiers
while it is away, starts it again on the same port and home, and counts that every receipt of
those actions arrives exactly once and that no dossier step is left pending.
Run: .venv/bin/python bench/notify.py [--samples 20] [--pause 2.0] [--outage 60]
Prints JSON (p50, p95, max in seconds; the outage's outcome).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mailbox
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes, policy
from pathlib import Path

import httpx

from ngo_review.prefect_server import LocalPrefectServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accept(client: httpx.Client, email: str, label: str) -> float:
    """File an issuance dossier for `email` and accept it (its receipt goes to `email`); when
    the accept was sent."""
    d = client.post(
        "/dossiers",
        json={
            "procedure": "ngo.operation.issue",
            "subject": f"bench {label}",
            "applicant": {"name": "Bench", "country": "Norway", "email": email},
            "provinces": ["Huế"],
            "activity_fields": ["health"],
            "home_registration_valid_until": "2035-12-31",
        },
    ).json()
    at = time.time()
    r = client.post(f"/dossiers/{d['id']}/actions/accept", json={})
    assert r.status_code == 200, r.text
    return at


def _arrivals(box_path: Path, wanted: set[str]) -> dict[str, list[float]]:
    """When the sink stored each message to a wanted address (all of them, to see duplicates)."""
    found: dict[str, list[float]] = {}
    box = mailbox.Maildir(box_path, create=False)
    for key in box.keys():
        msg = message_from_bytes(box.get_bytes(key), policy=policy.default)
        rcpt = str(msg["X-Envelope-To"])
        if rcpt in wanted:
            files = list(box_path.glob(f"*/{key}*"))
            found.setdefault(rcpt, []).append(files[0].stat().st_mtime)
    box.close()
    return found


def _wait_arrivals(box_path: Path, wanted: set[str], timeout: float) -> dict[str, list[float]]:
    """Poll the sink until every wanted address has mail, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        found = _arrivals(box_path, wanted)
        if len(found) == len(wanted) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def _pending_steps(db: Path) -> int:
    """Dossier steps not yet done."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT count(*) FROM dossierstep WHERE status != 'done'").fetchone()
    return int(row[0])


def _wait_steps(db: Path, timeout: float) -> float:
    """Poll until no dossier step is left to run; when that was (monotonic)."""
    deadline = time.monotonic() + timeout
    while _pending_steps(db) and time.monotonic() < deadline:
        time.sleep(1)
    return time.monotonic()


def _steps_run_twice(var: Path) -> int:
    """Steps with more than one completed flow run in Prefect (each must run once)."""
    with contextlib.closing(sqlite3.connect(var / "prefect" / "prefect.db")) as conn:
        rows = conn.execute(
            "SELECT json_extract(parameters, '$.step_id') AS step, count(*) FROM flow_run"
            " WHERE state_type = 'COMPLETED' AND step IS NOT NULL GROUP BY step"
        ).fetchall()
    return sum(1 for _step, count in rows if count > 1)


def _open_work(db: Path) -> int:
    """Steps not yet done and messages not yet sent (pending or being sent)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM dossierstep WHERE status != 'done')"
            " + (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))"
        ).fetchone()
    return int(row[0])


def _wait_quiet(db: Path, quiet: float, timeout: float) -> float:
    """Wait until no step or message has been open for `quiet` seconds; how long that took.

    `quiet` longer than a sweep tick: the demo's timers that are already due fire at the first
    sweep after start, and their steps and mail belong to the start-up, not to the samples.
    """
    start = time.monotonic()
    calm_since: float | None = None
    while time.monotonic() - start < timeout:
        now = time.monotonic()
        if _open_work(db):
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since >= quiet:
            break
        time.sleep(1)
    return round(time.monotonic() - start, 1)


def _outage(
    client: httpx.Client, var: Path, seconds: float, actions: int
) -> dict[str, float | int | None]:
    """Stop the local Prefect server, act while it is away, start it again; what happened."""
    home = var / "prefect"
    port = int((home / "port").read_text())
    _stop_server(port)
    stopped = time.monotonic()
    wanted = {f"outage{i}@bench.example.org" for i in range(actions)}
    for i, email in enumerate(sorted(wanted)):
        _accept(client, email, f"outage {i}")
        time.sleep(max(0.0, seconds / actions - 0.2))
    time.sleep(max(0.0, seconds - (time.monotonic() - stopped)))
    during = _arrivals(var / "mail", wanted)
    away = LocalPrefectServer(home, port=port)
    if away.port != port:
        raise SystemExit(f"port {port} still taken; cannot bring Prefect back on it")
    away.start()
    returned = time.monotonic()
    try:
        found = _wait_arrivals(var / "mail", wanted, timeout=900)
        last = time.monotonic()
        steps_done = _wait_steps(var / "ngo-review.db", timeout=900)
        time.sleep(10)  # anything sent twice would arrive now
        found = _arrivals(var / "mail", wanted)
        return {
            "outage_seconds": round(returned - stopped, 1),
            "actions_while_away": actions,
            "mails_while_away": sum(len(v) for v in during.values()),
            "mails_after_return": sum(len(v) for v in found.values()),
            "duplicates": sum(len(v) - 1 for v in found.values()),
            "missing": len(wanted - found.keys()),
            "seconds_after_return_until_all_sent": round(last - returned, 1),
            "seconds_after_return_until_steps_done": round(steps_done - returned, 1),
            "steps_pending_after": _pending_steps(var / "ngo-review.db"),
            "steps_run_more_than_once": _steps_run_twice(var),
        }
    finally:
        away.stop()


def _stop_server(port: int) -> None:
    """SIGTERM the `prefect server start` on `port` (started by serve) and wait until it exits."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"server" in argv and b"start" in argv and str(port).encode() in argv:
                pid = int(proc.name)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGTERM)
                deadline = time.monotonic() + 30
                while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
                return
    raise SystemExit(f"no Prefect server on port {port}")


def main() -> None:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between actions")
    parser.add_argument("--outage", type=float, default=0.0, help="seconds Prefect is away")
    parser.add_argument("--outage-actions", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="copy serve's var/ (database, logs) here")
    args = parser.parse_args()
    outage: dict[str, float | int | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
        proc = subprocess.Popen(
            [sys.executable, "-m", "ngo_review.cli", "serve", "--demo", "--port", str(port)],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).json().get("prefect") == "ok":
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("serve did not come up")
                time.sleep(0.5)
            # The demo's own dossiers leave a backlog of steps and mail: measure after it.
            backlog = _wait_quiet(Path(tmp) / "var" / "ngo-review.db", quiet=65, timeout=900)
            tokens = json.loads((Path(tmp) / "var" / "demo-tokens.json").read_text())
            handler = {"Authorization": f"Bearer {tokens['handler: Nguyễn Văn An']}"}
            sent_at: dict[str, float] = {}
            var = Path(tmp) / "var"
            with httpx.Client(base_url=base, headers=handler, timeout=30) as client:
                for i in range(args.samples):
                    email = f"bench{i}@bench.example.org"
                    sent_at[email] = _accept(client, email, str(i))
                    time.sleep(args.pause)
                found = _wait_arrivals(var / "mail", set(sent_at), timeout=120)
                arrived = {rcpt: min(times) for rcpt, times in found.items()}
                if args.outage:
                    outage = _outage(client, var, args.outage, args.outage_actions)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            if args.keep:
                shutil.copytree(Path(tmp) / "var", args.keep, dirs_exist_ok=True)
    delays = sorted(arrived[e] - sent_at[e] for e in arrived)
    # inclusive: with few samples the default method extrapolates past the largest one
    q = statistics.quantiles(delays, n=20, method="inclusive") if len(delays) >= 2 else delays * 19
    sys.stdout.write(
        json.dumps(
            {
                "samples": len(sent_at),
                "delivered": len(delays),
                "p50_seconds": round(statistics.median(delays), 2) if delays else None,
                "p95_seconds": round(q[18], 2) if delays else None,
                "max_seconds": round(delays[-1], 2) if delays else None,
                "demo_backlog_seconds": backlog,
                **outage,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
