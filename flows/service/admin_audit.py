"""The one writer of the administration audit trail: who changed what, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from flows.engine.state import Actor
from models.admin_audit import AdminEvent
from models.audit_chain import ADMIN_FIELDS, GENESIS, as_stored, chain_hash
from models.db import read_session

# Any fixed number of our own: PostgreSQL's advisory lock that serialises administration
# events, as appends to the one chain have no row of their own to lock.
ADMIN_CHAIN_LOCK = 0x6E676F5F61756474  # "ngo_audt"


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
    """Add one administration event to the caller's transaction, chained to the last one."""
    # The change itself first: its row locks are taken before the chain's lock, always in
    # that order, and the chain's lock is held for as short a time as the caller allows.
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Held until commit; SQLite's writers are serialised by BEGIN IMMEDIATE already.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADMIN_CHAIN_LOCK})
    content: dict[str, Any] = {
        "at": at,
        "actor": actor.name,
        "actor_role": actor.role,
        "entity": entity,
        "entity_key": key[:120],
        "action": action,
        "before": as_stored(before),
        "after": as_stored(after),
    }
    prev = last_admin_hash(session)
    event = AdminEvent(**content, prev_hash=prev, hash=chain_hash(content, ADMIN_FIELDS, prev))
    session.add(event)
    session.flush()  # the next event of this transaction reads this one as its predecessor


def last_admin_hash(session: Session) -> str:
    """The hash of the latest administration event, or the chain's genesis value."""
    found = session.exec(
        select(AdminEvent.hash).order_by(col(AdminEvent.id).desc()).limit(1)
    ).first()
    return found or GENESIS


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
