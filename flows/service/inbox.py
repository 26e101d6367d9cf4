"""What waits for a user: the count behind the badge on their pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Engine, and_, exists, func, or_
from sqlmodel import col, select

from flows.calendar import local_date
from flows.engine.state import Actor
from flows.procedures.schema import OPEN_CONSULTATION_STATUSES, TERMINAL_STATUSES
from models.consultation import Consultation
from models.db import read_session
from models.dossier import Dossier
from models.outbox import Outbox

_OPEN_REQUESTS = [s.value for s in OPEN_CONSULTATION_STATUSES]
_FINAL = [s.value for s in TERMINAL_STATUSES]


def responsible(actor: Actor) -> ColumnElement[bool]:
    """Dossiers a handler answers for: assigned to them, or received by them and unassigned."""
    return or_(
        col(Dossier.assignee) == actor.name,
        and_(col(Dossier.assignee).is_(None), col(Dossier.received_by) == actor.name),
    )


def ready_to_propose(actor: Actor) -> list[ColumnElement[bool]]:
    """A handler's dossiers in review whose consultations have all ended (at least one)."""
    same = col(Consultation.dossier_id) == col(Dossier.id)
    has_any = exists().where(same)
    has_open = exists().where(same, col(Consultation.status).in_(_OPEN_REQUESTS))
    return [col(Dossier.status) == "in_review", responsible(actor), has_any, ~has_open]


def waiting_count(engine: Engine, actor: Actor, now: datetime) -> int:
    """How many things wait for this user now (0 for roles with nothing to wait for)."""
    with read_session(engine) as session:
        if actor.role == "leader":
            query = (
                select(func.count())
                .select_from(Dossier)
                .where(Dossier.status == "awaiting_decision")
            )
        elif actor.role == "handler":
            query = select(func.count()).select_from(Dossier).where(*ready_to_propose(actor))
        elif actor.role == "agency":
            query = (
                select(func.count())
                .select_from(Consultation)
                .where(
                    Consultation.agency_code == actor.agency,
                    col(Consultation.status).in_(_OPEN_REQUESTS),
                )
            )
        elif actor.role == "manager":
            query = (
                select(func.count())
                .select_from(Dossier)
                .where(
                    col(Dossier.status).not_in(_FINAL),
                    col(Dossier.suspended).is_(False),
                    col(Dossier.due_date) < local_date(now),
                )
            )
        elif actor.role == "admin":
            query = select(func.count()).select_from(Outbox).where(Outbox.status == "dead")
        else:
            return 0
        return int(session.exec(query).one())
