"""Deadline sweep: timers fired per second, and an empty sweep's time at 10k–1M open dossiers;
then the register's pass: an empty sweep beside open NGO obligations, and obligations marked
overdue per second (each NGO re-scored).

Run: .venv/bin/python bench/sweep.py [--sizes 10000 100000 1000000] [--fire 2000]
      [--obligations 100000] [--overdue 1000]
      [--database-url URL]   (default: a fresh SQLite file in a temporary directory)
Prints JSON. Dossiers are bulk-inserted in review with their two pending dossier timers
(at risk, late) in the future, so an empty sweep has open work to ignore. `ngo-review check`
runs on the database it leaves (check_ok).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import run_check  # noqa: E402
from sqlalchemy import Engine, insert  # noqa: E402

from flows.calendar import WorkingCalendar  # noqa: E402
from flows.engine.timers import after, start_of  # noqa: E402
from flows.service.sweep import sweep  # noqa: E402
from models.audit import AuditEvent  # noqa: E402
from models.audit_chain import DOSSIER_FIELDS, GENESIS, chain_hash  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.dossier import Dossier  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.ngo import Ngo  # noqa: E402
from models.obligation import Obligation  # noqa: E402
from models.timer import Timer  # noqa: E402

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)


CAL = WorkingCalendar()


def _trail(did: str) -> list[dict]:
    """The dossier's two chained audit events (received, accepted): version 2, as `check`
    expects of a dossier at version 2."""
    events, prev = [], GENESIS
    for action, before, after_, at in (
        ("receive", None, "received", NOW - timedelta(days=60)),
        ("accept", "received", "in_review", NOW - timedelta(days=59)),
    ):
        content = {
            "dossier_id": did,
            "at": at,
            "actor": "bench",
            "actor_role": "handler",
            "action": action,
            "from_status": before,
            "to_status": after_,
            "details": {},
        }
        digest = chain_hash(content, DOSSIER_FIELDS, prev)
        events.append({**content, "prev_hash": prev, "hash": digest})
        prev = digest
    return events


def _rows(n: int, start: int, due: date) -> tuple[list[dict], list[dict], list[dict]]:
    # Timers exactly as the engine derives them, so a sweep's reconcile keeps them.
    late_at, risk_at = after(due), start_of(CAL.add_working_days(due, -3))
    dossiers, timers, audit = [], [], []
    for i in range(start, start + n):
        did = str(uuid.UUID(int=i + 1))
        dossiers.append(
            {
                "id": did,
                "code": f"BENCH-{i:08d}",
                "procedure": "ngo.operation.issue",
                "procedure_version": 1,
                "status": "in_review",
                "applicant_name": "Bench NGO",
                "applicant_country": "Norway",
                "applicant_email": "bench@example.org",
                "applicant_language": "en",
                "subject": "bench",
                "fields": {},
                "progress": {},
                "received_at": NOW - timedelta(days=60),
                "received_by": "bench",
                "accepted_at": NOW - timedelta(days=59),
                "due_date": due,
                "legal_due_date": due,
                "suspended": False,
                "suspended_working_days": 0,
                "intake_supplement_requested": False,
                "missing": [],
                "extended": False,
                "version": 2,
            }
        )
        audit += _trail(did)
        timers += [
            {"kind": "dossier_late", "dossier_id": did, "due_at": late_at, "created_at": NOW},
            {"kind": "dossier_at_risk", "dossier_id": did, "due_at": risk_at, "created_at": NOW},
        ]
    return dossiers, timers, audit


def add_dossiers(engine: Engine, n: int, start: int, due: date) -> None:
    """Bulk-insert n open dossiers with two pending timers each."""
    chunk = 20_000
    for offset in range(0, n, chunk):
        dossiers, timers, audit = _rows(min(chunk, n - offset), start + offset, due)
        with engine.begin() as conn:
            conn.execute(insert(Dossier), dossiers)
            conn.execute(insert(Timer), timers)
            conn.execute(insert(AuditEvent), audit)


def add_obligations(engine: Engine, n: int, due: date, tag: str) -> None:
    """n open obligations of n/5 NGOs (five each), due on `due`, reminder sent already."""
    kinds = ("bank_account_notice", "activity_plan_to_provinces", "annual_report", "renewal")
    chunk = 20_000
    for offset in range(0, n, chunk):
        size = min(chunk, n - offset)
        ngos = [
            {
                "id": str(uuid.uuid4()),
                "name": f"Bench NGO {tag}{offset + i}",
                "match_key": f"bench ngo {tag}{offset + i}|norway",
                "country": "Norway",
                "risk_score": 0,
                "risk_group": "low",
                "risk_reasons": [],
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(0, size, 5)
        ]
        rows = [
            {
                "id": str(uuid.uuid4()),
                "ngo_id": ngos[i // 5]["id"],
                "kind": kinds[i % len(kinds)],
                "due_date": due,
                "remind_on": due - timedelta(days=7),
                "status": "open",
                "legal_basis": "Nghị định 58/2022/NĐ-CP, Điều 21",
                "created_at": NOW,
                "reminded_at": NOW,
            }
            for i in range(size)
        ]
        with engine.begin() as conn:
            conn.execute(insert(Ngo), ngos)
            conn.execute(insert(Obligation), rows)


def register_pass(engine: Engine, obligations: int, overdue: int) -> dict[str, object]:
    """An empty sweep beside `obligations` open ones, then `overdue` of them missed."""
    add_obligations(engine, obligations, NOW.date() + timedelta(days=40), "open-")
    quiet = empty_sweep_ms(engine)
    add_obligations(engine, overdue, NOW.date() - timedelta(days=1), "late-")
    t0 = time.perf_counter()
    summary = sweep(engine, NOW)
    elapsed = time.perf_counter() - t0
    return {
        "open_obligations": obligations,
        "empty_sweep_ms": quiet,
        "marked_overdue": summary.obligations_overdue,
        "seconds": round(elapsed, 2),
        "overdue_per_second": round(summary.obligations_overdue / elapsed, 1),
    }


def empty_sweep_ms(engine: Engine, repeat: int = 7) -> float:
    """Median time of a sweep that finds nothing due."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = sweep(engine, NOW)
        samples.append((time.perf_counter() - t0) * 1000)
        assert result.fired == 0
    return round(statistics.median(samples), 2)


