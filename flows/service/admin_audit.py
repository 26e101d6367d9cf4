"""The one writer of the administration audit trail: who changed what, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.engine.state import Actor
from models.admin_audit import AdminEvent
from models.db import read_session


def record_admin(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    key: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> None:
    """Add one administration event to the caller's transaction."""
    session.add(
        AdminEvent(
            at=at,
            actor=actor.name,
            actor_role=actor.role,
            entity=entity,
            entity_key=key[:120],
            action=action,
            before=before,
            after=after,
        )
    )


def admin_events(
    session: Session, *, entity: str | None = None, limit: int = 200
) -> list[AdminEvent]:
    """The latest administration events, newest first."""
    query = select(AdminEvent)
    if entity:
        query = query.where(AdminEvent.entity == entity)
    return list(session.exec(query.order_by(col(AdminEvent.id).desc()).limit(limit)).all())


def list_admin_events(
    engine: Engine, *, entity: str | None = None, limit: int = 200
) -> list[AdminEvent]:
    """The latest administration events, newest first, in a session of their own."""
    with read_session(engine) as session:
        return admin_events(session, entity=entity, limit=limit)
