"""The sweep's register pass: remind NGOs of obligations coming due, mark the missed ones
overdue (with notice to the NGO and the managers) and re-score those NGOs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.calendar import local_date
from flows.register.obligations import KINDS
from flows.register.risk import reassess
from flows.service.effects import QueuedMessage
from flows.service.reference import reference
from flows.service.rows import insert_rows
from models.certificate import Certificate
from models.db import read_session, write_session
from models.dossier import Dossier
from models.ngo import Ngo
from models.obligation import Obligation
from models.outbox import Outbox

# Obligations handled per transaction (SQLite's writer lock is held for the batch).
PER_TRANSACTION = 50


def _context(session: Session, o: Obligation, ngo: Ngo) -> dict[str, Any]:
    kind = KINDS[o.kind]
    number = None
    if o.certificate_id:
        number = session.exec(
            select(Certificate.number).where(Certificate.id == o.certificate_id)
        ).first()
    committee = reference(session).agencies.get("UBCT-PCPNN")
    return {
        "obligation_id": o.id,
        "ngo_id": ngo.id,
        "ngo_name": ngo.name,
        "kind": o.kind,
        "kind_title_vi": kind.title_vi,
        "kind_title_en": kind.title_en,
        "period_year": o.period_year,
        "due_date": o.due_date.isoformat(),
        "legal_basis": o.legal_basis,
        "certificate_number": number,
        "sender_vi": committee.name_vi if committee else "UBCT-PCPNN",
        "sender_en": committee.name_en if committee else "UBCT-PCPNN",
    }


def _message(
    o: Obligation,
    recipient: str,
    template: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The outbox row; its id derives from the obligation, so a rerun writes no second one."""
    outbox_id = str(uuid.uuid5(uuid.UUID(o.id), f"{template}:{recipient}"))
    return QueuedMessage(outbox_id, o.dossier_id, recipient, template, language, context, now).row()


def _ngo_language(session: Session, o: Obligation) -> str:
    if o.dossier_id is None:
        return "vi"
    found = session.exec(select(Dossier.applicant_language).where(Dossier.id == o.dossier_id))
    return found.first() or "vi"


def _notify(session: Session, o: Obligation, template: str, staff: bool, now: datetime) -> None:
    ngo = session.get(Ngo, o.ngo_id)
    assert ngo is not None
    context = _context(session, o, ngo)
    rows = []
    if ngo.contact_email:
        rows.append(
            _message(o, ngo.contact_email, template, _ngo_language(session, o), context, now)
        )
    if staff:
        for user in reference(session).staff(["manager"]):
            if user.email:
                rows.append(_message(o, user.email, template, user.language, context, now))
    insert_rows(session, Outbox, rows)


def _due(session: Session, today: Any, limit: int) -> tuple[list[Obligation], list[Obligation]]:
    remind = session.exec(
        select(Obligation)
        .where(
            Obligation.status == "open",
            col(Obligation.reminded_at).is_(None),
            col(Obligation.remind_on) <= today,
            col(Obligation.due_date) >= today,
        )
        # In (status, remind_on) order: the planner then reads that index's range, not every
        # open obligation still to come.
        .order_by(col(Obligation.remind_on), col(Obligation.id))
        .limit(limit)
    ).all()
    late = session.exec(
        select(Obligation)
        .where(Obligation.status == "open", col(Obligation.due_date) < today)
        .order_by(col(Obligation.due_date), col(Obligation.id))
        .limit(limit)
    ).all()
    return list(remind), list(late)


def sweep_obligations(engine: Engine, as_of: datetime) -> tuple[int, int]:
    """(reminded, marked overdue) as of an instant; a second run as of it does nothing."""
    today = local_date(as_of)
    reminded = overdue = 0
    while True:
        with write_session(engine) as session:
            remind, late = _due(session, today, PER_TRANSACTION)
            for o in remind:
                o.reminded_at = as_of
                session.add(o)
                _notify(session, o, "obligation_reminder", staff=False, now=as_of)
            rescore: set[str] = set()
            for o in late:
                o.status = "overdue"
                o.overdue_at = as_of
                session.add(o)
                _notify(session, o, "obligation_overdue", staff=True, now=as_of)
                rescore.add(o.ngo_id)
            session.flush()
            for ngo_id in sorted(rescore):
                reassess(session, ngo_id, as_of, "obligation overdue")
        reminded += len(remind)
        overdue += len(late)
        if len(remind) < PER_TRANSACTION and len(late) < PER_TRANSACTION:
            return reminded, overdue


def has_due_obligations(engine: Engine, as_of: datetime) -> bool:
    """Whether the register pass has anything to do as of an instant (the idle check)."""
    with read_session(engine) as session:
        remind, late = _due(session, local_date(as_of), 1)
        return bool(remind or late)
