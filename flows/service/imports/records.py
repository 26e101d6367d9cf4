"""Checking import rows: each cell parsed, each rule of a real dossier kept, every problem
reported with its file, line, column and reason."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flows.calendar import VN_TZ, local_date
from flows.procedures import ProcedureRegistry
from flows.procedures.schema import Opinion, Outcome, ProcedureDefinition, SilenceRule, Status
from flows.service.imports.tables import Problem, Table

DOSSIER_COLUMNS = (
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
)
DOSSIER_REQUIRED = ("procedure", "applicant_name", "applicant_country", "subject", "received_at")
CONSULTATION_COLUMNS = (
    "dossier_code",
    "agency",
    "requested_at",
    "due_date",
    "answered_at",
    "opinion",
)
CONSULTATION_REQUIRED = ("dossier_code", "agency", "requested_at")
OUTCOME_STATUS = {
    "approved": Status.approved,
    "refused": Status.refused,
    "forwarded": Status.forwarded,
    "withdrawn": Status.withdrawn,
    "rejected_at_intake": Status.rejected_at_intake,
}
DECISION_OUTCOME = {
    "approved": Outcome.approve,
    "refused": Outcome.refuse,
    "forwarded": Outcome.forward,
}
DEEMED_CONSENT = "deemed_consent"
OPINIONS = (*(o.value for o in Opinion), DEEMED_CONSENT)
MAX_STOPPED_WORKING_DAYS = 1000
MAX_PROBLEMS = 1000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE, _FALSE = ("true", "1", "yes", "x"), ("false", "0", "no", "")


@dataclass(slots=True)
class ConsultationRecord:
    """One historical consultation request."""

    line: int
    agency: str
    requested_at: datetime
    due_date: date | None  # None: computed from the procedure
    answered_at: datetime | None
    opinion: str  # '' (unanswered), an Opinion value, or deemed_consent
    working_days: int = 0  # the agency's allowance, set when the import is planned


@dataclass(slots=True)
class DossierRecord:
    """One historical dossier, checked."""

    line: int
    code: str  # '' → generated at import
    procedure: ProcedureDefinition
    applicant_name: str
    applicant_country: str
    applicant_email: str
    subject: str
    received_at: datetime
    accepted_at: datetime | None
    outcome: str  # '' while pending
    decided_at: datetime | None
    stopped_working_days: int
    extended: bool
    consultations: list[ConsultationRecord] = field(default_factory=list)
    id: str = ""  # set when the import is planned
    receiving_agency: str = ""

    @property
    def status(self) -> Status:
        """The status the dossier is imported in."""
        if self.outcome:
            return OUTCOME_STATUS[self.outcome]
        return Status.in_review if self.accepted_at is not None else Status.received

    @property
    def is_decision(self) -> bool:
        """Approved, refused or forwarded: a signed decision."""
        return self.outcome in DECISION_OUTCOME


class Problems:
    """The problems found so far (at most MAX_PROBLEMS are kept, all are counted)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        """Keep one more problem."""
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Keep several."""
        for problem in problems:
            self.add(problem)

    def report(self) -> list[Problem]:
        """The problems to show, with a last line saying how many more there were."""
        if self.count > len(self.items):
            more = self.count - len(self.items)
            return [*self.items, Problem("", 0, "", f"… and {more} more problems")]
        return list(self.items)


def parse_instant(text: str) -> datetime:
    """`YYYY-MM-DD` (the start of that day in Hà Nội) or an ISO-8601 instant (Hà Nội time
    when it has no offset)."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time.min, tzinfo=VN_TZ)
    instant = datetime.fromisoformat(text)
    return instant.replace(tzinfo=VN_TZ) if instant.tzinfo is None else instant


