"""Dossier steps: written with the command that causes them, claimed and run after the commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, event, or_
from sqlmodel import Session, col, select

from flows.service.effects import QUEUED, QueuedMessage
from flows.service.rows import insert_rows
from flows.service.step_notify import notify
from models.db import is_postgres, read_session, write_session
from models.dossier import Dossier
from models.dossier_step import DossierStep
from models.outbox import Outbox

# What each message does, as the name of its task in Prefect ("request BCA").
TASK_NAMES = {
    "consultation_request": "request {agency}",
    "consultation_reminder": "remind {agency}",
    "consultation_overdue": "overdue {agency}",
    "deemed_consent": "deemed consent {agency}",
    "receipt": "receipt slip",
    "supplement_request": "supplement request",
    "intake_rejected": "refusal to receive",
    "extension": "extension letter",
    "stopped": "notice of stopping",
    "decision": "decision",
    "decision_waiting": "notify leader {recipient}",
    "dossier_assigned": "notify handler {recipient}",
    "consultations_complete": "notify handler {recipient}",
    "dossier_at_risk": "at-risk notice {recipient}",
    "dossier_late": "late notice {recipient}",
}
BACKOFF = (5, 15, 60, 300, 900)  # seconds before each retry; the last repeats
LEASE = timedelta(minutes=5)
WRITTEN = "ngo_review.step_written"  # session.info flag: this transaction wrote a step
_WAKERS: list[Callable[[], None]] = []  # runners of this process, woken after such a commit


def on_commit(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` after every commit that wrote a step; returns the function that stops it."""
    _WAKERS.append(wake)
    return lambda: _WAKERS.remove(wake) if wake in _WAKERS else None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(WRITTEN, False):
        for wake in list(_WAKERS):
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(WRITTEN, None)


def step_id(dossier_id: str, version: int, name: str) -> str:
    """Deterministic: one step per (dossier, version, action), whatever retries happen."""
    return str(uuid.uuid5(uuid.UUID(dossier_id), f"step:v{version}:{name}"))


def task_name(message: Outbox | QueuedMessage) -> str:
    """The task's name in Prefect: what the message does, and for whom."""
    pattern = TASK_NAMES.get(message.template, message.template.replace("_", " ") + " {recipient}")
    agency = str(message.context.get("agency") or message.recipient)
    return pattern.format(agency=agency, recipient=message.recipient)


def write_step(session: Session, dossier: Dossier, name: str, now: datetime) -> str:
    """The step of this command, with one task per message it queued (same transaction);
    returns its id."""
    queued: list[QueuedMessage] = session.info.pop(QUEUED, [])
    mine = {m.id: m for m in queued if m.dossier_id == dossier.id}
    session.info[QUEUED] = [m for m in queued if m.id not in mine]
    messages = sorted(mine.values(), key=lambda m: (m.template, m.recipient))
    step = step_id(dossier.id, dossier.version, name)
    row = {
        "id": step,
        "dossier_id": dossier.id,
        "dossier_code": dossier.code,
        "procedure": dossier.procedure,
        "version": dossier.version,
        "name": name,
        "tasks": [
            {"name": task_name(m), "outbox_id": m.id, "agency": m.context.get("agency")}
            for m in messages
        ],
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
        "claimed_until": None,
        "done_at": None,
        "flow_run_id": None,
        "last_error": None,
    }
    insert_rows(session, DossierStep, [row])
    session.info[WRITTEN] = True
    notify(session)
    return step


@dataclass(frozen=True)
class ClaimedStep:
    """A step this runner holds the lease on."""

    id: str
    dossier_id: str
    dossier_code: str
    procedure: str
    name: str
    tasks: list[dict[str, Any]]
    attempts: int


def claim_steps(engine: Engine, now: datetime, limit: int = 10) -> list[ClaimedStep]:
    """Due steps, oldest first: pending ones and running ones whose runner died (lease over)."""
    with write_session(engine) as session:
        query = (
            select(DossierStep)
            .where(
                or_(
                    and_(
                        col(DossierStep.status) == "pending",
                        col(DossierStep.next_attempt_at) <= now,
                    ),
                    and_(
                        col(DossierStep.status) == "running",
                        col(DossierStep.claimed_until) < now,
                    ),
                )
            )
            .order_by(col(DossierStep.next_attempt_at), col(DossierStep.created_at))
            .limit(limit)
        )
        if is_postgres(engine):
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in session.exec(query).all():
            row.status, row.claimed_until = "running", now + LEASE
            session.add(row)
            claimed.append(
                ClaimedStep(
                    row.id,
                    row.dossier_id,
                    row.dossier_code,
                    row.procedure,
                    row.name,
                    list(row.tasks),
                    row.attempts,
                )
            )
        return claimed


def mark_done(engine: Engine, step: str, now: datetime, flow_run_id: str | None) -> None:
    """The step's flow run finished: every task did its side effect (or had done it before)."""
    with write_session(engine) as session:
        row = session.get(DossierStep, step)
        if row is not None:
            row.status, row.done_at, row.claimed_until = "done", now, None
            row.attempts += 1
            row.flow_run_id, row.last_error = flow_run_id, None
            session.add(row)


def mark_retry(engine: Engine, step: str, now: datetime, error: str) -> datetime | None:
    """The step could not run (Prefect unreachable, a task failed): pending again, later."""
    with write_session(engine) as session:
        row = session.get(DossierStep, step)
        if row is None:
            return None
        delay = BACKOFF[min(row.attempts, len(BACKOFF) - 1)]
        row.status, row.claimed_until = "pending", None
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=delay)
        row.last_error = error[:2000]
        session.add(row)
        return row.next_attempt_at


def release_steps(engine: Engine, steps: list[str], now: datetime, reason: str) -> None:
    """Claimed steps that did not get a chance to run (Prefect away): pending again, due now,
    with no attempt counted, so they run as soon as Prefect is back."""
    if not steps:
        return
    with write_session(engine) as session:
        for step in steps:
            row = session.get(DossierStep, step)
            if row is None or row.status != "running":
                continue
            row.status, row.claimed_until = "pending", None
            row.next_attempt_at, row.last_error = now, reason[:2000]
            session.add(row)


def next_due(engine: Engine) -> datetime | None:
    """When the next pending step falls due (None: nothing pending)."""
    with read_session(engine) as session:
        row = session.exec(
            select(DossierStep.next_attempt_at)
            .where(col(DossierStep.status) == "pending")
            .order_by(col(DossierStep.next_attempt_at))
            .limit(1)
        ).first()
        return row


def get_step(engine: Engine, step: str) -> ClaimedStep:
    """One step by id (NotFound otherwise)."""
    from flows.errors import NotFound

    with read_session(engine) as session:
        row = session.get(DossierStep, step)
        if row is None:
            raise NotFound(f"no dossier step {step}")
        return ClaimedStep(
            row.id,
            row.dossier_id,
            row.dossier_code,
            row.procedure,
            row.name,
            list(row.tasks),
            row.attempts,
        )
