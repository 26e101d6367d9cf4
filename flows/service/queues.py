"""What the pages list: proposals awaiting signature, an agency's requests, the managers'
dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from flows.calendar import local_date
from flows.engine.clock import working_days_left
from flows.engine.state import Actor
from flows.procedures import ProcedureRegistry
from flows.procedures.schema import OPEN_CONSULTATION_STATUSES, TERMINAL_STATUSES, Status
from flows.service.calendar import load_calendar
from flows.service.consultations import get_consultation
from flows.service.documents import list_documents, read_document
from flows.service.mapping import to_state
from flows.service.metrics.agencies import by_agency
from flows.service.metrics.at_risk import at_risk
from flows.service.metrics.counters import ALL
from flows.service.metrics.facts import RECEIVED
from flows.service.metrics.filters import MetricsFilters
from flows.service.metrics.summary import by_month, summary
from flows.service.metrics_charts import (
    Bucket,
    OverdueList,
    overdue_dossiers,
    pending_by_age,
    processing_time_histogram,
)
from flows.service.registry import sync_registry
from flows.service.views import consultation_view, get_dossier, vn
from models.agency import Agency
from models.audit import AuditEvent
from models.consultation import Consultation
from models.db import read_session
from models.dossier import Dossier
from models.metric_count import MetricCount
from models.metrics_schemas import AgencyMetrics, MetricsAtRisk, MetricsSummary, MonthMetrics
from models.schemas import ConsultationPublic, DocumentPublic, DossierPublic

LIMIT = 200
WATCH_LIMIT = 50  # dossiers shown in each of the dashboard's overdue and at-risk lists
_OPEN_REQUESTS = [s.value for s in OPEN_CONSULTATION_STATUSES]
_FINAL = [s.value for s in TERMINAL_STATUSES]


class Names(BaseModel):
    """A name in Vietnamese and in English."""

    vi: str
    en: str


class DecisionItem(BaseModel):
    """One proposal waiting for the leader's signature (hồ sơ chờ ký)."""

    id: str
    code: str
    applicant_name: str
    procedure: Names
    procedure_code: str
    outcome: str
    proposed_by: str
    proposed_at: datetime
    due_date: date | None
    working_days_left: int | None
    at_risk_working_days: int


class AgencyAnswer(BaseModel):
    """One consulted agency's answer (or its silence), with the agency's names."""

    consultation: ConsultationPublic
    agency: Names


class DecisionReview(BaseModel):
    """A proposal with the dossier it decides and every agency's answer."""

    dossier: DossierPublic
    procedure: Names
    at_risk_working_days: int
    answers: list[AgencyAnswer]


class InboxItem(BaseModel):
    """One consultation request in an agency's inbox."""

    consultation: ConsultationPublic
    procedure: Names
    working_days_left: int | None
    reminder_working_days: int


class AgencyInbox(BaseModel):
    """An agency's open requests (soonest due first) and those already closed."""

    open: list[InboxItem]
    closed: list[InboxItem]


class AgencyRequest(BaseModel):
    """One request as its agency sees it, with the dossier's documents."""

    consultation: ConsultationPublic
    procedure: Names
    agency: Names
    working_days_left: int | None
    reminder_working_days: int
    is_open: bool
    documents: list[DocumentPublic]


class StatusCount(BaseModel):
    """How many open dossiers have one status."""

    status: str
    count: int


class AgencyLateness(BaseModel):
    """An agency's requests past their due date and still unanswered."""

    agency: str
    names: Names
    overdue_requests: int


class FilterChoices(BaseModel):
    """What the dashboard's filters offer: procedures and receiving agencies, by code."""

    procedures: dict[str, Names] = Field(description="Every procedure's title, by code.")
    receiving_agencies: dict[str, Names] = Field(
        description="The agencies that receive dossiers: the procedures' and any that ever did."
    )


class Dashboard(BaseModel):
    """The managers' dashboard: the period's figures and charts' data, the watch lists."""

    period_first: date
    period_last: date
    as_of: date = Field(description="The day pending dossiers are counted on.")
    summary: MetricsSummary
    months: list[MonthMetrics]
    agencies: list[AgencyMetrics]
    processing_time: list[Bucket] = Field(description="Signed decisions by working days used.")
    pending_age: list[Bucket] = Field(
        description="Pending dossiers by working days since acceptance."
    )
    overdue: OverdueList
    at_risk: MetricsAtRisk
    by_status: list[StatusCount]
    open_total: int
    late_agencies: list[AgencyLateness]
    choices: FilterChoices

    @property
    def overdue_total(self) -> int:
        """Pending dossiers past their due date."""
        return self.overdue.total

    @property
    def at_risk_total(self) -> int:
        """Dossiers predicted to be late."""
        return self.at_risk.total