class Row:
    """One row being checked; each cell problem is recorded against its column."""

    def __init__(self, file: str, line: int, cells: dict[str, str], problems: Problems) -> None:
        self.file, self.line, self.cells, self.problems = file, line, cells, problems
        self.ok = True

    def fail(self, column: str, reason: str) -> None:
        """Record a problem of this row."""
        self.ok = False
        self.problems.add(Problem(self.file, self.line, column, reason))

    def text(self, column: str, max_length: int, *, required: bool = False) -> str:
        """A text cell."""
        value = self.cells.get(column, "").strip()
        if required and not value:
            self.fail(column, "required")
        elif len(value) > max_length:
            self.fail(column, f"longer than {max_length} characters")
        return value

    def instant(self, column: str, now: datetime, *, required: bool = False) -> datetime | None:
        """A date or instant cell, not in the future."""
        value = self.cells.get(column, "").strip()
        if not value:
            if required:
                self.fail(column, "required")
            return None
        try:
            instant = parse_instant(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a date (YYYY-MM-DD) or an ISO-8601 instant")
            return None
        if instant > now:
            self.fail(column, f"{value} is in the future")
            return None
        return instant

    def day(self, column: str) -> date | None:
        """A date cell (an instant gives its local date)."""
        value = self.cells.get(column, "").strip()
        if not value:
            return None
        try:
            return local_date(parse_instant(value))
        except ValueError:
            self.fail(column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def integer(self, column: str, low: int, high: int) -> int:
        """A whole number cell in [low, high] (0 when empty)."""
        value = self.cells.get(column, "").strip()
        if not value:
            return 0
        if not value.isdigit() or not low <= int(value) <= high:
            self.fail(column, f"{value!r} is not a whole number from {low} to {high}")
            return 0
        return int(value)

    def flag(self, column: str) -> bool:
        """A yes/no cell: true, false or empty."""
        value = self.cells.get(column, "").strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.fail(column, f"{value!r} is not true or false")
        return False

    def choice(self, column: str, choices: Iterable[str]) -> str:
        """One of the given values, or empty."""
        value = self.cells.get(column, "").strip().lower()
        allowed = tuple(choices)
        if value and value not in allowed:
            self.fail(column, f"{value!r} is not one of: {', '.join(allowed)}")
            return ""
        return value


def missing_columns(table: Table, required: tuple[str, ...], problems: Problems) -> bool:
    """Whether a required column is absent from the header (each one is a problem)."""
    absent = [column for column in required if column not in table.header]
    for column in absent:
        problems.add(Problem(table.name, 1, column, "missing column"))
    return bool(absent)


def check_dossier(
    file: str,
    line: int,
    cells: dict[str, str],
    registry: ProcedureRegistry,
    now: datetime,
    problems: Problems,
) -> DossierRecord | None:
    """One dossier row as a record, or None after recording its problems."""
    row = Row(file, line, cells, problems)
    code = row.text("code", 80)
    procedure_code = row.text("procedure", 80, required=True)
    procedure = registry.get(procedure_code) if procedure_code else None
    if procedure_code and procedure is None:
        row.fail("procedure", f"unknown procedure {procedure_code!r}")
    name = row.text("applicant_name", 300, required=True)
    country = row.text("applicant_country", 100, required=True)
    email = row.text("applicant_email", 320)
    if email and not _EMAIL.match(email):
        row.fail("applicant_email", f"{email!r} is not an e-mail address")
    subject = row.text("subject", 500, required=True)
    received = row.instant("received_at", now, required=True)
    accepted = row.instant("accepted_at", now)
    outcome = row.choice("outcome", OUTCOME_STATUS)
    decided = row.instant("decided_at", now)
    stopped = row.integer("stopped_working_days", 0, MAX_STOPPED_WORKING_DAYS)
    extended = row.flag("extended")
    given = {column: cells.get(column, "").strip() for column in cells}
    if received is not None and accepted is not None:
        if local_date(accepted) < local_date(received):
            row.fail("accepted_at", f"before received_at ({local_date(received)})")
    if outcome and not given.get("decided_at"):
        row.fail("decided_at", f"required with the outcome {outcome}")
    if not given.get("outcome") and given.get("decided_at"):
        row.fail("decided_at", "given without an outcome (an empty outcome: still pending)")
    if decided is not None and received is not None and outcome:
        start = accepted if accepted is not None and outcome in DECISION_OUTCOME else received
        if local_date(decided) < local_date(start):
            what = "accepted_at" if start is accepted else "received_at"
            row.fail("decided_at", f"before {what} ({local_date(start)})")
    if outcome in DECISION_OUTCOME and not given.get("accepted_at"):
        row.fail("accepted_at", f"required for a decision ({outcome}): the clock starts there")
    if outcome == "rejected_at_intake" and given.get("accepted_at"):
        row.fail("accepted_at", "a dossier refused at intake was never accepted")
    if outcome == "forwarded" and procedure is not None:
        if Outcome.forward not in procedure.outcomes:
            row.fail("outcome", f"{procedure.code} decisions are never forwarded")
    if not given.get("accepted_at"):
        if stopped:
            row.fail("stopped_working_days", "the clock never started (no accepted_at)")
        if extended:
            row.fail("extended", "the clock never started (no accepted_at)")
    if not row.ok or procedure is None or received is None:
        return None
    return DossierRecord(
        line=line,
        code=code,
        procedure=procedure,
        applicant_name=name,
        applicant_country=country,
        applicant_email=email,
        subject=subject,
        received_at=received,
        accepted_at=accepted,
        outcome=outcome,
        decided_at=decided,
        stopped_working_days=stopped,
        extended=extended,
    )


def check_consultation(
    file: str,
    line: int,
    cells: dict[str, str],
    dossiers: dict[str, DossierRecord],
    agencies: set[str],
    now: datetime,
    problems: Problems,
) -> tuple[DossierRecord, ConsultationRecord] | None:
    """One consultation row with its dossier, or None after recording its problems."""
    row = Row(file, line, cells, problems)
    code = row.text("dossier_code", 80, required=True)
    dossier = dossiers.get(code) if code else None
    if code and dossier is None:
        row.fail(
            "dossier_code",
            f"no dossier {code!r} in the dossiers file (give a dossier a code to attach "
            "its consultations)",
        )
    agency = row.text("agency", 40, required=True)
    if agency and agency not in agencies:
        row.fail("agency", f"unknown agency {agency!r}")
    requested = row.instant("requested_at", now, required=True)
    due = row.day("due_date")
    answered = row.instant("answered_at", now)
    opinion = row.choice("opinion", OPINIONS)
    if dossier is None or requested is None or not row.ok:
        return None
    procedure = dossier.procedure
    asked_on = local_date(requested)
    if dossier.accepted_at is None:
        row.fail("requested_at", "the dossier was never accepted: nobody is consulted before")
    elif asked_on < local_date(dossier.accepted_at):
        accepted_on = local_date(dossier.accepted_at)
        row.fail("requested_at", f"before the dossier's accepted_at ({accepted_on})")
    ended_on = local_date(dossier.decided_at) if dossier.decided_at else None
    if ended_on is not None and asked_on > ended_on:
        row.fail("requested_at", f"after the dossier's decided_at ({ended_on})")
    if due is None and procedure.consultation_working_days == 0:
        row.fail("due_date", f"required: {procedure.code} sets no consultation period")
    if due is not None and due < asked_on:
        row.fail("due_date", f"before requested_at ({asked_on})")
    if answered is not None:
        if opinion in ("", DEEMED_CONSENT):
            row.fail("opinion", "an answered request needs the agency's opinion")
        if local_date(answered) < asked_on:
            row.fail("answered_at", f"before requested_at ({asked_on})")
        elif ended_on is not None and local_date(answered) > ended_on:
            row.fail("answered_at", f"after the dossier's decided_at ({ended_on})")
    elif opinion and opinion != DEEMED_CONSENT:
        row.fail("answered_at", f"required with the opinion {opinion}")
    if opinion == DEEMED_CONSENT and procedure.silence_rule != SilenceRule.deemed_consent:
        row.fail("opinion", f"{procedure.code} never takes silence as consent")
    if not row.ok:
        return None
    return dossier, ConsultationRecord(line, agency, requested, due, answered, opinion)
