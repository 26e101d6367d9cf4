"""The hash chains of the audit trails: recompute every hash and follow every link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session, col

from flows.service.check.lenient import lenient
from flows.service.check.report import Break, CheckReport
from flows.service.check.versions import is_whole
from models.admin_audit import AdminEvent
from models.audit import AuditEvent
from models.audit_chain import ADMIN_FIELDS, DOSSIER_FIELDS, GENESIS, chain_hash, content_of

BATCH = 2000
TRAIL_COLUMNS = [
    lenient(col(getattr(AuditEvent, name))) for name in ("id", *DOSSIER_FIELDS, "prev_hash", "hash")
]
ADMIN_COLUMNS = [
    lenient(col(getattr(AdminEvent, name))) for name in ("id", *ADMIN_FIELDS, "prev_hash", "hash")
]


@dataclass(frozen=True)
class Verified:
    """How many events, from the first, verify; and why the next one does not."""

    count: int
    reason: str | None = None


def verify(events: Sequence[Any], fields: tuple[str, ...], prev: str = GENESIS) -> Verified:
    """Follow the chain in id order from `prev` (genesis: from its start)."""
    for index, event in enumerate(events):
        if event.prev_hash != prev:
            return Verified(
                index,
                "does not name the event before it as its predecessor "
                "(an event was removed, inserted or reordered)",
            )
        if event.hash != chain_hash(content_of(event, fields), fields, prev):
            return Verified(index, "was changed after it was written (its hash does not match)")
        prev = event.hash
    return Verified(len(events))


def dossier_chain(dossier: Any, events: Sequence[Any]) -> Break | None:
    """The first broken event of a dossier's trail, if any."""
    found = verify(events, DOSSIER_FIELDS)
    if found.reason is None:
        return None
    event = events[found.count]
    return Break(
        "audit_chain",
        f"dossier {dossier.code}: event {event.id} ({event.action}) {found.reason}",
        dossier=dossier.id,
        event=event.id,
    )


def check_admin_chain(conn: Connection, report: CheckReport) -> None:
    """The one chain of administration events, read in batches; only its first break counts
    (nothing after it can be trusted)."""
    prev, last_id, broken = GENESIS, 0, False
    while True:
        rows = conn.execute(
            select(*ADMIN_COLUMNS)
            .where(col(AdminEvent.id) > last_id)
            .order_by(col(AdminEvent.id))
            .limit(BATCH)
        ).all()
        if not rows:
            return
        report.count("admin_events", len(rows))
        if not broken:
            found = verify(rows, ADMIN_FIELDS, prev)
            if found.reason is not None:
                event = rows[found.count]
                report.add(
                    Break(
                        "admin_chain",
                        f"administration event {event.id} ({event.entity} {event.action}) "
                        f"{found.reason}",
                        event=event.id,
                    )
                )
                broken = True
            prev = rows[-1].hash
        last_id = rows[-1].id


def intact_flags(events: Sequence[Any], version: int, documents: Sequence[str]) -> list[bool]:
    """For each event of a dossier's trail (id order): whether it and every event before it
    verify, and the trail is whole (version and documents count its events, so a removed
    last event shows too)."""
    whole = is_whole(events, version, documents)
    verified = verify(events, DOSSIER_FIELDS).count
    return [whole and index < verified for index in range(len(events))]


def dossier_trail(session: Session, dossier_id: str) -> list[Any]:
    """A dossier's events in id order (the chain's), read leniently: a value edited into
    something its column cannot hold comes back as its raw text and breaks the chain there."""
    return list(
        session.execute(
            select(*TRAIL_COLUMNS)
            .where(col(AuditEvent.dossier_id) == dossier_id)
            .order_by(col(AuditEvent.id))
        ).all()
    )