def _procedure_names(registry: ProcedureRegistry, code: str, version: int | None) -> Names:
    """The procedure's title in both languages (its code when it is not defined)."""
    definition = registry.get(code, version)
    if definition is None:
        return Names(vi=code, en=code)
    return Names(vi=definition.title_vi, en=definition.title_en)


def _reminder_days(registry: ProcedureRegistry, code: str, version: int | None) -> int:
    """How many working days before its due date an agency is reminded to answer."""
    definition = registry.get(code, version)
    return definition.reminder_working_days_before if definition is not None else 0


def _agency_names(session: Session, codes: set[str]) -> dict[str, Names]:
    """The registry's names of the given agencies (the code itself for an unknown one)."""
    rows = session.exec(select(Agency).where(col(Agency.code).in_(codes))).all() if codes else []
    found = {a.code: Names(vi=a.name_vi, en=a.name_en) for a in rows}
    return {code: found.get(code, Names(vi=code, en=code)) for code in codes}


def decision_queue(engine: Engine, now: datetime) -> list[DecisionItem]:
    """Dossiers awaiting signature, the oldest proposal first."""
    proposed_at = (
        select(func.max(AuditEvent.at))
        .where(col(AuditEvent.dossier_id) == col(Dossier.id), col(AuditEvent.action) == "propose")
        .correlate(Dossier)
        .scalar_subquery()
    )
    with read_session(engine) as session:
        registry = sync_registry(session)
        calendar = load_calendar(session)
        rows = session.exec(
            select(Dossier)
            .where(Dossier.status == Status.awaiting_decision)
            .order_by(proposed_at.asc().nulls_last(), col(Dossier.code))
            .limit(LIMIT)
        ).all()
        items = []
        for row in rows:
            state = to_state(row, [])
            if state.proposal is None:  # the engine never leaves awaiting_decision without one
                continue
            definition = registry.get(row.procedure, row.procedure_version)
            items.append(
                DecisionItem(
                    id=row.id,
                    code=row.code,
                    applicant_name=row.applicant_name,
                    procedure=_procedure_names(registry, row.procedure, row.procedure_version),
                    procedure_code=row.procedure,
                    outcome=state.proposal.outcome,
                    proposed_by=state.proposal.proposed_by,
                    proposed_at=vn(state.proposal.proposed_at),
                    due_date=row.due_date,
                    working_days_left=working_days_left(state, calendar, now),
                    at_risk_working_days=definition.at_risk_working_days if definition else 0,
                )
            )
        return items


def decision_review(engine: Engine, dossier_id: str, now: datetime) -> DecisionReview:
    """One dossier's proposal, its summary and the agencies' answers (NotFound if none)."""
    dossier = get_dossier(engine, dossier_id, now)
    with read_session(engine) as session:
        registry = sync_registry(session)
        names = _agency_names(session, {c.agency for c in dossier.consultations})
    definition = registry.get(dossier.procedure, dossier.procedure_version)
    return DecisionReview(
        dossier=dossier,
        procedure=_procedure_names(registry, dossier.procedure, dossier.procedure_version),
        at_risk_working_days=definition.at_risk_working_days if definition else 0,
        answers=[
            AgencyAnswer(consultation=c, agency=names[c.agency]) for c in dossier.consultations
        ],
    )


def agency_inbox(engine: Engine, actor: Actor, now: datetime) -> AgencyInbox:
    """The caller agency's requests: open ones by due date, then the closed, newest first."""
    today = local_date(now)
    own = (
        select(Consultation, Dossier)
        .join(Dossier, col(Dossier.id) == col(Consultation.dossier_id))
        .where(Consultation.agency_code == actor.agency)
    )
    with read_session(engine) as session:
        registry = sync_registry(session)
        calendar = load_calendar(session)
        open_rows = session.exec(
            own.where(col(Consultation.status).in_(_OPEN_REQUESTS))
            .order_by(col(Consultation.due_date), col(Consultation.requested_at))
            .limit(LIMIT)
        ).all()
        closed_rows = session.exec(
            own.where(col(Consultation.status).not_in(_OPEN_REQUESTS))
            .order_by(col(Consultation.requested_at).desc())
            .limit(LIMIT)
        ).all()

        def item(c: Consultation, d: Dossier, is_open: bool) -> InboxItem:
            left = calendar.working_days_between(today, c.due_date) if is_open else None
            return InboxItem(
                consultation=consultation_view(c, d),
                procedure=_procedure_names(registry, d.procedure, d.procedure_version),
                working_days_left=left,
                reminder_working_days=_reminder_days(registry, d.procedure, d.procedure_version),
            )

        return AgencyInbox(
            open=[item(c, d, True) for c, d in open_rows],
            closed=[item(c, d, False) for c, d in closed_rows],
        )


