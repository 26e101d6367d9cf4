"""Import of historical (paper) dossiers with their real dates, outcomes and consultations.

All or nothing: every row is checked first and any problem rejects the whole import with each
problem's file, line, column and reason; a good import is written in one transaction, in bulk.
Imported dossiers are ordinary dossiers afterwards: their figures count like any other, the
open ones carry on (timers armed), and their history says they were imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from flows.calendar import local_date
from flows.engine.state import Actor
from flows.errors import Forbidden, InvalidInput
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.service.calendar import load_calendar
from flows.service.imports.load import Days, check_consultations, insert_records
from flows.service.imports.records import (
    CONSULTATION_COLUMNS,
    CONSULTATION_REQUIRED,
    DOSSIER_COLUMNS,
    DOSSIER_REQUIRED,
    DossierRecord,
    Problems,
    check_consultation,
    check_dossier,
    missing_columns,
)
from flows.service.imports.tables import Problem, Table, Unreadable, read_table
from flows.service.registry import sync_registry
from models.agency import Agency
from models.db import read_session, write_session
from models.dossier import Dossier
from models.import_schemas import ImportProblem, ImportReport


@dataclass(frozen=True)
class Source:
    """An uploaded or local file: its name (CSV, or XLSX by extension) and its bytes."""

    name: str
    stream: IO[bytes]


class ImportRejected(InvalidInput):
    """The import was refused as a whole; `problems` says where and why."""

    code = "invalid_import"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"nothing was imported: {len(problems)} problems")
        self.problems = [ImportProblem(**vars(p)) for p in problems]
        self.extra: dict[str, Any] = {"errors": [p.model_dump() for p in self.problems]}


def _codes_taken(engine: Engine, codes: list[str]) -> set[str]:
    """The given codes that some dossier already has."""
    taken: set[str] = set()
    with read_session(engine) as session:
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            taken.update(session.exec(select(Dossier.code).where(col(Dossier.code).in_(chunk))))
    return taken


def import_dossiers(
    engine: Engine,
    dossiers: Source,
    consultations: Source | None = None,
    *,
    actor: Actor,
    now: datetime,
    dry_run: bool = False,
    receiving_agency: str = "",
    registry: ProcedureRegistry = REGISTRY,
) -> ImportReport:
    """Check both files, then (unless a dry run) import everything in one transaction."""
    if actor.role != "admin":
        raise Forbidden("only an administrator may import dossiers")
    with read_session(engine) as session:
        if registry is REGISTRY:
            registry = sync_registry(session)
        agencies = set(session.exec(select(Agency.code)).all())
        days = Days(load_calendar(session))
    problems = Problems()
    records: list[DossierRecord] = []
    by_code: dict[str, DossierRecord] = {}
    opened: list[Table] = []
    asked = 0
    try:
        table = read_table(dossiers.name, dossiers.stream, DOSSIER_COLUMNS)
        opened.append(table)
        if not missing_columns(table, DOSSIER_REQUIRED, problems):
            for line, cells in table.rows:
                record = check_dossier(table.name, line, cells, registry, now, problems)
                if record is None:
                    continue
                if record.code and record.code in by_code:
                    first = by_code[record.code].line
                    problems.add(
                        Problem(table.name, line, "code", f"the code of line {first} again")
                    )
                    continue
                records.append(record)
                if record.code:
                    by_code[record.code] = record
        problems.extend(table.problems)
        if consultations is not None:
            requests = read_table(consultations.name, consultations.stream, CONSULTATION_COLUMNS)
            opened.append(requests)
            if not missing_columns(requests, CONSULTATION_REQUIRED, problems):
                for line, cells in requests.rows:
                    found = check_consultation(
                        requests.name, line, cells, by_code, agencies, now, problems
                    )
                    if found is not None:
                        found[0].consultations.append(found[1])
                        asked += 1
            problems.extend(requests.problems)
            check_consultations(records, days, local_date(now), requests.name, problems)
    except Unreadable as exc:
        problems.add(exc.problem)
    finally:
        for done in opened:
            done.close()
    for code in sorted(_codes_taken(engine, sorted(by_code))):
        problems.add(Problem(dossiers.name, by_code[code].line, "code", "already used"))
    if not records and not problems.count:
        problems.add(Problem(dossiers.name, 2, "", "no dossier to import"))
    if problems.count:
        shown = problems.report()
        files = list(dict.fromkeys(p.file for p in shown))
        raise ImportRejected(
            sorted(shown, key=lambda p: (not p.file, files.index(p.file), p.line or 0))
        )
    by_status: dict[str, int] = {}
    for record in records:
        by_status[record.status.value] = by_status.get(record.status.value, 0) + 1
    report = ImportReport(
        dossiers=len(records), consultations=asked, dry_run=dry_run, by_status=by_status
    )
    if dry_run:
        return report
    try:
        with write_session(engine) as session:
            insert_records(
                session.connection(),
                records,
                days,
                actor=actor,
                now=now,
                source=dossiers.name,
                receiving_agency=receiving_agency,
                agencies=agencies,
            )
    except IntegrityError as exc:
        detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise ImportRejected(
            [Problem(dossiers.name, 0, "", f"the database refused the rows: {detail}")]
        ) from exc
    return report


__all__ = ["ImportRejected", "Source", "import_dossiers"]
