"""Read side: the public shapes of dossiers, consultations and history, and their queries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, overload

from sqlalchemy import Engine, false, func, or_
from sqlmodel import Session, col, select

from flows.calendar import VN_TZ, WorkingCalendar, local_date
from flows.engine import steps
from flows.engine.clock import is_overdue, working_days_left, working_days_used
from flows.engine.decide import allowed_actions
from flows.engine.rules import open_required
from flows.engine.state import DossierState
from flows.errors import NotFound
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import TERMINAL_STATUSES, ProcedureDefinition
from flows.service.calendar import load_calendar
from flows.service.check.chains import dossier_trail, intact_flags
from flows.service.mapping import to_state
from flows.service.registry import sync_registry
from models.consultation import Consultation
from models.db import read_session
from models.document import Document
from models.dossier import Dossier
from models.schemas import (
    ApplicantPublic,
    ConsultationPublic,
    DecisionPublic,
    DossierPage,
    DossierPublic,
    HistoryItem,
    ProposalPublic,
    StepPublic,
)


@overload
def vn(instant: datetime) -> datetime: ...
@overload
def vn(instant: None) -> None: ...
@overload
def vn(instant: datetime | None) -> datetime | None: ...
def vn(instant: datetime | None) -> datetime | None:
    """An instant shown in Asia/Ho_Chi_Minh."""
    return instant.astimezone(VN_TZ) if instant is not None else None


def consultation_view(c: Consultation, d: Dossier) -> ConsultationPublic:
    """The public shape of one consultation request."""
    return ConsultationPublic(
        id=c.id,
        dossier_id=d.id,
        dossier_code=d.code,
        procedure=d.procedure,
        subject=d.subject,
        applicant_name=d.applicant_name,
        agency=c.agency_code,
        status=c.status,
        requested_at=vn(c.requested_at),
        due_date=c.due_date,
        working_days=c.working_days,
        reminded_at=vn(c.reminded_at),
        overdue_at=vn(c.overdue_at),
        answered_at=vn(c.answered_at),
        answered_by=c.answered_by,
        answered_late=c.answered_late,
        opinion=c.opinion,
        comments=c.comments,
        letter_number=c.letter_number,
        letter_date=c.letter_date,
        letter_document_id=c.letter_document_id,
        recorded_by=c.recorded_by,
    )


def dossier_view(
    row: Dossier,
    consultations: list[Consultation],
    procedure: ProcedureDefinition,
    calendar: WorkingCalendar,
    now: datetime,
    state: DossierState | None = None,
) -> DossierPublic:
    """The public shape of a dossier, with its clock derived as of `now`."""
    state = state or to_state(row, consultations)
    p, d = row.proposal, row.decision
    shown = step_views(state, procedure, local_date(now))
    return DossierPublic(
        id=row.id,
        code=row.code,
        procedure=row.procedure,
        procedure_version=row.procedure_version,
        status=row.status,
        applicant=ApplicantPublic(
            name=row.applicant_name,
            country=row.applicant_country,
            email=row.applicant_email,
            language=row.applicant_language,
        ),
        ngo_id=row.ngo_id,
        subject=row.subject,
        fields=row.fields,
        received_at=vn(row.received_at),
        received_by=row.received_by,
        accepted_at=vn(row.accepted_at),
        due_date=row.due_date,
        legal_due_date=row.legal_due_date,
        working_days_used=working_days_used(state, calendar, now),
        working_days_left=working_days_left(state, calendar, now),
        is_overdue=is_overdue(state, now),
        suspended=row.suspended,
        missing=list(row.missing),
        assignee=row.assignee,
        extended=row.extended,
        consultations=[
            consultation_view(c, row) for c in sorted(consultations, key=lambda c: c.position)
        ],
        required_agencies=list(state.progress.required_agencies),
        open_required_agencies=open_required(state),
        proposal=ProposalPublic(
            **{**p, "proposed_at": vn(datetime.fromisoformat(p["proposed_at"]))}
        )
        if p
        else None,
        decision=DecisionPublic(**{**d, "signed_at": vn(datetime.fromisoformat(d["signed_at"]))})
        if d
        else None,
        completed_at=vn(row.completed_at),
        allowed_actions=allowed_actions(state, procedure),
        steps=shown,
        step_overdue=any(x.status == "overdue" for x in shown),
        version=row.version,
    )


def step_views(
    state: DossierState, procedure: ProcedureDefinition, today: date
) -> list[StepPublic]:
    """The started steps in the procedure's order (steps of another version last)."""
    order = {st.name: i for i, st in enumerate(procedure.steps)}
    shown: list[StepPublic] = []
    for name, st in sorted(state.progress.steps.items(), key=lambda kv: order.get(kv[0], 99)):
        step = procedure.step(name)
        status = steps.status(st, today)
        shown.append(
            StepPublic(
                name=name,
                title_vi=step.title_vi if step else name,
                title_en=step.title_en if step else name,
                role=step.role.value if step else "",
                started_at=vn(st.started_at),
                due_date=st.due_date,
                ended_at=vn(st.ended_at),
                overdue=status in ("overdue", "done_late"),
                status=status,
            )
        )
    return shown


