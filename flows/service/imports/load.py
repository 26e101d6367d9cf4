"""Turning checked records into rows exactly as the live path writes them, and inserting them
in bulk (executemany), all inside the caller's one transaction."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Date, Table, bindparam, insert, select, update

from flows.calendar import WorkingCalendar, local_date
from flows.engine.decide import classify
from flows.engine.state import Actor, ConsultationState, DossierState
from flows.engine.timers import after, desired_timers
from flows.procedures.schema import ConsultationStatus, Opinion
from flows.register.ngos import link_imported
from flows.service.imports.records import (
    DECISION_OUTCOME,
    DEEMED_CONSENT,
    ConsultationRecord,
    DossierRecord,
    Problems,
)
from flows.service.imports.tables import Problem
from flows.service.intake import format_code
from flows.service.metrics.counters import add_counts
from flows.service.metrics.facts import (
    RECEIVED,
    Key,
    consultation_key,
    ended_key,
    stage_key,
)
from flows.service.metrics.record import CONSULTATION, INTAKE
from models.audit import AuditEvent
from models.audit_chain import DOSSIER_FIELDS, first_event
from models.consultation import Consultation
from models.db import is_postgres
from models.dossier import Dossier, DossierSequence, agency_of_code
from models.stage_time import StageTime
from models.timer import Timer
from models.types import UtcDateTime

CHUNK = 5000
SQLITE_CACHE_KIB = 512 * 1024


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _sqlite_date(value: date | None) -> str | None:
    """What SQLAlchemy's SQLite DATE stores ('%Y-%m-%d'), without its per-value formatting."""
    return None if value is None else value.isoformat()


