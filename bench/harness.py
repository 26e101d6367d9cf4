"""Shared parts of bench/load.py and bench/faults.py: a throwaway database, `ngo-review` processes,
an SMTP sink on a fixed port, concurrent clients doing real lifecycles, and the after-run counts.

Reusable by the other bench scripts: `free_port`, `clean_env`, `Service` (start, wait for
/health, SIGTERM or SIGKILL a `ngo-review` subprocess), `mail_by_message_id` (the Maildir).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.service.admin import create_token, ensure_reference_agencies  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from notifications.sink import SmtpSink, read_mail  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
# The standing members, Huế's People's Committee and the health ministry (as bench/lifecycle.py).
AGENCIES = ("BCA", "BTC", "BNV", "NHNN", "BYT", "UBND-HUE")
LEADER_EMAIL = "leader@bench.example.org"
HANDLER_EMAIL = "handler@bench.example.org"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**values: str) -> dict[str, str]:
    """This environment without NGO_REVIEW_* and PREFECT_* settings, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
    env.update(values)
    return env


@contextlib.contextmanager
def database(kind: str, tmp: Path, admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A fresh migrated database: an SQLite file in `tmp`, or a PostgreSQL one dropped after."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
        upgrade(url)
        yield url
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str) -> dict[str, str]:
    """Reference agencies and API tokens (the function behind `ngo-review token create`)."""
    engine = make_engine(url)
    ensure_reference_agencies(engine)
    tokens = {
        "handler": create_token(engine, role="handler", name="Bench Handler", email=HANDLER_EMAIL),
        "leader": create_token(engine, role="leader", name="Bench Leader", email=LEADER_EMAIL),
    }
    for code in AGENCIES:
        tokens[code] = create_token(engine, role="agency", name=f"Bench {code}", agency=code)
    engine.dispose()
    return tokens


