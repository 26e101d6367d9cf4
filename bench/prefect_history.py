"""How much Prefect history each dossier step and each periodic run leaves behind.

Drives N issuance lifecycles through the service layer on a fresh SQLite file, runs their steps
with the step runner against a throwaway Prefect server (Prefect's own test harness: SQLite),
then counts the rows and bytes each Prefect table gained per step; does the same for the
periodic flows (sweep, delivery). Run: .venv/bin/python bench/prefect_history.py [--dossiers 10]
Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lifecycle import PAYLOAD, one_lifecycle  # noqa: E402
from config.settings import Settings  # noqa: E402
from flows.runtime import Runtime, using  # noqa: E402
from flows.service.admin import ensure_reference_agencies  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.schemas import DossierCreate  # noqa: E402
from notifications.sink import SmtpSink  # noqa: E402

TABLES = ("flow_run", "flow_run_state", "task_run", "task_run_state", "log", "artifact")
EVENT_TABLES = ("events", "event_resources")


def lifecycles(url: str, n: int) -> None:
    """n issuance lifecycles, as bench/lifecycle.py runs them."""
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    payload = DossierCreate.model_validate(PAYLOAD)
    now = datetime.now(UTC) - timedelta(days=5)
    for _ in range(n):
        one_lifecycle(engine, payload, now)
    engine.dispose()


def measure(db: Path) -> dict[str, tuple[int, int]]:
    """Rows and bytes (pages of the table and its indexes, from dbstat) of each table."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes: dict[str, int] = {}
        for _name, tbl, size in conn.execute(
            "SELECT d.name, m.tbl_name, SUM(d.pgsize) FROM dbstat d"
            " JOIN sqlite_master m ON m.name = d.name GROUP BY d.name"
        ):
            sizes[tbl] = sizes.get(tbl, 0) + int(size)
        return {
            t: (int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]), sizes.get(t, 0))
            for t in (*TABLES, *EVENT_TABLES)
        }


def per(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], n: int
) -> dict[str, Any]:
    """What each of n units added: rows per table and bytes in all."""
    rows = {t: round((after[t][0] - before[t][0]) / n, 2) for t in after}
    total = sum(after[t][1] - before[t][1] for t in after)
    return {"rows": rows, "bytes": round(total / n)}


async def settle(seconds: float = 3.0) -> None:
    """Let Prefect's background workers write their events and logs."""
    await asyncio.sleep(seconds)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure inside a throwaway Prefect server."""
    from prefect.settings import get_current_settings
    from prefect.testing.utilities import prefect_test_harness
    from sqlmodel import select

    from flows.deadline_sweep import deadline_sweep
    from flows.deliver_notifications import deliver_notifications
    from flows.step_runner import StepRunner
    from models.db import read_session
    from models.dossier_step import DossierStep

    with tempfile.TemporaryDirectory() as tmp, prefect_test_harness():
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        sink = SmtpSink(Path(tmp) / "mail")
        port = sink.start()
        settings = Settings(var_dir=Path(tmp), database_url=url, smtp_host="127.0.0.1")
        settings = settings.model_copy(update={"smtp_port": port})
        engine = make_engine(url)
        runtime = Runtime(engine, settings)
        prefect_db = Path(
            get_current_settings()
            .server.database.connection_url.get_secret_value()
            .split(  # type: ignore[union-attr]
                ":///", 1
            )[1]
        )
        try:
            await _periodic(runtime, deliver_notifications, 1)  # warm up: flows registered
            lifecycles(url, args.dossiers)
            with read_session(engine) as session:
                steps = len(session.exec(select(DossierStep.id)).all())
            await settle()
            before = measure(prefect_db)
            done = await StepRunner(runtime).run_due()
            await settle()
            after_steps = measure(prefect_db)
            sweeps = await _periodic(runtime, deadline_sweep, args.periodic)
            await settle()
            after_sweeps = measure(prefect_db)
            await _periodic(runtime, deliver_notifications, args.periodic)
            await settle()
            after_delivery = measure(prefect_db)
        finally:
            engine.dispose()
            sink.stop()
        per_sweep = per(after_steps, after_sweeps, sweeps)
        per_delivery = per(after_sweeps, after_delivery, args.periodic)
        return {
            "dossiers": args.dossiers,
            "steps": steps,
            "steps_run": done,
            "per_step": per(before, after_steps, done),
            "per_sweep_run": per_sweep,
            "per_delivery_run": per_delivery,
            # serve's schedule: a sweep each minute, a delivery each 30 s.
            "periodic_bytes_per_day": per_sweep["bytes"] * 1440 + per_delivery["bytes"] * 2880,
        }


async def _periodic(runtime: Runtime, flow: Callable[[], Awaitable[Any]], n: int) -> int:
    with using(runtime):
        for _ in range(n):
            await flow()
    return n


def main() -> None:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=10)
    parser.add_argument("--periodic", type=int, default=10)
    result = asyncio.run(run(parser.parse_args()))
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