def _procedure(row: Dossier, registry: ProcedureRegistry) -> ProcedureDefinition:
    procedure = registry.get(row.procedure, row.procedure_version)
    if procedure is None:
        raise NotFound(f"procedure {row.procedure} v{row.procedure_version} is not defined")
    return procedure


def _consultations_of(session: Session, ids: list[str]) -> dict[str, list[Consultation]]:
    by_dossier: dict[str, list[Consultation]] = {i: [] for i in ids}
    if ids:
        for c in session.exec(select(Consultation).where(col(Consultation.dossier_id).in_(ids))):
            by_dossier[c.dossier_id].append(c)
    return by_dossier


def get_dossier(
    engine: Engine, dossier_id: str, now: datetime, registry: ProcedureRegistry = REGISTRY
) -> DossierPublic:
    """One dossier, or NotFound."""
    with read_session(engine) as session:
        if registry is REGISTRY:
            registry = sync_registry(session)
        row = session.get(Dossier, dossier_id)
        if row is None:
            raise NotFound(f"no dossier {dossier_id}")
        consultations = _consultations_of(session, [row.id])[row.id]
        return dossier_view(
            row, consultations, _procedure(row, registry), load_calendar(session), now
        )


def _at_risk(
    registry: ProcedureRegistry, calendar: WorkingCalendar, today: date, closed: list[str]
) -> Any:
    """Running dossiers not yet late with at most their procedure's at-risk working days left."""
    windows: list[Any] = []
    for latest in registry.latest():
        for version in range(1, latest.version + 1):
            definition = registry.get(latest.code, version)
            if definition is not None:
                horizon = calendar.add_working_days(today, definition.at_risk_working_days)
                windows.append(
                    (col(Dossier.procedure) == definition.code)
                    & (col(Dossier.procedure_version) == version)
                    & (col(Dossier.due_date) <= horizon)
                )
    return (
        col(Dossier.status).not_in(closed)
        & col(Dossier.suspended).is_(False)
        & (col(Dossier.due_date) >= today)
        & or_(false(), *windows)
    )


WORKLIST_ORDER = (
    col(Dossier.legal_due_date).asc().nulls_last(),
    col(Dossier.received_at).asc(),
    col(Dossier.code).asc(),
)
"""The worklist's order: soonest legal due date first (the exports keep it)."""