def agency_request(
    engine: Engine, actor: Actor, consultation_id: str, now: datetime
) -> AgencyRequest:
    """One of the caller agency's requests with the dossier's documents (others: NotFound)."""
    consultation = get_consultation(engine, actor, consultation_id)
    documents = list_documents(engine, consultation.dossier_id)
    is_open = consultation.status in _OPEN_REQUESTS
    with read_session(engine) as session:
        registry = sync_registry(session)
        calendar = load_calendar(session)
        dossier = session.get(Dossier, consultation.dossier_id)
        version = dossier.procedure_version if dossier is not None else None
        names = _agency_names(session, {consultation.agency})
    return AgencyRequest(
        consultation=consultation,
        procedure=_procedure_names(registry, consultation.procedure, version),
        agency=names[consultation.agency],
        working_days_left=calendar.working_days_between(local_date(now), consultation.due_date)
        if is_open
        else None,
        reminder_working_days=_reminder_days(registry, consultation.procedure, version),
        is_open=is_open,
        documents=documents,
    )


def request_documents(engine: Engine, actor: Actor, consultation_id: str) -> list[DocumentPublic]:
    """The documents of a request's dossier, for the agency it was sent to (others: NotFound)."""
    consultation = get_consultation(engine, actor, consultation_id)
    return list_documents(engine, consultation.dossier_id)


def request_document(
    engine: Engine, actor: Actor, consultation_id: str, document_id: str
) -> tuple[DocumentPublic, bytes]:
    """One document of a request's dossier with its bytes, for that agency only."""
    consultation = get_consultation(engine, actor, consultation_id)
    return read_document(engine, consultation.dossier_id, document_id)


def _dossier_filters(filters: MetricsFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.procedure:
        conditions.append(col(Dossier.procedure) == filters.procedure)
    if filters.receiving_agency:
        conditions.append(col(Dossier.receiving_agency) == filters.receiving_agency)
    return conditions


def dashboard(
    engine: Engine, filters: MetricsFilters, now: datetime, limit: int = WATCH_LIMIT
) -> Dashboard:
    """The period's figures (`/metrics`), the charts' data, open dossiers by status, the
    overdue and at-risk lists and the agencies late to answer, for one procedure and
    receiving agency when the filters name them."""
    period = filters.period(now)
    today = local_date(now)
    figures = summary(engine, filters, now)
    order = {status.value: index for index, status in enumerate(Status)}
    narrowed = _dossier_filters(filters)
    with read_session(engine) as session:
        counts = session.exec(
            select(Dossier.status, func.count())
            .where(col(Dossier.completed_on).is_(None), col(Dossier.status).not_in(_FINAL))
            .where(*narrowed)
            .group_by(col(Dossier.status))
        ).all()
        late = session.exec(
            select(Consultation.agency_code, func.count())
            .join(Dossier, col(Dossier.id) == col(Consultation.dossier_id))
            .where(
                col(Consultation.status).in_(_OPEN_REQUESTS),
                col(Consultation.due_date) < today,
                *narrowed,
            )
            .group_by(col(Consultation.agency_code))
        ).all()
        names = _agency_names(session, {code for code, _ in late})
    by_status = sorted(
        (StatusCount(status=s, count=int(n)) for s, n in counts),
        key=lambda x: order.get(x.status, len(order)),
    )
    late_agencies = sorted(
        (
            AgencyLateness(agency=code, names=names[code], overdue_requests=int(n))
            for code, n in late
        ),
        key=lambda x: (-x.overdue_requests, x.agency),
    )
    return Dashboard(
        period_first=period.first,
        period_last=period.last,
        as_of=period.as_of,
        summary=figures,
        months=by_month(engine, filters, now).items,
        agencies=by_agency(engine, filters, now).items,
        processing_time=processing_time_histogram(engine, filters, now),
        pending_age=pending_by_age(engine, filters, now),
        overdue=overdue_dossiers(engine, filters, now, limit),
        at_risk=at_risk(engine, filters, now, limit=limit),
        by_status=by_status,
        open_total=sum(x.count for x in by_status),
        late_agencies=late_agencies,
        choices=filter_choices(engine, filters),
    )


def filter_choices(engine: Engine, filters: MetricsFilters | None = None) -> FilterChoices:
    """The procedures, and the agencies that receive dossiers: those the procedures name and
    any in the all-time counters (imported dossiers too), plus the one the filters name."""
    with read_session(engine) as session:
        registry = sync_registry(session)
        receivers = {p.receiving_agency for p in registry.latest()}
        receivers |= set(
            session.exec(
                select(MetricCount.receiving_agency)
                .where(MetricCount.fact == RECEIVED, MetricCount.grain == ALL)
                .distinct()
            ).all()
        )
        if filters is not None and filters.receiving_agency:
            receivers.add(filters.receiving_agency)
        names = _agency_names(session, receivers)
    return FilterChoices(
        procedures={
            p.code: Names(vi=p.title_vi, en=p.title_en)
            for p in sorted(registry.latest(), key=lambda p: p.code)
        },
        receiving_agencies={code: names[code] for code in sorted(receivers)},
    )
