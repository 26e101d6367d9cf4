"""Monitoring figures over many imported dossiers: import time, then each /metrics route.

Run: .venv/bin/python bench/metrics.py [--dossiers 1000000] [--repeat 7]
      [--database-url URL]   (default: a fresh SQLite file in a temporary directory)
      [--skip-load]          (the database already holds the data: only time the routes)
Prints JSON. The dossiers are generated as the CSV files an administrator would import (three
years up to today, every procedure, consulted agencies with their own habits of answering
late), imported through the real import path (`flows.service.imports`, bulk inserts in one
transaction), then each route is called over real HTTP as a manager (uvicorn on 127.0.0.1 in
its own process, as deployed): one first call, then `--repeat` timed calls. `agencies` is the
baseline of an authenticated call that does almost nothing.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from flows.calendar import VN_TZ, WorkingCalendar, local_date  # noqa: E402
from flows.procedures import REGISTRY  # noqa: E402
from flows.procedures.schema import ConsultationMode, SilenceRule  # noqa: E402
from flows.service.admin import CLI, create_token, ensure_reference_agencies  # noqa: E402
from flows.service.imports import Source, import_dossiers  # noqa: E402
from models.consultation import Consultation  # noqa: E402
from models.db import make_engine, read_session  # noqa: E402
from models.dossier import Dossier  # noqa: E402
from models.metric_count import MetricCount  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.stage_time import StageTime  # noqa: E402

MIX = {  # procedure → share of the dossiers
    "ngo.operation.issue": 25,
    "ngo.operation.renew": 12,
    "ngo.operation.amend": 5,
    "ngo.operation.reissue": 3,
    "ngo.office.issue": 5,
    "ngo.office.renew": 5,
    "aid.project.appraise": 15,
    "aid.nonproject.appraise": 12,
    "aid.relief.approve": 5,
    "province.opinion": 13,
}
LATE_SHARE = {"BNV": 0.6, "SNGV-QT": 0.55, "BYT": 0.3}  # others: 0.12
CHOSEN = ("BCA", "BTC", "BNV", "BYT", "NHNN")
ROUTES = ("summary", "by-month", "by-agency", "bottlenecks", "at-risk")
DOSSIER_COLUMNS = [
    "code",
    "procedure",
    "applicant_name",
    "applicant_country",
    "applicant_email",
    "subject",
    "received_at",
    "accepted_at",
    "outcome",
    "decided_at",
    "stopped_working_days",
    "extended",
]


class Days:
    """Working-day arithmetic by index into the list of working days (fast)."""

    def __init__(self, first: date, last: date) -> None:
        calendar = WorkingCalendar()
        self.days = [
            first + timedelta(n)
            for n in range((last - first).days + 1)
            if calendar.is_working_day(first + timedelta(n))
        ]

    def add(self, day: date, count: int) -> date:
        """The count-th working day after the day."""
        return self.days[bisect.bisect_right(self.days, day) + count - 1]


def generate(folder: Path, n: int, today: date, seed: int = 26) -> tuple[Path, Path]:
    """The two CSV files of n dossiers received over three years up to today."""
    rng = random.Random(seed)
    first = today - timedelta(days=3 * 365)
    days = Days(first - timedelta(days=10), today + timedelta(days=400))
    receipts = [d for d in days.days if first <= d <= today]
    procedures = [REGISTRY.get(code) for code in MIX]
    weights = list(MIX.values())
    per_day: dict[tuple[str, date], int] = {}
    dossiers_path, requests_path = folder / "dossiers.csv", folder / "consultations.csv"
    with (
        dossiers_path.open("w", newline="", encoding="utf-8") as dossiers_file,
        requests_path.open("w", newline="", encoding="utf-8") as requests_file,
    ):
        dossiers = csv.writer(dossiers_file)
        requests = csv.writer(requests_file)
        dossiers.writerow(DOSSIER_COLUMNS)
        requests.writerow(["dossier_code", "agency", "requested_at", "answered_at", "opinion"])
        for index in range(n):
            p = rng.choices(procedures, weights)[0]
            assert p is not None
            received = rng.choice(receipts)
            key = (p.receiving_agency, received)
            per_day[key] = per_day.get(key, 0) + 1
            code = f"{p.receiving_agency}-{received:%Y%m%d}-{per_day[key]:04d}"
            row = [code, p.code, f"NGO {index}", "Norway", "", "bench", received.isoformat()]
            row += [""] * 5
            fate = rng.random()
            if fate < 0.03:  # refused at intake
                decided = days.add(received, rng.randint(0, 2))
                if decided <= today:
                    row[8:10] = ["rejected_at_intake", decided.isoformat()]
                dossiers.writerow(row)
                continue
            accepted = days.add(received, rng.randint(0, 3))
            if accepted > today:
                dossiers.writerow(row)
                continue
            row[7] = accepted.isoformat()
            stopped = rng.randint(1, 10) if rng.random() < 0.1 else 0
            row[10] = str(stopped or "")
            ask = days.add(accepted, rng.randint(0, 2))
            agencies: tuple[str, ...] = ()
            if ask > today:
                pass
            elif p.consultation_mode == ConsultationMode.default:
                agencies = p.default_agencies
            elif p.consultation_mode == ConsultationMode.chosen:
                agencies = tuple(rng.sample(CHOSEN, rng.randint(1, 2)))
            last_answer = ask
            answers = []
            for agency in agencies:
                allowed = p.consultation_working_days
                silent = p.silence_rule == SilenceRule.deemed_consent and rng.random() < 0.1
                if silent:
                    took = allowed + 1
                elif rng.random() < LATE_SHARE.get(agency, 0.12):
                    took = allowed + rng.randint(1, 8)
                else:
                    took = rng.randint(max(1, allowed // 3), max(1, allowed))
                answered = days.add(ask, took)
                answers.append((agency, answered, silent))
                last_answer = max(last_answer, answered)
            target = round(p.total_working_days * rng.uniform(0.55, 1.15)) + stopped
            decided = max(days.add(accepted, target), days.add(last_answer, rng.randint(1, 3)))
            if decided > today:
                pass
            elif rng.random() < 0.02:
                row[8] = "withdrawn"
            else:
                row[8] = rng.choices(["approved", "refused"], [9, 1])[0]
            if row[8]:
                row[9] = decided.isoformat()
                if row[8] != "withdrawn" and rng.random() < 0.05:
                    row[11] = "true"
            dossiers.writerow(row)
            for agency, answered, silent in answers:
                if silent:
                    due = days.add(ask, p.consultation_working_days)
                    done = due < (decided if row[8] else today)
                    requests.writerow(
                        [code, agency, ask.isoformat(), "", "deemed_consent" if done else ""]
                    )
                elif answered <= today and (not row[8] or answered <= decided):
                    answer = [ask.isoformat(), answered.isoformat(), "agree"]
                    requests.writerow([code, agency, *answer])
                else:
                    requests.writerow([code, agency, ask.isoformat(), "", ""])
    return dossiers_path, requests_path


def load(url: str, n: int, today: date, now: datetime) -> dict[str, Any]:
    """Generate and import n dossiers; seconds for each part."""
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        dossiers, requests = generate(Path(tmp), n, today)
        generated = time.perf_counter() - t0
        sys.stderr.write(f"generated {n} dossiers in {generated:.1f} s\n")
        t0 = time.perf_counter()
        with dossiers.open("rb") as d, requests.open("rb") as r:
            report = import_dossiers(
                engine, Source(dossiers.name, d), Source(requests.name, r), actor=CLI, now=now
            )
        imported = time.perf_counter() - t0
        sys.stderr.write(f"imported in {imported:.1f} s: {report.model_dump()}\n")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {
        "generate_seconds": round(generated, 1),
        "import_seconds": round(imported, 1),
        "imported": report.model_dump(),
    }


def rows(url: str) -> dict[str, int]:
    """How many rows the figures are computed over."""
    engine = make_engine(url)
    with read_session(engine) as session:
        counts = {
            name: session.exec(select(func.count()).select_from(model)).one()
            for name, model in (
                ("dossiers", Dossier),
                ("consultations", Consultation),
                ("stage_times", StageTime),
                ("metric_counts", MetricCount),
            )
        }
        counts["open_dossiers"] = session.exec(
            select(func.count()).select_from(Dossier).where(col(Dossier.completed_on).is_(None))
        ).one()
    engine.dispose()
    return counts


SERVER = """
import sys, uvicorn
from api.app import create_app
from models.db import make_engine
from config.settings import Settings
app = create_app(Settings(), engine=make_engine(sys.argv[1]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", lifespan="off",
            ws="none")
"""


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The app on 127.0.0.1 in its own process (as deployed: the client shares no GIL)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(port)],
        cwd=Path(__file__).resolve().parents[1],
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/openapi.json", timeout=5)
            return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def time_routes(url: str, repeat: int) -> dict[str, Any]:
    """Each route over real HTTP as a manager: first call, then p50 and max of `repeat`."""
    engine = make_engine(url)
    token = create_token(engine, role="manager", name="Bench Manager")
    engine.dispose()
    server, base = _serve(url)
    results: dict[str, Any] = {}
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600
        ) as client:
            queries: list[tuple[str, dict[str, str]]] = [("agencies (baseline)", {})]
            queries += [(route, {}) for route in ROUTES]
            queries.append(("summary?procedure", {"procedure": "ngo.operation.issue"}))
            queries.append(("summary?last-quarter", {"from": "2026-07-01", "to": "2026-09-30"}))
            queries.append(("summary?2024", {"from": "2024-01-01", "to": "2024-12-31"}))
            for name, params in queries:
                path = (
                    "/agencies" if name.startswith("agencies") else "/metrics/" + name.split("?")[0]
                )
                samples, first = [], 0.0
                for attempt in range(repeat + 1):
                    t0 = time.perf_counter()
                    answer = client.get(path, params=params)
                    elapsed = (time.perf_counter() - t0) * 1000
                    assert answer.status_code == 200, answer.text
                    if attempt:
                        samples.append(elapsed)
                    else:
                        first = elapsed
                results[name] = {
                    "first_ms": round(first, 1),
                    "p50_ms": round(statistics.median(samples), 1),
                    "max_ms": round(max(samples), 1),
                }
                if name == "summary":
                    body = answer.json()
                    results[name]["figures"] = {
                        k: body[k] for k in ("received", "completed", "pending", "on_time_rate")
                    }
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> None:
    """Load (unless --skip-load), measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    now = datetime.now(VN_TZ)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'metrics.db'}"
        upgrade(url)
        results: dict[str, Any] = {"database": make_engine(url).dialect.name}
        if not args.skip_load:
            results["load"] = load(url, args.dossiers, local_date(now), now)
        results["rows"] = rows(url)
        results["routes"] = time_routes(url, args.repeat)
        sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
