"""Outbox bookkeeping: claim due messages under a lease, record success, back off, go dead."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_
from sqlmodel import Session, col, select

from flows.procedures.schema import OPEN_CONSULTATION_STATUSES
from models.consultation import Consultation
from models.db import is_postgres, read_session, write_session
from models.outbox import Outbox
from models.user import User

# Messages that ask an agency for its opinion: worth sending only while the request is open.
REPLY_TEMPLATES = ("consultation_request", "consultation_reminder")


@dataclass(frozen=True)
class Claimed:
    """A message this deliverer holds the lease on."""

    id: str
    recipient: str
    template: str
    language: str
    context: dict[str, Any]
    message_id: str
    attempts: int


@dataclass(frozen=True)
class Batch:
    """One claim: the messages to send now, and the ids of those it closed as skipped."""

    messages: list[Claimed]
    skipped: list[str]


def _claimable(now: datetime, due_only: bool = True) -> Any:
    """Pending (and due, unless not `due_only`), or sending with an expired lease."""
    pending = col(Outbox.status) == "pending"
    return or_(
        and_(pending, col(Outbox.next_attempt_at) <= now) if due_only else pending,
        and_(col(Outbox.status) == "sending", col(Outbox.claimed_until) < now),
    )


def claim_batch(
    engine: Engine,
    now: datetime,
    limit: int,
    lease: timedelta,
    ids: list[str] | None = None,
    *,
    due_only: bool = True,
) -> Batch:
    """Take up to `limit` due messages: pending ones, and sending ones whose lease ran out
    (their deliverer died mid-way; resending keeps the Message-ID, so receivers drop it).
    With `ids`, only those; with `due_only` false, even before their backoff ends (a step run
    again by hand). A request for an opinion whose consultation has ended is closed as
    `skipped` instead."""
    with write_session(engine) as session:
        query = (
            select(Outbox)
            .where(_claimable(now, due_only))
            .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
            .limit(limit)
        )
        if ids is not None:
            query = query.where(col(Outbox.id).in_(ids))
        if is_postgres(engine):
            query = query.with_for_update(skip_locked=True)
        rows = session.exec(query).all()
        ended = _ended_consultations(session, rows)
        messages: list[Claimed] = []
        skipped: list[str] = []
        for row in rows:
            status = ended.get(str(row.context.get("consultation_id", "")))
            if row.template in REPLY_TEMPLATES and status is not None:
                row.status, row.claimed_until = "skipped", None
                row.last_error = f"not sent: the consultation is already {status}"
                skipped.append(row.id)
            else:
                row.status = "sending"
                row.claimed_until = now + lease
                messages.append(
                    Claimed(
                        row.id,
                        row.recipient,
                        row.template,
                        row.language,
                        dict(row.context),
                        row.message_id,
                        row.attempts,
                    )
                )
            session.add(row)
        return Batch(messages, skipped)


def has_due(engine: Engine, now: datetime) -> bool:
    """Whether `claim_batch` would find a message now (the delivery's cheap idle check)."""
    with read_session(engine) as session:
        found = session.exec(select(Outbox.id).where(_claimable(now)).limit(1)).first()
    return found is not None


def claim(engine: Engine, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """The messages of `claim_batch`, for callers that do not count the skipped ones."""
    return claim_batch(engine, now, limit, lease).messages


def _ended_consultations(session: Session, rows: Sequence[Outbox]) -> dict[str, str]:
    """Status of each consultation named by a claimed request that no longer awaits an answer
    (answered, deemed consent, cancelled): one query for the whole batch."""
    ids = {
        str(r.context["consultation_id"])
        for r in rows
        if r.template in REPLY_TEMPLATES and r.context.get("consultation_id")
    }
    if not ids:
        return {}
    found = session.exec(select(Consultation).where(col(Consultation.id).in_(ids))).all()
    open_statuses = {s.value for s in OPEN_CONSULTATION_STATUSES}
    return {x.id: x.status for x in found if x.status not in open_statuses}


def sent_at(engine: Engine, outbox_id: str) -> datetime | None:
    """When the message was sent, None while it is not."""
    with read_session(engine) as session:
        row = session.get(Outbox, outbox_id)
        return row.sent_at if row is not None and row.status == "sent" else None


def mark_sent(engine: Engine, outbox_id: str, now: datetime) -> None:
    """The SMTP server accepted the message."""
    with write_session(engine) as session:
        row = session.get(Outbox, outbox_id)
        if row is not None:
            row.status, row.sent_at, row.claimed_until = "sent", now, None
            row.attempts += 1
            row.last_error = None
            session.add(row)


def mark_failed(
    engine: Engine,
    outbox_id: str,
    now: datetime,
    error: str,
    *,
    max_attempts: int,
    backoff_seconds: float,
    admin_emails: list[str],
) -> bool:
    """Record a failed attempt; back off exponentially, or make it dead. True when dead."""
    with write_session(engine) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return False
        row.attempts += 1
        row.last_error = error[:2000]
        row.claimed_until = None
        dead = row.attempts >= max_attempts
        if dead:
            row.status = "dead"
            if row.template != "delivery_dead":  # an alert about an alert would loop
                for email in _admins(session, admin_emails):
                    alert_id = str(uuid.uuid5(uuid.UUID(row.id), f"dead:{email}"))
                    session.add(
                        Outbox(
                            id=alert_id,
                            dossier_id=row.dossier_id,
                            recipient=email,
                            template="delivery_dead",
                            language="vi",
                            created_at=now,
                            next_attempt_at=now,
                            message_id=f"<{alert_id}@ngo-review>",
                            context={
                                "outbox_id": row.id,
                                "recipient": row.recipient,
                                "template": row.template,
                                "attempts": row.attempts,
                                "last_error": row.last_error or "",
                                "dossier_code": row.context.get("dossier_code", ""),
                            },
                        )
                    )
        else:
            row.status = "pending"
            row.next_attempt_at = now + timedelta(seconds=backoff_seconds * 2 ** (row.attempts - 1))
        session.add(row)
        return dead


def _admins(session: Any, configured: list[str]) -> list[str]:
    """Administrators to alert: the configured addresses and admin users' e-mails."""
    users = session.exec(select(User).where(User.role == "admin", col(User.active).is_(True))).all()
    return sorted({*configured, *(u.email for u in users if u.email)})