def main() -> None:
    """Measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--fire", type=int, default=2000)
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'sweep.db'}"
        upgrade(url)
        engine = make_engine(url)
        future = NOW.date() + timedelta(days=40)
        results: dict[str, object] = {"database": engine.dialect.name}
        empty: dict[str, float] = {}
        have = 0
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            add_dossiers(engine, size - have, have, future)
            sys.stderr.write(f"loaded {size} dossiers in {time.perf_counter() - t0:.1f} s\n")
            have = size
            empty[str(size)] = empty_sweep_ms(engine)
        results["empty_sweep_ms_by_open_dossiers"] = empty
        # Due work: `fire` dossiers whose appointment date has passed.
        past = NOW.date() - timedelta(days=2)
        add_dossiers(engine, args.fire, have, past)
        t0 = time.perf_counter()
        summary = sweep(engine, NOW)
        elapsed = time.perf_counter() - t0
        results["fire"] = {
            "open_dossiers": have + args.fire,
            "timers_fired": summary.fired,
            "late": summary.late,
            "at_risk": summary.at_risk,
            "seconds": round(elapsed, 2),
            "timers_per_second": round(summary.fired / elapsed, 1),
        }
        t0 = time.perf_counter()
        again = sweep(engine, NOW)
        results["second_sweep_same_as_of"] = {
            "fired": again.fired,
            "ms": round((time.perf_counter() - t0) * 1000, 2),
        }
        results["register"] = register_pass(engine, args.obligations, args.overdue)
        engine.dispose()
        check = run_check(url, Path(tmp))
        results["check_ok"] = check.get("ok")
        results["check_breaks"] = check.get("breaks")
        sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