def worklist_conditions(
    registry: ProcedureRegistry,
    calendar: WorkingCalendar,
    now: datetime,
    *,
    status: str | None = None,
    procedure: str | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    q: str | None = None,
    at_risk: bool | None = None,
    step_overdue: bool | None = None,
) -> list[Any]:
    """The worklist's filters as conditions on Dossier (`GET /dossiers` and its exports)."""
    conditions: list[Any] = []
    if status:
        conditions.append(Dossier.status == status)
    if procedure:
        conditions.append(Dossier.procedure == procedure)
    if assignee:
        conditions.append(Dossier.assignee == assignee)
    if due_before:
        conditions.append(col(Dossier.due_date) < due_before)
    open_statuses = [s.value for s in TERMINAL_STATUSES]
    if overdue is not None:
        late = (
            (col(Dossier.due_date) < local_date(now))
            & col(Dossier.status).not_in(open_statuses)
            & (col(Dossier.suspended).is_(False))
        )
        conditions.append(late if overdue else ~late | col(Dossier.due_date).is_(None))
    if q:
        like = f"%{q.lower()}%"
        conditions.append(
            or_(
                func.lower(Dossier.code).like(like),
                func.lower(Dossier.applicant_name).like(like),
                func.lower(Dossier.subject).like(like),
            )
        )
    if step_overdue is not None:
        # Ending the dossier closes its steps, so a due date left here belongs to a running one.
        behind = col(Dossier.step_due_date) < local_date(now)
        conditions.append(
            behind if step_overdue else ~behind | col(Dossier.step_due_date).is_(None)
        )
    if at_risk is not None:
        risky = _at_risk(registry, calendar, local_date(now), open_statuses)
        conditions.append(risky if at_risk else ~risky | col(Dossier.due_date).is_(None))
    return conditions


def list_dossiers(
    engine: Engine,
    now: datetime,
    *,
    status: str | None = None,
    procedure: str | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    at_risk: bool | None = None,
    step_overdue: bool | None = None,
    registry: ProcedureRegistry = REGISTRY,
) -> DossierPage:
    """A filtered page of dossiers, soonest legal due date first."""
    with read_session(engine) as session:
        calendar = load_calendar(session)
        if registry is REGISTRY:
            registry = sync_registry(session)
        conditions = worklist_conditions(
            registry,
            calendar,
            now,
            status=status,
            procedure=procedure,
            assignee=assignee,
            overdue=overdue,
            due_before=due_before,
            q=q,
            at_risk=at_risk,
            step_overdue=step_overdue,
        )
        total = session.exec(select(func.count()).select_from(Dossier).where(*conditions)).one()
        rows = session.exec(
            select(Dossier).where(*conditions).order_by(*WORKLIST_ORDER).limit(limit).offset(offset)
        ).all()
        consultations = _consultations_of(session, [r.id for r in rows])
        items = [
            dossier_view(r, consultations[r.id], _procedure(r, registry), calendar, now)
            for r in rows
        ]
    return DossierPage(items=items, total=total)


def history(engine: Engine, dossier_id: str) -> list[HistoryItem]:
    """Every recorded action on the dossier, oldest first, each with whether the audit chain
    verifies up to it."""
    with read_session(engine) as session:
        version = session.exec(select(Dossier.version).where(Dossier.id == dossier_id)).first()
        if version is None:
            raise NotFound(f"no dossier {dossier_id}")
        chain = dossier_trail(session, dossier_id)
        documents = session.exec(select(Document.id).where(Document.dossier_id == dossier_id))
        flags = intact_flags(chain, version, list(documents.all()))
    items: list[tuple[datetime, int, HistoryItem]] = []
    last = datetime.min.replace(tzinfo=UTC)
    for r, intact in zip(chain, flags, strict=True):
        # A value edited into what its column cannot hold is still shown (never a 500): an
        # unreadable instant as the one before it, unreadable details as their raw text.
        at = last = r.at if isinstance(r.at, datetime) else last
        details = r.details if isinstance(r.details, dict) else {"unreadable": str(r.details)}
        item = HistoryItem(
            at=vn(at),
            actor=str(r.actor),
            actor_role=str(r.actor_role),
            action=str(r.action),
            from_status=None if r.from_status is None else str(r.from_status),
            to_status=str(r.to_status),
            details=details,
            chain_intact=intact,
        )
        items.append((at, r.id, item))
    return [item for _, _, item in sorted(items, key=lambda x: (x[0], x[1]))]
