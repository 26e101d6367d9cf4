"""Throughput and latency of the real API under mixed actions from many clients, and its 503s.

Starts `ngo-review serve --api-only` (the production API process) on a fresh SQLite file or a
throwaway PostgreSQL database, seeds tokens (handler, leader, six agencies), then N concurrent
clients run full lifecycles for D seconds: create, read, accept, consult, each agency's read and
answer, list, propose, sign, history (20 requests, 11 of them writes). Afterwards every action
answered 2xx is looked up in the audit trail and `ngo-review check` runs on the database.

`--rate R` drives an open loop instead: lifecycles start at a fixed pace, R requests per second
offered whatever the answers (a closed loop of N clients slows down with the server and hides
its queueing); latency is then what a request arriving at that rate sees.

`--overload` runs many more clients than NGO_REVIEW_MAX_IN_FLIGHT: the 503 rate and the p99 of
the accepted requests show whether the server refuses at once instead of queueing.
Run: .venv/bin/python bench/load.py [--database sqlite|postgres] [--clients 16] [--seconds 60]
     .venv/bin/python bench/load.py --rate 200 [--seconds 60]
     .venv/bin/python bench/load.py --overload [--max-in-flight 16] [--clients 128]
Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from harness import (
    POSTGRES_ADMIN_URL,
    Clients,
    Service,
    audit_counts,
    clean_env,
    database,
    free_port,
    run_check,
    seed,
    traffic,
)

from config.settings import Settings


def main() -> None:
    """Start the API, drive the load, count, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--clients", type=int, default=None, help="default 16, overload 128")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=None, help="open loop: requests/s offered")
    parser.add_argument("--overload", action="store_true", help="clients >> max in flight")
    parser.add_argument(
        "--max-in-flight", type=int, default=None, help="NGO_REVIEW_MAX_IN_FLIGHT (overload: 16)"
    )
    args = parser.parse_args()
    clients = args.clients or (128 if args.overload else 16)
    max_in_flight = args.max_in_flight
    if max_in_flight is None and args.overload:
        max_in_flight = 16
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with database(args.database, tmp, args.postgres_admin_url) as url:
            tokens = seed(url)
            port = free_port()
            env = clean_env(
                NGO_REVIEW_DATABASE_URL=url,
                NGO_REVIEW_VAR_DIR=str(tmp / "var"),
                # Nothing is delivered here (no worker), but no local sink either.
                NGO_REVIEW_SMTP_HOST="127.0.0.1",
                NGO_REVIEW_SMTP_PORT=str(free_port()),
            )
            if max_in_flight is not None:
                env["NGO_REVIEW_MAX_IN_FLIGHT"] = str(max_in_flight)
            api = Service(
                ["serve", "--api-only", "--port", str(port)],
                env,
                tmp,
                tmp / "api.log",
                health_url=f"http://127.0.0.1:{port}/health",
            )
            api.start()
            try:
                load = Clients(f"http://127.0.0.1:{port}", tokens)
                if args.rate:
                    elapsed = asyncio.run(load.run_open(args.rate, args.seconds))
                else:
                    elapsed = asyncio.run(load.run(clients, args.seconds))
            finally:
                exit_code = api.stop()
            result = {
                "database": args.database,
                "clients": None if args.rate else clients,
                "offered_requests_per_second": args.rate,
                "max_in_flight": max_in_flight or Settings.model_fields["max_in_flight"].default,
                **traffic(load.record, elapsed),
                "audit": audit_counts(url, load.record),
                "check": run_check(url, tmp),
                "api_exit_code": exit_code,
                "traceback_in_api_log": "Traceback"
                in (tmp / "api.log").read_text(errors="replace"),
            }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