@dataclass
class Service:
    """One `ngo-review` subprocess (serve --api-only, worker, ...) logging to a file."""

    args: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    health_url: str = ""
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self, timeout: float = 120.0) -> float:
        """Start it (again) and wait for its /health to answer 200 if it has one; seconds taken."""
        started = time.monotonic()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ngo_review.cli", *self.args],
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        while self.health_url:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"{self.args[0]} exited with {self.proc.returncode}; see {self.log}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.health_url, timeout=2).status_code == 200:
                    break
            if time.monotonic() - started > timeout:
                raise SystemExit(
                    f"{self.args[0]} did not answer in {timeout:.0f} s; see {self.log}"
                )
            time.sleep(0.2)
        return round(time.monotonic() - started, 1)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (SIGKILL after `timeout`); its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Sink:
    """The aiosmtpd Maildir sink on a fixed 127.0.0.1 port, so it can go away and come back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self._sink: SmtpSink | None = None

    def start(self) -> None:
        """Accept mail on the port (again)."""
        self._sink = SmtpSink(self.path, port=self.port)
        self._sink.start()

    def stop(self) -> None:
        """Close the port: connections are refused until `start`."""
        if self._sink is not None:
            self._sink.stop()
            self._sink = None


def mail_by_message_id(path: Path) -> Counter[str]:
    """How many times each Message-ID is in the Maildir."""
    return Counter(str(msg["Message-ID"]).strip() for _, msg in read_mail(path))


@dataclass(frozen=True)
class Ack:
    """An action the API answered with 2xx: on which dossier, and for whom (respond)."""

    dossier_id: str
    action: str
    agency: str = ""


@dataclass
class Record:
    """What every client saw: statuses, latencies of accepted requests, 2xx actions."""

    statuses: Counter[str] = field(default_factory=Counter)
    accepted_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    shed_ms: list[float] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    unknown: list[Ack] = field(default_factory=list)  # no answer, or 409 on a retry
    lifecycles_done: int = 0
    lifecycles_cut: int = 0


def payload(label: str) -> dict[str, Any]:
    """An issuance dossier whose applicant address is unique to it."""
    return {
        "procedure": "ngo.operation.issue",
        "subject": f"Bench {label}",
        "applicant": {
            "name": "Bench NGO",
            "country": "Norway",
            "email": f"{label}@bench.example.org",
        },
        "provinces": ["Huế"],
        "activity_fields": ["health"],
        "home_registration_valid_until": "2035-12-31",
    }


# What Clients._lifecycle sends: 11 writes (create, accept, consult, 6 answers, propose,
# sign) and 9 reads (the dossier, each agency's inbox, the list, the history).
LIFECYCLE_REQUESTS = 20


class Cut(Exception):
    """A lifecycle that cannot go on: time is up or an action was refused."""


class Clients:
    """N concurrent clients, each running full lifecycles until the end time; retries with the
    same Idempotency-Key after a dropped connection, a 5xx or a 503 (honouring Retry-After)."""

    def __init__(self, base: str, tokens: dict[str, str], *, retry: bool = True) -> None:
        self.base = base
        self.tokens = tokens
        self.retry = retry
        self.record = Record()
        self.end = 0.0
        self.grace = 0.0
        self.run_id = uuid.uuid4().hex[:8]

    async def _open(self, stack: contextlib.AsyncExitStack, limits: httpx.Limits) -> None:
        """One HTTP client per caller, closed with the stack."""
        self.http = {
            who: await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=self.base,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                    limits=limits,
                )
            )
            for who, token in self.tokens.items()
        }

    async def run(self, clients: int, seconds: float, grace: float = 60.0) -> float:
        """Drive the load; the seconds it took until every client stopped."""
        limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
        started = time.monotonic()
        self.end, self.grace = started + seconds, grace
        async with contextlib.AsyncExitStack() as stack:
            await self._open(stack, limits)
            await asyncio.gather(*(self._client(n) for n in range(clients)))
        return time.monotonic() - started

    async def run_open(self, rate: float, seconds: float, grace: float = 60.0) -> float:
        """Open loop: start a lifecycle every LIFECYCLE_REQUESTS / rate seconds whatever the
        answers (a slow server gets more lifecycles in flight, not fewer requests); the
        seconds until the last one ended."""
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
        started = time.monotonic()
        self.end, self.grace = started + seconds, grace
        interval = LIFECYCLE_REQUESTS / rate
        async with contextlib.AsyncExitStack() as stack:
            await self._open(stack, limits)
            tasks: list[asyncio.Task[None]] = []
            n = 0
            while (due := started + n * interval) < self.end:
                await asyncio.sleep(max(due - time.monotonic(), 0))
                tasks.append(asyncio.create_task(self._one(f"{self.run_id}-open-{n}")))
                n += 1
            await asyncio.gather(*tasks)
        return time.monotonic() - started

    async def _one(self, label: str) -> None:
        try:
            await self._lifecycle(label)
            self.record.lifecycles_done += 1
        except Cut:
            self.record.lifecycles_cut += 1

    async def _client(self, n: int) -> None:
        seq = 0
        while time.monotonic() < self.end:
            try:
                await self._lifecycle(f"{self.run_id}-{n}-{seq}")
                self.record.lifecycles_done += 1
            except Cut:
                self.record.lifecycles_cut += 1
            seq += 1

    async def _call(
        self, who: str, method: str, path: str, body: Any = None, key: str = ""
    ) -> httpx.Response | None:
        """One request, retried while it fails for a reason a retry can cure; None if it never
        got an answer. A write that got one is done once, whatever the retries."""
        headers = {"Idempotency-Key": key} if key else {}
        attempts = 0
        while True:
            if not attempts and time.monotonic() > self.end:
                raise Cut  # time is up: not sent at all
            if attempts and time.monotonic() > self.end + self.grace:
                return None
            attempts += 1
            t0 = time.perf_counter()
            try:
                r = await self.http[who].request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                self.record.statuses[type(exc).__name__] += 1
                if not self.retry:
                    return None
                await asyncio.sleep(0.5)
                continue
            ms = (time.perf_counter() - t0) * 1000
            self.record.statuses[str(r.status_code)] += 1
            if r.status_code == 503:
                self.record.shed_ms.append(ms)
                if not self.retry:
                    return r
                await asyncio.sleep(min(float(r.headers.get("Retry-After", "1")), 1.0))
                continue
            self.record.accepted_ms.append(ms)
            if method == "POST":
                self.record.write_ms.append(ms)
            if r.status_code >= 500 and self.retry:
                await asyncio.sleep(0.5)
                continue
            r.extensions["attempts"] = attempts
            return r

    async def _write(
        self, who: str, path: str, body: Any, ack: Ack | None, key: str = ""
    ) -> dict[str, Any]:
        """A write that must succeed for the lifecycle to go on; its 2xx is recorded."""
        r = await self._call(who, "POST", path, body, key)
        if r is None or not 200 <= r.status_code < 300:
            if ack is not None and (r is None or r.extensions.get("attempts", 1) > 1):
                self.record.unknown.append(ack)  # perhaps done by an attempt whose answer was lost
            raise Cut
        data: dict[str, Any] = r.json()
        done = ack or Ack(str(data["id"]), "receive")
        self.record.acks.append(done)
        return data

    async def _read(self, who: str, path: str) -> None:
        r = await self._call(who, "GET", path)
        if r is None:
            raise Cut

    async def _lifecycle(self, label: str) -> None:
        """Create, read, accept, consult, every agency's answer, list, propose, sign, history."""
        d = (await self._write("handler", "/dossiers", payload(label), None, f"{label}-create"))[
            "id"
        ]
        await self._read("handler", f"/dossiers/{d}")
        actions = f"/dossiers/{d}/actions"
        await self._write("handler", f"{actions}/accept", {}, Ack(d, "accept"), f"{label}-accept")
        view = await self._write(
            "handler",
            f"{actions}/consult",
            {"agencies": list(AGENCIES)},
            Ack(d, "consult"),
            f"{label}-consult",
        )
        for x in view["consultations"]:
            agency = str(x["agency"])
            await self._read(agency, "/consultations?status=requested&limit=5")
            await self._write(
                agency,
                f"/consultations/{x['id']}/response",
                {"opinion": "agree"},
                Ack(d, "respond", agency),
            )
        await self._read("handler", "/dossiers?limit=20")
        await self._write(
            "handler",
            f"{actions}/propose",
            {"outcome": "approve", "reasons": "bench"},
            Ack(d, "propose"),
            f"{label}-propose",
        )
        await self._write("leader", f"{actions}/sign", {}, Ack(d, "sign"), f"{label}-sign")
        await self._read("handler", f"/dossiers/{d}/history")


