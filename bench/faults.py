"""Fault runs: load on the production topology while the API, the delivery or the SMTP server fails.

The topology of docker-compose, on 127.0.0.1: a Prefect server, `ngo-review serve --api-only`,
`ngo-review worker` (the step runner and periodic delivery that send the mail), an aiosmtpd sink
as the SMTP server, and a throwaway PostgreSQL database (or an SQLite file). Clients run full
lifecycles (bench/harness.py) for --seconds, retrying with the same Idempotency-Key whenever an
answer is lost. A third of the way in:
  api     SIGKILL the API process, start it again at once;
  worker  SIGKILL the worker in the middle of sending, start it again at once;
  smtp    stop the SMTP server (connections refused) for --smtp-down seconds, then start it.
Then the run waits until the outbox and the dossier steps are drained (--settle at most) and
counts: every 2xx action once in the audit trail, `ngo-review check` on the database, e-mails
expected (outbox rows not skipped), sent (in the sink's Maildir) and duplicated (a Message-ID,
fixed per outbox row, twice).
Run: .venv/bin/python bench/faults.py [api worker smtp] [--seconds 180] [--clients 16]
     [--database postgres|sqlite] [--smtp-down 60] [--settle 420]
Prints one JSON object per scenario, keyed by scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import (
    POSTGRES_ADMIN_URL,
    Clients,
    Service,
    Sink,
    audit_counts,
    backlog,
    clean_env,
    database,
    free_port,
    mail_counts,
    run_check,
    seed,
    settle,
    traffic,
)

from ngo_review.prefect_server import LocalPrefectServer

SCENARIOS = ("api", "worker", "smtp")


class Stack:
    """The processes of one scenario: API, workers and the SMTP sink, sharing one database."""

    def __init__(self, tmp: Path, url: str, prefect_url: str, workers: int) -> None:
        self.sink = Sink(tmp / "mail")
        self.port = free_port()
        env = clean_env(
            NGO_REVIEW_DATABASE_URL=url,
            NGO_REVIEW_SECRET_KEY=secrets.token_urlsafe(32),
            NGO_REVIEW_BASE_URL=f"http://127.0.0.1:{self.port}",
            NGO_REVIEW_SMTP_HOST="127.0.0.1",
            NGO_REVIEW_SMTP_PORT=str(self.sink.port),
            NGO_REVIEW_SMTP_TIMEOUT="10",
            PREFECT_API_URL=prefect_url,
            PREFECT_HOME=str(tmp / "prefect-client"),
        )
        self.api = Service(
            ["serve", "--api-only", "--port", str(self.port)],
            {**env, "NGO_REVIEW_VAR_DIR": str(tmp / "var-api")},
            tmp,
            tmp / "api.log",
            health_url=f"http://127.0.0.1:{self.port}/health",
        )
        self.workers = [
            Service(
                ["worker"],
                {**env, "NGO_REVIEW_VAR_DIR": str(tmp / f"var-w{i}")},
                tmp,
                tmp / f"worker{i}.log",
            )
            for i in range(workers)
        ]

    def start(self) -> None:
        """SMTP sink, API, workers."""
        self.sink.start()
        self.api.start()
        for w in self.workers:
            w.start()

    def stop(self) -> dict[str, Any]:
        """Everything, in reverse; exit codes and whether a log shows a traceback."""
        codes = {f"worker{i}": w.stop() for i, w in enumerate(self.workers)}
        codes["api"] = self.api.stop()
        self.sink.stop()
        logs = [self.api.log, *(w.log for w in self.workers)]
        return {
            "exit_codes": codes,
            "tracebacks_in_logs": {
                p.name: p.read_text(errors="replace").count("Traceback") for p in logs
            },
        }


async def _fault(name: str, stack: Stack, url: str, at: float, down: float) -> dict[str, Any]:
    """Wait `at` seconds, then do the scenario's fault; what was done, and when."""
    await asyncio.sleep(at)
    t0 = time.monotonic()
    if name == "api":
        stack.api.kill()
        restart = await asyncio.to_thread(stack.api.start)
        return {"api_sigkilled_at_s": round(at, 1), "api_back_after_s": restart}
    if name == "worker":
        # Kill it while it is sending: when the outbox holds messages being sent, or soon after.
        while time.monotonic() - t0 < 20:
            open_now = await asyncio.to_thread(backlog, url)
            if open_now["outbox_sending"]:
                break
            await asyncio.sleep(0.05)
        for w in stack.workers:
            w.kill()
        killed = time.monotonic() - t0 + at
        await asyncio.to_thread(stack.workers[0].start)
        for w in stack.workers[1:]:
            await asyncio.to_thread(w.start)
        return {"worker_sigkilled_at_s": round(killed, 1), "backlog_at_kill": open_now}
    stack.sink.stop()
    await asyncio.sleep(down)
    stack.sink.start()
    return {"smtp_down_from_s": round(at, 1), "smtp_down_for_s": round(time.monotonic() - t0, 1)}


def scenario(name: str, args: argparse.Namespace, prefect_url: str, root: Path) -> dict[str, Any]:
    """One scenario on its own database and processes; its JSON result."""
    tmp = root / name
    tmp.mkdir()
    with database(args.database, tmp, args.postgres_admin_url) as url:
        tokens = seed(url)
        stack = Stack(tmp, url, prefect_url, args.workers)
        stack.start()
        try:
            load = Clients(f"http://127.0.0.1:{stack.port}", tokens)

            async def both() -> tuple[float, dict[str, Any]]:
                fault = asyncio.create_task(
                    _fault(name, stack, url, args.seconds / 3, args.smtp_down)
                )
                elapsed = await load.run(args.clients, args.seconds)
                return elapsed, await fault

            elapsed, fault = asyncio.run(both())
            waited = settle(url, args.settle)
            left = backlog(url)
        finally:
            ended = stack.stop()
        return {
            "scenario": name,
            "database": args.database,
            "clients": args.clients,
            "workers": args.workers,
            "fault": fault,
            "load": traffic(load.record, elapsed),
            "audit": audit_counts(url, load.record),
            "mail": mail_counts(url, tmp / "mail"),
            "settle_seconds": waited,
            "left_after_settle": left,
            "check": run_check(url, tmp),
            **ended,
        }


def main() -> None:
    """Start a Prefect server, run each scenario, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--smtp-down", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=420.0, help="drain at most (s)")
    parser.add_argument("--workdir", help="keep logs, Maildir and SQLite files here")
    args = parser.parse_args()
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario: {', '.join(sorted(unknown))}")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        root = Path(args.workdir or tmp_name)
        root.mkdir(parents=True, exist_ok=True)
        prefect = LocalPrefectServer(root / "prefect", port=free_port())
        prefect_url = prefect.start()
        try:
            for name in args.scenarios or SCENARIOS:
                results[name] = scenario(name, args, prefect_url, root)
                sys.stderr.write(json.dumps(results[name]) + "\n")
        finally:
            prefect.stop()
    sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
