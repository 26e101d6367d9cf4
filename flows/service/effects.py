"""What a command leaves behind in its transaction: audit row, timers, outbox messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from flows.calendar import WorkingCalendar
from flows.engine import events as e
from flows.engine.state import Actor, DossierState
from flows.engine.timers import TimerSpec, desired_timers
from flows.procedures.schema import (
    OPEN_CONSULTATION_STATUSES,
    ConsultationStatus,
    ProcedureDefinition,
)
from flows.service.reference import StaffRef, reference
from flows.service.rows import insert_rows, table_of
from models.audit import AuditEvent
from models.audit_chain import (
    DOSSIER_FIELDS,
    GENESIS,
    as_stored,
    chain_hash,
)
from models.consultation import Consultation
from models.dossier import Dossier
from models.outbox import Outbox
from models.timer import Timer

_OPEN = {status.value for status in OPEN_CONSULTATION_STATUSES}
QUEUED = "ngo_review.queued_outbox"  # session.info key: outbox rows of this transaction
_UNWRITTEN = "ngo_review.unwritten_outbox"  # session.info key: those not inserted yet
_LAST_HASH = "ngo_review.last_audit_hash"  # session.info key: dossier id → its newest hash


# Built once (their cache keys are memoized on the statement), run with bound parameters.
_AUDIT = table_of(AuditEvent)
_LAST_AUDIT_HASH = (
    sa_select(_AUDIT.c.hash)
    .where(_AUDIT.c.dossier_id == bindparam("dossier_id"))
    .order_by(_AUDIT.c.id.desc())
    .limit(1)
)
_TIMERS = table_of(Timer)
_ARMED_TIMERS = sa_select(
    _TIMERS.c.id,
    _TIMERS.c.kind,
    _TIMERS.c.consultation_id,
    _TIMERS.c.due_at,
    _TIMERS.c.fired_at,
).where(_TIMERS.c.dossier_id == bindparam("dossier_id"), _TIMERS.c.cancelled_at.is_(None))
_CANCEL_TIMER = (
    update(_TIMERS)
    .where(_TIMERS.c.id == bindparam("timer_id"))
    .values(cancelled_at=bindparam("at"))
)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_transaction(session: Session, *_: object) -> None:
    """What a transaction noted for itself ends with it (a rolled-back hash was never); a
    savepoint rolled back (the sweep's, around one command) forgets it too."""
    session.info.pop(_LAST_HASH, None)
    session.info.pop(QUEUED, None)
    session.info.pop(_UNWRITTEN, None)


def record_audit(
    session: Session,
    *,
    dossier_id: str,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str,
    at: datetime,
    details: dict[str, Any],
) -> None:
    """The one audit writer: who did what, when, and the status before and after, chained to
    the dossier's previous event by its hash.

    Callers hold the dossier's row lock (PostgreSQL) or the write lock (SQLite), so the last
    event read here is the last one there is; the unique (dossier, prev_hash) index refuses
    a second successor if that ever failed."""
    content: dict[str, Any] = {
        "dossier_id": dossier_id,
        "at": at,
        "actor": actor.name,
        "actor_role": actor.role,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "details": as_stored(details),
    }
    prev = last_audit_hash(session, dossier_id)
    digest = chain_hash(content, DOSSIER_FIELDS, prev)
    insert_rows(session, AuditEvent, [{**content, "prev_hash": prev, "hash": digest}])
    # A later event of this transaction chains to this one without a query.
    session.info.setdefault(_LAST_HASH, {})[dossier_id] = digest


def last_audit_hash(session: Session, dossier_id: str) -> str:
    """The hash of the dossier's latest event, or the chain's genesis value."""
    written = session.info.get(_LAST_HASH, {}).get(dossier_id)
    if written is not None:
        return str(written)
    # Core: audit rows are only ever inserted with Core, so nothing is pending to flush.
    found = session.connection().execute(_LAST_AUDIT_HASH, {"dossier_id": dossier_id}).scalar()
    return str(found) if found else GENESIS


def reconcile_timers(
    session: Session,
    state: DossierState,
    procedure: ProcedureDefinition,
    calendar: WorkingCalendar,
    now: datetime,
) -> None:
    """Arm the timers the dossier needs now and cancel pending ones it no longer needs."""
    wanted = desired_timers(state, procedure, calendar)
    rows = session.connection().execute(_ARMED_TIMERS, {"dossier_id": state.id}).all()
    existing: set[TimerSpec] = set()
    cancelled: list[dict[str, Any]] = []
    for timer_id, kind, consultation_id, due_at, fired_at in rows:
        spec = TimerSpec(kind=kind, consultation_id=consultation_id, due_at=due_at)
        if spec in wanted:
            existing.add(spec)
        elif fired_at is None:
            cancelled.append({"timer_id": timer_id, "at": now})
    if cancelled:
        session.connection().execute(_CANCEL_TIMER, cancelled)
    insert_rows(
        session,
        Timer,
        [
            {
                "kind": spec.kind.value,
                "dossier_id": state.id,
                "consultation_id": spec.consultation_id,
                "due_at": spec.due_at,
                "created_at": now,
                "fired_at": None,
                "cancelled_at": None,
            }
            for spec in sorted(wanted - existing, key=lambda s: s.due_at)
        ],
    )


def _message_id(outbox_id: str) -> str:
    return f"<{outbox_id}@ngo-review>"


@dataclass(frozen=True)
class QueuedMessage:
    """An outbox row queued by this transaction (what its step's tasks name and deliver)."""

    id: str
    dossier_id: str | None  # None: about no dossier (an NGO's obligation created by an act)
    recipient: str
    template: str
    language: str
    context: dict[str, Any]
    created_at: datetime

    def row(self) -> dict[str, Any]:
        """Its outbox row, every column given (Core inserts apply no model defaults)."""
        return {
            "id": self.id,
            "dossier_id": self.dossier_id,
            "recipient": self.recipient,
            "template": self.template,
            "language": self.language,
            "context": self.context,
            "status": "pending",
            "attempts": 0,
            "created_at": self.created_at,
            "next_attempt_at": self.created_at,
            "sent_at": None,
            "claimed_until": None,
            "message_id": _message_id(self.id),
            "last_error": None,
        }


def queue_message(
    session: Session,
    *,
    dossier: Dossier,
    key: str,
    recipient: str,
    template: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
) -> None:
    """Write one outbox row; its id (and Message-ID) is derived from what caused it."""
    if not recipient:
        return
    outbox_id = str(uuid.uuid5(uuid.UUID(dossier.id), f"{key}:{template}:{recipient}"))
    message = QueuedMessage(
        id=outbox_id,
        dossier_id=dossier.id,
        recipient=recipient,
        template=template,
        language=language,
        context=context,
        created_at=now,
    )
    # The command's step delivers exactly the messages queued in this transaction.
    session.info.setdefault(QUEUED, []).append(message)
    session.info.setdefault(_UNWRITTEN, []).append(message)


def _write_queued(session: Session) -> None:
    """Insert the outbox rows queued since the last call, in one statement."""
    insert_rows(session, Outbox, [m.row() for m in session.info.pop(_UNWRITTEN, [])])


def procedure_context(session: Session, procedure: ProcedureDefinition) -> dict[str, Any]:
    """What every dossier message says about its procedure: the sender is the procedure's
    receiving agency by its registry name (Committee, Department, PPC: never a fixed name),
    whether the applicant is itself a state body (no right to complain or sue is stated to
    it), the statutory period in working days, and the procedure's own words for its
    outcomes ("đồng ý / không đồng ý" for a provincial opinion; empty: the usual words)."""
    sender = reference(session).agencies.get(procedure.receiving_agency)
    return {
        "sender_vi": sender.name_vi if sender else procedure.receiving_agency,
        "sender_en": sender.name_en if sender else procedure.receiving_agency,
        "applicant_is_agency": procedure.applicant_is_agency,
        "total_working_days": procedure.total_working_days,
        "outcome_titles_vi": {str(k): v for k, v in procedure.outcome_titles_vi.items()},
        "outcome_titles_en": {str(k): v for k, v in procedure.outcome_titles_en.items()},
        "obligations_vi": procedure.certificate.obligations_vi if procedure.certificate else "",
        "obligations_en": procedure.certificate.obligations_en if procedure.certificate else "",
    }


def queue_messages(
    session: Session,
    dossier: Dossier,
    procedure: ProcedureDefinition,
    events: list[e.Event],
    now: datetime,
    *,
    actor: Actor | None = None,
) -> None:
    """The notifications the events call for (delivered later by deliver-notifications)."""
    base: dict[str, Any] = {
        "dossier_code": dossier.code,
        "dossier_id": dossier.id,
        "subject": dossier.subject,
        "procedure_code": procedure.code,
        "procedure_title_vi": procedure.title_vi,
        "procedure_title_en": procedure.title_en,
        "applicant_name": dossier.applicant_name,
        "received_at": dossier.received_at.isoformat(),
        **procedure_context(session, procedure),
    }
    applicant = (dossier.applicant_email, dossier.applicant_language)
    agencies = reference(session).agencies
    for index, ev in enumerate(events):
        key = f"v{dossier.version}:{index}"
        ctx = {**base, **ev.details(), "at": ev.at.isoformat()}
        agency = agencies.get(ctx["agency"]) if "agency" in ctx else None
        if agency is not None:
            ctx["agency_name"] = agency.name_vi
        template: str | None = {
            e.Accepted: "receipt",
            e.SupplementRequested: "supplement_request",
            e.IntakeRejected: "intake_rejected",
            e.DecisionSigned: "decision",
            e.Extended: "extension",
            e.Withdrawn: "stopped",
        }.get(type(ev))
        if template is not None:
            queue_message(
                session,
                dossier=dossier,
                key=key,
                recipient=applicant[0],
                template=template,
                language=applicant[1],
                context=ctx,
                now=now,
            )
        if isinstance(
            ev, e.ConsultationRequested | e.ConsultationReminded | e.ConsultationDeemedConsent
        ):
            if agency is not None:
                name = {
                    e.ConsultationRequested: "consultation_request",
                    e.ConsultationReminded: "consultation_reminder",
                    e.ConsultationDeemedConsent: "deemed_consent",
                }[type(ev)]
                queue_message(
                    session,
                    dossier=dossier,
                    key=key,
                    recipient=agency.email,
                    template=name,
                    language="vi",
                    context=ctx,
                    now=now,
                )
        staff_template, to_managers = {
            e.ConsultationOverdue: ("consultation_overdue", True),
            e.ConsultationDeemedConsent: ("deemed_consent", False),
            e.DossierLate: ("dossier_late", True),
            e.DossierAtRisk: ("dossier_at_risk", False),
        }.get(type(ev), (None, False))
        if staff_template is not None:
            for email in _staff_emails(session, dossier, to_managers):
                queue_message(
                    session,
                    dossier=dossier,
                    key=key,
                    recipient=email,
                    template=staff_template,
                    language="vi",
                    context=ctx,
                    now=now,
                )
        _queue_waiting_work(session, dossier, key, ev, ctx, actor, now)
    _queue_consultations_complete(session, dossier, base, events, now)
    _write_queued(session)


def _recipients(session: Session, roles: list[str], name: str | None = None) -> list[StaffRef]:
    """Active users of these roles who have an e-mail (only the one so named, if given)."""
    users = [
        u
        for u in reference(session).staff(roles)
        if u.email and (name is None or u.display_name == name)
    ]
    return sorted(users, key=lambda u: u.email)


def _appointment(dossier: Dossier) -> str | None:
    """The appointment date (ngày hẹn trả kết quả) for a message, once there is one."""
    return dossier.due_date.isoformat() if dossier.due_date else None


def _queue_waiting_work(
    session: Session,
    dossier: Dossier,
    key: str,
    ev: e.Event,
    ctx: dict[str, Any],
    actor: Actor | None,
    now: datetime,
) -> None:
    """Tell staff what now waits for them: leaders a draft to sign, an assignee a dossier."""
    if isinstance(ev, e.DecisionProposed):
        context = {**ctx, "due_date": _appointment(dossier)}
        for leader in _recipients(session, ["leader"]):
            queue_message(
                session,
                dossier=dossier,
                key=key,
                recipient=leader.email,
                template="decision_waiting",
                language=leader.language,
                context=context,
                now=now,
            )
    # Someone who takes a dossier on themselves needs no e-mail to learn of it.
    if isinstance(ev, e.Assigned) and (actor is None or actor.name != ev.assignee):
        context = {
            **ctx,
            "due_date": _appointment(dossier),
            "assigned_by": actor.name if actor else "",
        }
        for user in _recipients(session, ["handler", "leader"], ev.assignee):
            queue_message(
                session,
                dossier=dossier,
                key=key,
                recipient=user.email,
                template="dossier_assigned",
                language=user.language,
                context=context,
                now=now,
            )


def _queue_consultations_complete(
    session: Session, dossier: Dossier, base: dict[str, Any], events: list[e.Event], now: datetime
) -> None:
    """When the last open consultation ends (answer or deemed consent), tell the handler once,
    with every agency's answer."""
    ended = [
        i
        for i, ev in enumerate(events)
        if isinstance(ev, e.ConsultationAnswered | e.ConsultationDeemedConsent)
    ]
    if not ended:
        return
    rows = session.exec(
        select(Consultation)
        .where(Consultation.dossier_id == dossier.id)
        .order_by(col(Consultation.position))
    ).all()
    if any(x.status in _OPEN for x in rows):
        return
    agencies = reference(session).agencies
    names = {
        code: agencies[code].name_vi for code in {x.agency_code for x in rows} if code in agencies
    }
    answers = [
        {
            "agency": x.agency_code,
            "agency_name": names.get(x.agency_code, x.agency_code),
            "status": x.status,
            "opinion": x.opinion,
            "comments": x.comments,
            "answered_at": x.answered_at.isoformat() if x.answered_at else None,
            "due_date": x.due_date.isoformat(),
            "late": bool(x.answered_late),
        }
        for x in rows
        if x.status != ConsultationStatus.cancelled.value
    ]
    last = ended[-1]
    context = {
        **base,
        "at": events[last].at.isoformat(),
        "due_date": _appointment(dossier),
        "answers": answers,
    }
    handler = dossier.assignee or dossier.received_by
    for user in _recipients(session, ["handler", "leader"], handler):
        queue_message(
            session,
            dossier=dossier,
            key=f"v{dossier.version}:{last}",
            recipient=user.email,
            template="consultations_complete",
            language=user.language,
            context=context,
            now=now,
        )


def _staff_emails(session: Session, dossier: Dossier, managers: bool) -> list[str]:
    """The responsible handler's e-mail (assignee, else who received it), and managers'."""
    handler = dossier.assignee or dossier.received_by
    roles = ["handler", "leader", "manager"] if managers else ["handler", "leader"]
    users = reference(session).staff(roles)
    emails = {
        u.email
        for u in users
        if u.email and (u.display_name == handler or (managers and u.role == "manager"))
    }
    return sorted(emails)