def percentile(values: list[float], p: int) -> float | None:
    """The p-th percentile (1..99) in ms, rounded; None without samples."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 1)


def traffic(record: Record, elapsed: float) -> dict[str, Any]:
    """Requests per second, latency of accepted requests, 503s, status counts."""
    answered = len(record.accepted_ms) + len(record.shed_ms)
    return {
        "seconds": round(elapsed, 1),
        "requests": answered,
        "requests_per_second": round(answered / elapsed, 1),
        "accepted_per_second": round(len(record.accepted_ms) / elapsed, 1),
        "p50_ms": percentile(record.accepted_ms, 50),
        "p99_ms": percentile(record.accepted_ms, 99),
        "max_ms": round(max(record.accepted_ms), 1) if record.accepted_ms else None,
        "writes_p50_ms": percentile(record.write_ms, 50),
        "writes_p99_ms": percentile(record.write_ms, 99),
        "shed_503": len(record.shed_ms),
        "shed_rate": round(len(record.shed_ms) / answered, 4) if answered else None,
        "shed_p99_ms": percentile(record.shed_ms, 99),
        "statuses": dict(sorted(record.statuses.items())),
        "lifecycles_done": record.lifecycles_done,
        "lifecycles_cut": record.lifecycles_cut,
    }


def _event_key(action: str, details: Any) -> str:
    """The agency an answer is from (its events name the consultation's agency)."""
    if action != "respond":
        return ""
    blob = json.dumps(json.loads(details) if isinstance(details, str) else details)
    found = [code for code in AGENCIES if f'"agency": "{code}"' in blob]
    return found[0] if found else "?"


def audit_counts(url: str, record: Record) -> dict[str, Any]:
    """Every 2xx action once in the audit trail; no action of these dossiers twice."""
    dossiers = sorted({a.dossier_id for a in record.acks})
    events: Counter[Ack] = Counter()
    engine = make_engine(url)
    with engine.connect() as conn:
        for i in range(0, len(dossiers), 500):
            chunk = dossiers[i : i + 500]
            marks = ", ".join(f":d{j}" for j in range(len(chunk)))
            rows = conn.execute(
                text(
                    "SELECT dossier_id, action, details FROM auditevent"
                    f" WHERE dossier_id IN ({marks})"
                ),
                {f"d{j}": d for j, d in enumerate(chunk)},
            )
            for dossier_id, action, details in rows:
                events[Ack(dossier_id, action, _event_key(action, details))] += 1
    engine.dispose()
    acked = Counter(record.acks)
    unknown = set(record.unknown)
    return {
        "actions_answered_2xx": len(record.acks),
        "actions_found_once": sum(1 for a in acked if events[a] == 1),
        "actions_missing": [a.__dict__ for a in acked if events[a] == 0][:20],
        "actions_answered_twice": [a.__dict__ for a, n in acked.items() if n > 1][:20],
        "audit_duplicates": [a.__dict__ for a, n in events.items() if n > 1][:20],
        "unanswered_attempts": len(unknown),
        "unanswered_applied": sum(1 for a in unknown if events[a] == 1),
        "audit_events": sum(events.values()),
    }


def run_check(url: str, cwd: Path) -> dict[str, Any]:
    """`ngo-review check --database-url URL`: its exit code and the report's verdict."""
    done = subprocess.run(
        [sys.executable, "-m", "ngo_review.cli", "check", "--database-url", url],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, Any] = {"exit_code": done.returncode}
    try:
        report = json.loads(done.stdout)
    except ValueError:
        result["output"] = (done.stdout + done.stderr)[-2000:]
        return result
    result.update(
        ok=report.get("ok"),
        checked=report.get("checked"),
        breaks_total=report.get("breaks_total"),
        breaks=report.get("breaks", [])[:10],
    )
    return result


def _rows(url: str, sql: str) -> list[Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(text(sql)))
    engine.dispose()
    return rows


def backlog(url: str) -> dict[str, int]:
    """Outbox rows still to send and dossier steps not done."""
    return {
        "outbox_open": _rows(
            url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"
        )[0][0],
        "outbox_sending": _rows(url, "SELECT count(*) FROM outbox WHERE status = 'sending'")[0][0],
        "steps_open": _rows(url, "SELECT count(*) FROM dossierstep WHERE status != 'done'")[0][0],
    }


def settle(url: str, timeout: float, quiet: float = 10.0) -> float:
    """Wait until nothing is left to send or run (then `quiet` more seconds, for anything sent
    twice to arrive), or `timeout`; the seconds it took."""
    started = time.monotonic()
    while any(backlog(url).values()) and time.monotonic() - started < timeout:
        time.sleep(2)
    time.sleep(quiet)
    return round(time.monotonic() - started, 1)


def mail_counts(url: str, maildir: Path) -> dict[str, Any]:
    """E-mails the outbox should have sent, those the SMTP server got, and any twice."""
    rows = _rows(url, "SELECT message_id, status, attempts FROM outbox")
    seen = mail_by_message_id(maildir)
    expected = [r for r in rows if r[1] != "skipped"]
    arrived = [r for r in expected if seen[r[0]]]
    known = {r[0] for r in rows}
    return {
        "outbox_by_status": dict(Counter(r[1] for r in rows)),
        "emails_expected": len(expected),
        "emails_sent": len(arrived),
        "emails_duplicated": sum(n - 1 for n in seen.values() if n > 1),
        "emails_not_arrived_by_status": dict(Counter(r[1] for r in expected if not seen[r[0]])),
        "marked_sent_not_arrived": sum(1 for r in rows if r[1] == "sent" and not seen[r[0]]),
        "arrived_not_in_outbox": sum(1 for m in seen if m not in known),
        "skipped_but_arrived": sum(1 for r in rows if r[1] == "skipped" and seen[r[0]]),
        "max_attempts": max((r[2] for r in rows), default=0),
    }
