"""Queries on consultation requests; an agency only ever sees its own."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from flows.engine.state import Actor
from flows.errors import NotFound
from flows.procedures.schema import OPEN_CONSULTATION_STATUSES
from flows.service.views import consultation_view
from models.consultation import Consultation
from models.db import read_session
from models.dossier import Dossier
from models.schemas import ConsultationPublic


def list_consultations(
    engine: Engine, actor: Actor, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[ConsultationPublic]:
    """The caller agency's requests (all of them for handlers, leaders and managers)."""
    query = select(Consultation, Dossier).join(
        Dossier, col(Dossier.id) == col(Consultation.dossier_id)
    )
    if actor.role == "agency":
        query = query.where(Consultation.agency_code == actor.agency)
    if status == "open":
        query = query.where(
            col(Consultation.status).in_([s.value for s in OPEN_CONSULTATION_STATUSES])
        )
    elif status:
        query = query.where(Consultation.status == status)
    query = query.order_by(col(Consultation.due_date), col(Consultation.id))
    with read_session(engine) as session:
        rows = session.exec(query.limit(limit).offset(offset)).all()
        return [consultation_view(c, d) for c, d in rows]


def get_consultation(engine: Engine, actor: Actor, consultation_id: str) -> ConsultationPublic:
    """One request; another agency's is NotFound."""
    with read_session(engine) as session:
        c = session.get(Consultation, consultation_id)
        if c is None or (actor.role == "agency" and c.agency_code != actor.agency):
            raise NotFound(f"no consultation {consultation_id}")
        d = session.get(Dossier, c.dossier_id)
        assert d is not None
        return consultation_view(c, d)