def _sqlite_instant(value: datetime | None) -> str | None:
    """What UtcDateTime stores on SQLite: naive UTC, '%Y-%m-%d %H:%M:%S.%f'."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: all instants must be timezone-aware")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def converter(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """How a value of the column is handed to the driver (the column's bind processor)."""
    if dialect.name == "sqlite" and isinstance(column.type, UtcDateTime):
        return _sqlite_instant
    if dialect.name == "sqlite" and isinstance(column.type, Date):
        return _sqlite_date
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(
        dialect
    )
    return processor


def bulk_statement(dialect: Any, table: Table, rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """The INSERT and its parameters for rows that all have the same keys, each column's
    values converted as its type does, without SQLAlchemy's per-row statement machinery (the
    difference between minutes and half an hour for a million dossiers)."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or []) if compiled.positional else list(rows[0])
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        convert = converter(table.c[name], dialect)
        columns.append(values if convert is None else list(map(convert, values)))
    if compiled.positional:
        return str(compiled), list(zip(*columns, strict=True))
    rows_of = zip(*columns, strict=True)
    return str(compiled), [dict(zip(names, values, strict=True)) for values in rows_of]


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany of rows that all have the same keys (see bulk_statement)."""
    if rows:
        connection.exec_driver_sql(*bulk_statement(connection.dialect, table, rows))


class OrderedIds:
    """Time-ordered (version 7) UUIDs: each one greater than the one before, so that a big
    import appends to the primary-key and `dossier_id` indexes instead of writing all over
    them (several times faster on SQLite at a million dossiers)."""

    def __init__(self, start: datetime) -> None:
        self._ms = int(start.timestamp() * 1000)
        self._sequence = 0

    def take(self, count: int) -> list[str]:
        """The next `count` ids."""
        noise = os.urandom(8 * count)
        ids = []
        for n in range(count):
            if self._sequence == 0x1000:  # 12 bits of sequence per millisecond
                self._ms, self._sequence = self._ms + 1, 0
            low = int.from_bytes(noise[8 * n : 8 * n + 8]) & 0x3FFF_FFFF_FFFF_FFFF
            value = (self._ms << 80) | (0x7 << 76) | (self._sequence << 64) | (0b10 << 62) | low
            self._sequence += 1
            h = f"{value:032x}"
            ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
        return ids


class Days:
    """The working-day calendar, remembering its answers (an import asks the same ones)."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self._added: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], int] = {}

    def add(self, day: date, count: int) -> date:
        """`count` working days after `day`."""
        key = (day, count)
        found = self._added.get(key)
        if found is None:
            found = self._added[key] = self.calendar.add_working_days(day, count)
        return found

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        key = (start, end)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = self.calendar.working_days_between(start, end)
        return found


def legal_due_date(record: DossierRecord, days: Days) -> date | None:
    """The statutory due date: acceptance + the procedure's total WD + the WD stopped."""
    if record.accepted_at is None:
        return None
    total = record.procedure.total_working_days + record.stopped_working_days
    return days.add(local_date(record.accepted_at), total)


def check_consultations(
    records: Sequence[DossierRecord], days: Days, today: date, file: str, problems: Problems
) -> None:
    """Rules that need the calendar: due dates, deemed consent, one open request per agency."""
    for record in records:
        ended_on = local_date(record.decided_at) if record.decided_at else None
        waiting: dict[str, int] = {}
        for x in sorted(record.consultations, key=lambda x: (x.requested_at, x.line)):
            asked_on = local_date(x.requested_at)
            if x.due_date is None:
                x.working_days = record.procedure.consultation_working_days
                x.due_date = days.add(asked_on, x.working_days)
            else:
                x.working_days = days.between(asked_on, x.due_date)
            if x.opinion == DEEMED_CONSENT and x.due_date >= (ended_on or today):
                problems.add(
                    Problem(
                        file,
                        x.line,
                        "opinion",
                        f"silence counts as consent only after the due date ({x.due_date})",
                    )
                )
            if not x.opinion and ended_on is None:
                if x.agency in waiting:
                    reason = f"{x.agency} is already asked on line {waiting[x.agency]}"
                    problems.add(Problem(file, x.line, "agency", reason + " and not answered"))
                waiting[x.agency] = x.line


def _consultation_status(x: ConsultationRecord, record: DossierRecord) -> ConsultationStatus:
    if x.answered_at is not None:
        return ConsultationStatus.answered
    if x.opinion == DEEMED_CONSENT:
        return ConsultationStatus.deemed_consent
    return ConsultationStatus.cancelled if record.outcome else ConsultationStatus.requested


def _chunks(items: Sequence[DossierRecord]) -> Iterator[Sequence[DossierRecord]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def assign_codes(
    connection: Connection,
    records: Sequence[DossierRecord],
    receiving_agency: str,
    agencies: set[str],
    ids: OrderedIds,
) -> None:
    """Each dossier's id, receiving agency and code; empty codes are generated like live ones
    (receiving agency + receipt date + the next sequence number of that day). A given code
    names its receiving agency when it has that form with a known agency's code; otherwise
    the dossier's receiving agency is the procedure's."""
    highest: dict[tuple[str, date], int] = {}
    for record, new_id in zip(records, ids.take(len(records)), strict=True):
        record.id = new_id
        prefix = agency_of_code(record.code) if record.code else ""
        prefix = prefix if prefix in agencies else ""
        record.receiving_agency = prefix or receiving_agency or record.procedure.receiving_agency
        if prefix:
            day_text, number = record.code[len(prefix) + 1 :].split("-")
            key = (prefix, datetime.strptime(day_text, "%Y%m%d").date())
            highest[key] = max(highest.get(key, 0), int(number))
    wanted = [r for r in records if not r.code]
    involved = {r.receiving_agency for r in wanted} | {agency for agency, _ in highest}
    sequences = _table(DossierSequence)
    query = select(sequences).where(sequences.c.agency_code.in_(sorted(involved)))
    if is_postgres(connection.engine):
        query = query.with_for_update()
    stored = {(row.agency_code, row.day): row.last for row in connection.execute(query)}
    last = {key: max(number, stored.get(key, 0)) for key, number in highest.items()}
    for record in sorted(wanted, key=lambda r: (r.received_at, r.line)):
        key = (record.receiving_agency, local_date(record.received_at))
        last[key] = max(last.get(key, 0), stored.get(key, 0)) + 1
        record.code = format_code(key[0], key[1], last[key])
    changed = [
        {"a": agency, "d": day, "n": number}
        for (agency, day), number in last.items()
        if (agency, day) in stored and number > stored[(agency, day)]
    ]
    added = [
        {"agency_code": agency, "day": day, "last": number}
        for (agency, day), number in last.items()
        if (agency, day) not in stored
    ]
    if changed:
        connection.execute(
            update(sequences)
            .where(sequences.c.agency_code == bindparam("a"), sequences.c.day == bindparam("d"))
            .values(last=bindparam("n")),
            changed,
        )
    if added:
        connection.execute(insert(sequences), added)


def _rows(
    records: Sequence[DossierRecord],
    days: Days,
    actor: Actor,
    now: datetime,
    source: str,
    counts: Counter[Key],
    ids: OrderedIds,
    ngo_ids: Mapping[str, str],
) -> dict[str, list[dict[str, Any]]]:
    """The dossier, consultation, audit, step and timer rows of some records."""
    out: dict[str, list[dict[str, Any]]] = {
        "dossiers": [],
        "consultations": [],
        "audit": [],
        "stages": [],
        "timers": [],
    }
    for r in records:
        p = r.procedure
        status = r.status
        received_on = local_date(r.received_at)
        accepted_on = local_date(r.accepted_at) if r.accepted_at else None
        legal = legal_due_date(r, days)
        ended_on = local_date(r.decided_at) if r.decided_at else None
        decision: dict[str, Any] | None = None
        timeliness: str | None = None
        used: int | None = None
        if r.is_decision:
            assert r.decided_at is not None and accepted_on is not None and ended_on is not None
            used = max(days.between(accepted_on, ended_on) - r.stopped_working_days, 0)
            probe = DossierState(
                id=r.id,
                code=r.code,
                procedure=p.code,
                procedure_version=p.version,
                status=status,
                received_at=r.received_at,
                legal_due_date=legal,
                extended=r.extended,
            )
            timeliness = classify(probe, ended_on)  # exactly as a live signature
            decision = {
                "outcome": DECISION_OUTCOME[r.outcome].value,
                "reasons": "",
                "validity_years": None,
                "valid_from": None,
                "valid_until": None,
                "certificate_number": None,
                "signed_by": "",
                "signed_at": r.decided_at.isoformat(),
                "on_time": timeliness != "late",
                "timeliness": timeliness,
                "working_days_used": used,
            }
        out["dossiers"].append(
            {
                "id": r.id,
                "code": r.code,
                "procedure": p.code,
                "procedure_version": p.version,
                "status": status.value,
                "applicant_name": r.applicant_name,
                "applicant_country": r.applicant_country,
                "applicant_email": r.applicant_email,
                "applicant_language": "vi",
                "ngo_id": ngo_ids.get(r.id),
                "subject": r.subject,
                "fields": {},
                "progress": {},
                "step_due_date": None,
                "received_at": r.received_at,
                "received_by": actor.name,
                "accepted_at": r.accepted_at,
                "due_date": legal,
                "legal_due_date": legal,
                "suspended": False,
                "suspended_since": None,
                "suspended_working_days": r.stopped_working_days,
                "intake_supplement_requested": False,
                "missing": [],
                "assignee": None,
                "proposal": None,
                "decision": decision,
                "extended": r.extended,
                "completed_at": r.decided_at if r.outcome else None,
                "on_time": timeliness != "late" if timeliness else None,
                "timeliness": timeliness,
                "version": 1,
                "received_on": received_on,
                "receiving_agency": r.receiving_agency,
                "completed_on": ended_on if r.outcome else None,
                "working_days_used": used,
                "imported": True,
            }
        )
        counts[Key(RECEIVED, received_on, p.code, r.receiving_agency)] += 1
        if r.outcome and ended_on is not None:
            counts[
                ended_key(
                    day=ended_on,
                    procedure=p.code,
                    receiving_agency=r.receiving_agency,
                    status=status.value,
                    timeliness=timeliness,
                    working_days_used=used,
                )
            ] += 1
        out["audit"].append(
            first_event(
                {
                    "dossier_id": r.id,
                    "at": now,
                    "actor": actor.name,
                    "actor_role": actor.role,
                    "action": "import",
                    "from_status": None,
                    "to_status": status.value,
                    "details": {
                        "imported": True,
                        "file": source,
                        "line": r.line,
                        "received_at": r.received_at.isoformat(),
                        "accepted_at": r.accepted_at.isoformat() if r.accepted_at else None,
                        "outcome": r.outcome or None,
                        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
                        "stopped_working_days": r.stopped_working_days,
                        "extended": r.extended,
                        "consultations": len(r.consultations),
                    },
                },
                DOSSIER_FIELDS,
            )
        )
        if accepted_on is not None:
            out["stages"].append(_stage(r, INTAKE, None, received_on, accepted_on, days, counts))
        states: list[ConsultationState] = []
        ordered = sorted(r.consultations, key=lambda x: (x.requested_at, x.line))
        request_ids = ids.take(len(ordered))  # live requests get theirs from their number
        for position, x in enumerate(ordered):
            assert x.due_date is not None
            x_status = _consultation_status(x, r)
            asked_on = local_date(x.requested_at)
            answered_on = local_date(x.answered_at) if x.answered_at else None
            late = answered_on > x.due_date if answered_on is not None else None
            response = days.between(asked_on, answered_on) if answered_on is not None else None
            x_id = request_ids[position]
            deemed = x_status == ConsultationStatus.deemed_consent
            human = x.opinion if x.opinion and not deemed else None
            out["consultations"].append(
                {
                    "id": x_id,
                    "dossier_id": r.id,
                    "position": position,
                    "agency_code": x.agency,
                    "status": x_status.value,
                    "requested_at": x.requested_at,
                    "due_date": x.due_date,
                    "working_days": x.working_days,
                    "reminded_at": None,
                    "overdue_at": after(x.due_date) if deemed else None,
                    "answered_at": x.answered_at,
                    "answered_by": None,
                    "answered_late": late,
                    "opinion": human,
                    "comments": "",
                    "requested_on": asked_on,
                    "answered_on": answered_on,
                    "response_working_days": response,
                    "letter_number": None,
                    "letter_date": None,
                    "letter_document_id": None,
                    "recorded_by": None,
                }
            )
            counts[
                consultation_key(
                    requested_on=asked_on,
                    procedure=p.code,
                    receiving_agency=r.receiving_agency,
                    agency=x.agency,
                    status=x_status.value,
                    answered_late=late,
                    response_working_days=response,
                )
            ] += 1
            end = answered_on if answered_on is not None else x.due_date if deemed else None
            if end is not None:
                out["stages"].append(_stage(r, CONSULTATION, x.agency, asked_on, end, days, counts))
            states.append(
                ConsultationState(
                    id=x_id,
                    agency=x.agency,
                    status=x_status,
                    requested_at=x.requested_at,
                    due_date=x.due_date,
                    working_days=x.working_days,
                    answered_at=x.answered_at,
                    answered_late=late,
                    opinion=Opinion(human) if human else None,
                )
            )
        if not r.outcome:
            state = DossierState(
                id=r.id,
                code=r.code,
                procedure=p.code,
                procedure_version=p.version,
                status=status,
                received_at=r.received_at,
                accepted_at=r.accepted_at,
                due_date=legal,
                legal_due_date=legal,
                suspended_working_days=r.stopped_working_days,
                extended=r.extended,
                consultations=states,
            )
            for spec in desired_timers(state, p, days.calendar):
                out["timers"].append(
                    {
                        "kind": spec.kind.value,
                        "dossier_id": r.id,
                        "consultation_id": spec.consultation_id,
                        "due_at": spec.due_at,
                        "created_at": now,
                        "fired_at": None,
                        "cancelled_at": None,
                    }
                )
    return out


def _stage(
    r: DossierRecord,
    stage: str,
    agency: str | None,
    started: date,
    ended: date,
    days: Days,
    counts: Counter[Key],
) -> dict[str, Any]:
    working_days = max(days.between(started, ended), 0)
    counts[
        stage_key(
            ended_on=ended,
            procedure=r.procedure.code,
            receiving_agency=r.receiving_agency,
            stage=stage,
            agency=agency,
            working_days=working_days,
        )
    ] += 1
    return {
        "dossier_id": r.id,
        "stage": stage,
        "agency_code": agency,
        "started_on": started,
        "ended_on": ended,
        "working_days": working_days,
        "procedure": r.procedure.code,
        "receiving_agency": r.receiving_agency,
    }


def insert_records(
    connection: Connection,
    records: Sequence[DossierRecord],
    days: Days,
    *,
    actor: Actor,
    now: datetime,
    source: str,
    receiving_agency: str,
    agencies: set[str],
) -> None:
    """Insert every row of the records and add their counters (no commit here)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # room for the indexes a big import fills, for the time of the import
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        _insert(connection, records, days, actor, now, source, receiving_agency, agencies)
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache or 0)}")


def _insert(
    connection: Connection,
    records: Sequence[DossierRecord],
    days: Days,
    actor: Actor,
    now: datetime,
    source: str,
    receiving_agency: str,
    agencies: set[str],
) -> None:
    ids = OrderedIds(now)
    assign_codes(connection, records, receiving_agency, agencies, ids)
    counts: Counter[Key] = Counter()
    tables = {
        "dossiers": _table(Dossier),
        "consultations": _table(Consultation),
        "audit": _table(AuditEvent),
        "stages": _table(StageTime),
        "timers": _table(Timer),
    }
    # The register learns each imported certificate dossier's NGO (applicant = the NGO).
    ngo_ids = link_imported(
        connection,
        [
            (r.id, r.applicant_name, r.applicant_country, r.applicant_email)
            for r in records
            if r.procedure.code.startswith("ngo.")
        ],
        now,
    )
    for chunk in _chunks(records):
        rows = _rows(chunk, days, actor, now, source, counts, ids, ngo_ids)
        for name, table in tables.items():
            bulk_insert(connection, table, rows[name])
    add_counts(connection, counts)
