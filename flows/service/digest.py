"""The managers' daily digest: overdue and at-risk dossiers, late agencies, late intake checks,
NGOs' overdue obligations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from flows.calendar import WorkingCalendar, local_date
from flows.engine.state import Progress
from flows.procedures.schema import TERMINAL_STATUSES
from flows.register.obligations import KINDS
from flows.service.calendar import load_calendar
from models.agency import Agency
from models.consultation import Consultation
from models.db import write_session
from models.dossier import Dossier
from models.ngo import Ngo
from models.obligation import Obligation
from models.outbox import Outbox
from models.user import User

DIGEST_NAMESPACE = uuid.UUID("6f1d9a52-5c4e-4e0b-9d7a-1b2c3d4e5f60")
AT_RISK_WORKING_DAYS = 3
LIMIT = 200
INTAKE = "intake"  # the completeness check step of every procedure (common.intake_step)


def queue_daily_digest(engine: Engine, now: datetime) -> int:
    """Queue today's digest to each manager once (a second call the same day adds nothing)."""
    today = local_date(now)
    with write_session(engine) as session:
        calendar = load_calendar(session)
        open_rows = col(Dossier.status).not_in([s.value for s in TERMINAL_STATUSES])
        running = open_rows & col(Dossier.suspended).is_(False)
        overdue = session.exec(
            select(Dossier)
            .where(running, col(Dossier.due_date) < today)
            .order_by(col(Dossier.due_date))
            .limit(LIMIT)
        ).all()
        horizon = calendar.add_working_days(today, AT_RISK_WORKING_DAYS)
        at_risk = session.exec(
            select(Dossier)
            .where(running, col(Dossier.due_date) >= today, col(Dossier.due_date) <= horizon)
            .order_by(col(Dossier.due_date))
            .limit(LIMIT)
        ).all()
        behind = session.exec(
            select(Dossier)
            .where(open_rows, col(Dossier.step_due_date) < today)
            .order_by(col(Dossier.step_due_date))
            .limit(LIMIT)
        ).all()
        late = session.exec(
            select(Consultation.agency_code, func.count())
            .where(Consultation.status == "overdue")
            .group_by(col(Consultation.agency_code))
        ).all()
        names = {a.code: a.name_vi for a in session.exec(select(Agency)).all()}
        context: dict[str, Any] = {
            "day": today.isoformat(),
            "overdue_dossiers": [
                {
                    "code": d.code,
                    "subject": d.subject,
                    "due_date": d.due_date.isoformat(),
                    "assignee": d.assignee,
                    "working_days_late": calendar.working_days_between(d.due_date, today),
                }
                for d in overdue
                if d.due_date is not None
            ],
            "at_risk_dossiers": [
                {
                    "code": d.code,
                    "subject": d.subject,
                    "due_date": d.due_date.isoformat(),
                    "assignee": d.assignee,
                    "working_days_left": calendar.working_days_between(today, d.due_date),
                }
                for d in at_risk
                if d.due_date is not None
            ],
            "intake_overdue_dossiers": intake_overdue(behind, calendar, today),
            "late_agencies": [
                {"agency": code, "agency_name": names.get(code, code), "overdue_requests": int(n)}
                for code, n in late
            ],
            "overdue_obligations": overdue_obligations(session),
        }
        managers = session.exec(
            select(User).where(User.role == "manager", col(User.active).is_(True))
        ).all()
        queued = 0
        for email in sorted({m.email for m in managers if m.email}):
            outbox_id = str(uuid.uuid5(DIGEST_NAMESPACE, f"{today}:{email}"))
            if session.get(Outbox, outbox_id) is not None:
                continue
            session.add(
                Outbox(
                    id=outbox_id,
                    recipient=email,
                    template="daily_digest",
                    language="vi",
                    context=context,
                    created_at=now,
                    next_attempt_at=now,
                    message_id=f"<{outbox_id}@ngo-review>",
                )
            )
            queued += 1
        return queued


def intake_overdue(rows: Sequence[Dossier], calendar: WorkingCalendar, today: date) -> list[Any]:
    """Dossiers whose completeness check is still open past its due date (2 WD from receipt)."""
    found: list[Any] = []
    for d in rows:
        st = Progress.from_json(d.progress).steps.get(INTAKE)
        if st is None or st.ended_at is not None or st.due_date is None or st.due_date >= today:
            continue
        found.append(
            {
                "code": d.code,
                "subject": d.subject,
                "received_on": local_date(d.received_at).isoformat(),
                "due_date": st.due_date.isoformat(),
                "assignee": d.assignee,
                "working_days_late": calendar.working_days_between(st.due_date, today),
            }
        )
    return found


def overdue_obligations(session: Session) -> list[dict[str, Any]]:
    """The NGOs' obligations past due (Decree 58/2022 Art 21), longest overdue first."""
    rows = session.exec(
        select(Obligation, Ngo.name)
        .join(Ngo, col(Ngo.id) == col(Obligation.ngo_id))
        .where(Obligation.status == "overdue")
        .order_by(col(Obligation.due_date), col(Obligation.id))
        .limit(LIMIT)
    ).all()
    return [
        {
            "ngo_name": name,
            "kind": o.kind,
            "kind_title_vi": KINDS[o.kind].title_vi,
            "kind_title_en": KINDS[o.kind].title_en,
            "period_year": o.period_year,
            "due_date": o.due_date.isoformat(),
        }
        for o, name in rows
    ]
