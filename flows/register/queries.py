"""Reading the register: NGOs, one NGO with everything about it, obligations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from flows.errors import NotFound
from flows.register.documents import list_ngo_documents
from flows.register.views import (
    inspection_view,
    ngo_views,
    obligation_views,
    report_view,
)
from models.db import read_session
from models.dossier import Dossier
from models.inspection import Inspection
from models.ngo import Ngo
from models.ngo_report import NgoReport
from models.obligation import Obligation
from models.register_schemas import (
    NgoDetail,
    NgoDossier,
    NgoPage,
    ObligationPage,
)
from models.risk import RiskAssessment


def list_ngos(
    engine: Engine,
    *,
    q: str | None = None,
    risk_group: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> NgoPage:
    """NGOs by name, filtered by a name/country search and the risk group."""
    query = select(Ngo)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Ngo.name).like(like),
                func.lower(func.coalesce(Ngo.name_vi, "")).like(like),
                func.lower(func.coalesce(Ngo.name_original, "")).like(like),
                func.lower(Ngo.country).like(like),
            )
        )
    if risk_group:
        query = query.where(Ngo.risk_group == risk_group)
    with read_session(engine) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(Ngo.name), col(Ngo.id)).limit(limit).offset(offset)
        ).all()
        return NgoPage(items=ngo_views(session, list(rows)), total=int(total))


def _detail(session: Session, ngo: Ngo) -> NgoDetail:
    base = ngo_views(session, [ngo])[0]
    dossiers = session.exec(
        select(Dossier).where(Dossier.ngo_id == ngo.id).order_by(col(Dossier.received_at).desc())
    ).all()
    obligations = session.exec(
        select(Obligation)
        .where(Obligation.ngo_id == ngo.id)
        .order_by(col(Obligation.due_date), col(Obligation.kind))
    ).all()
    met = {o.id: o for o in obligations}
    reports = session.exec(
        select(NgoReport)
        .where(NgoReport.ngo_id == ngo.id)
        .order_by(col(NgoReport.period_year).desc(), col(NgoReport.received_on).desc())
    ).all()
    inspections = session.exec(
        select(Inspection)
        .where(Inspection.ngo_id == ngo.id)
        .order_by(col(Inspection.plan_year).desc())
    ).all()
    history = session.exec(
        select(RiskAssessment)
        .where(RiskAssessment.ngo_id == ngo.id)
        .order_by(col(RiskAssessment.id).desc())
        .limit(20)
    ).all()
    return NgoDetail(
        **base.model_dump(),
        dossiers=[
            NgoDossier(
                id=d.id,
                code=d.code,
                procedure=d.procedure,
                status=d.status,
                subject=d.subject,
                received_at=d.received_at,
                due_date=d.due_date,
            )
            for d in dossiers
        ],
        documents=list_ngo_documents(session, ngo.id),
        obligations=obligation_views(session, list(obligations)),
        reports=[
            report_view(
                r,
                None
                if r.obligation_id is None or r.obligation_id not in met
                else not met[r.obligation_id].met_late,
            )
            for r in reports
        ],
        inspections=[inspection_view(i, ngo) for i in inspections],
        risk_history=[
            {
                "at": h.at,
                "score": h.score,
                "group": h.group,
                "scorecard_version": h.scorecard_version,
                "cause": h.cause,
            }
            for h in history
        ],
    )


def get_ngo(engine: Engine, ngo_id: str) -> NgoDetail:
    """One NGO with its dossiers, obligations, reports, inspections and risk, or NotFound."""
    with read_session(engine) as session:
        ngo = session.get(Ngo, ngo_id)
        if ngo is None:
            raise NotFound(f"no NGO {ngo_id} in the register")
        return _detail(session, ngo)


def list_obligations(
    engine: Engine,
    *,
    status: str | None = None,
    due_before: date | None = None,
    ngo: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ObligationPage:
    """Obligations, soonest due first."""
    query = select(Obligation)
    if status:
        query = query.where(Obligation.status == status)
    if due_before:
        query = query.where(col(Obligation.due_date) < due_before)
    if ngo:
        query = query.where(Obligation.ngo_id == ngo)
    if kind:
        query = query.where(Obligation.kind == kind)
    with read_session(engine) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(Obligation.due_date), col(Obligation.id)).limit(limit).offset(offset)
        ).all()
        return ObligationPage(items=obligation_views(session, list(rows)), total=int(total))
