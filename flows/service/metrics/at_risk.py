"""Open dossiers predicted to be late, each with its reasons (`/metrics/at-risk`).

A dossier not yet past its statutory due date is at risk when
- `deadline_near`: its clock runs and at most its procedure's `at_risk_working_days` working
  days are left;
- `consultation_overdue`: an agency it waits for is already past its answer's due date;
- `agency_often_late`: it waits for an agency whose own history makes a late answer likely
  (at least `LATE_SHARE` of at least `MIN_HISTORY` past requests answered late or left to
  deemed consent) and that answer is due at most `SLACK_WORKING_DAYS` working days before the
  dossier's due date: a late answer then leaves too little time to draft and sign.
Dossiers already past their due date are not predictions: they count as `pending_overdue`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Engine,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    union_all,
)
from sqlalchemy import select as core_select
from sqlmodel import col

from flows.calendar import WorkingCalendar, local_date
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import OPEN_CONSULTATION_STATUSES
from flows.service.calendar import load_calendar
from flows.service.metrics.agencies import Requests, late_history
from flows.service.metrics.facts import OPEN_STATUSES
from flows.service.metrics.filters import MetricsFilters
from flows.service.registry import sync_registry
from models.consultation import Consultation
from models.db import read_session
from models.dossier import Dossier
from models.metrics_schemas import AtRiskDossier, AtRiskReason, MetricsAtRisk

SLACK_WORKING_DAYS = 10  # what Decree 58 Art 11 leaves the deciding ministry after the answers
LATE_SHARE = 0.5
MIN_HISTORY = 3
DEADLINE_NEAR, CONSULTATION_OVERDUE, AGENCY_OFTEN_LATE = (
    "deadline_near",
    "consultation_overdue",
    "agency_often_late",
)
PRIORITY = {CONSULTATION_OVERDUE: 0, DEADLINE_NEAR: 1, AGENCY_OFTEN_LATE: 2}
_OPEN_REQUESTS = [s.value for s in OPEN_CONSULTATION_STATUSES]


def likely_late(history: dict[str, Requests]) -> dict[str, Requests]:
    """The agencies whose own history makes a late answer likely."""
    return {
        agency: past
        for agency, past in history.items()
        if past.ended >= MIN_HISTORY and past.late >= LATE_SHARE * past.ended
    }


SHOWN = ("dossier_id", "code", "procedure", "status", "legal_due_date")


def _shown() -> list[Any]:
    """The dossier's columns each reason row carries (so no second look-up is needed)."""
    return [
        col(Dossier.id).label("dossier_id"),
        col(Dossier.code).label("code"),
        col(Dossier.procedure).label("procedure"),
        col(Dossier.status).label("status"),
        col(Dossier.legal_due_date).label("legal_due_date"),
    ]


def _dossier_conditions(filters: MetricsFilters, today: date) -> list[Any]:
    conditions: list[Any] = [
        col(Dossier.status).in_(OPEN_STATUSES),
        col(Dossier.legal_due_date) >= today,
    ]
    if filters.procedure:
        conditions.append(col(Dossier.procedure) == filters.procedure)
    if filters.receiving_agency:
        conditions.append(col(Dossier.receiving_agency) == filters.receiving_agency)
    if filters.from_date:
        conditions.append(col(Dossier.received_on) >= filters.from_date)
    if filters.to_date:
        conditions.append(col(Dossier.received_on) <= filters.to_date)
    return conditions


def _near_windows(registry: ProcedureRegistry, calendar: WorkingCalendar, today: date) -> Any:
    """Due dates within each procedure version's own at-risk working days (and, so that
    the index reads only those days, within the longest of them)."""
    windows: list[Any] = []
    furthest = today
    for latest in registry.latest():
        for version in range(1, latest.version + 1):
            definition = registry.get(latest.code, version)
            if definition is not None:
                horizon = calendar.add_working_days(today, definition.at_risk_working_days)
                furthest = max(furthest, horizon)
                windows.append(
                    (col(Dossier.procedure) == definition.code)
                    & (col(Dossier.procedure_version) == version)
                    & (col(Dossier.legal_due_date) <= horizon)
                )
    return and_(col(Dossier.legal_due_date) <= furthest, or_(false(), *windows))


def at_risk(
    engine: Engine,
    filters: MetricsFilters,
    now: datetime,
    *,
    limit: int = 100,
    offset: int = 0,
    registry: ProcedureRegistry = REGISTRY,
) -> MetricsAtRisk:
    """The open dossiers predicted to be late, soonest due first, with their reasons."""
    today = local_date(now)
    with read_session(engine) as session:
        if registry is REGISTRY:
            registry = sync_registry(session)
        calendar = load_calendar(session)
        prone = likely_late(late_history(session))
        dossiers = _dossier_conditions(filters, today)
        reason_rows: list[Select[Any]] = [
            core_select(
                *_shown(),
                literal(DEADLINE_NEAR).label("reason"),
                cast(null(), String).label("agency"),
                cast(null(), Date).label("due"),
            ).where(
                *dossiers,
                col(Dossier.suspended).is_(False),
                _near_windows(registry, calendar, today),
            ),
            core_select(
                *_shown(),
                literal(CONSULTATION_OVERDUE).label("reason"),
                col(Consultation.agency_code).label("agency"),
                col(Consultation.due_date).label("due"),
            )
            .join(Dossier, col(Dossier.id) == col(Consultation.dossier_id))
            .where(
                col(Consultation.status).in_(_OPEN_REQUESTS),
                col(Consultation.due_date) < today,
                *dossiers,
            ),
        ]
        if prone:
            due_dates = (
                session.connection()
                .execute(
                    core_select(col(Consultation.due_date))
                    .where(
                        col(Consultation.status).in_(_OPEN_REQUESTS),
                        col(Consultation.due_date) >= today,
                        col(Consultation.agency_code).in_(sorted(prone)),
                    )
                    .distinct()
                )
                .scalars()
                .all()
            )
            horizons = {
                due: calendar.add_working_days(due, SLACK_WORKING_DAYS) for due in due_dates
            }
            if horizons:
                reason_rows.append(
                    core_select(
                        *_shown(),
                        literal(AGENCY_OFTEN_LATE).label("reason"),
                        col(Consultation.agency_code).label("agency"),
                        col(Consultation.due_date).label("due"),
                    )
                    .join(Dossier, col(Dossier.id) == col(Consultation.dossier_id))
                    .where(
                        col(Consultation.status).in_(_OPEN_REQUESTS),
                        col(Consultation.due_date) >= today,
                        col(Consultation.agency_code).in_(sorted(prone)),
                        col(Dossier.legal_due_date)
                        <= case(horizons, value=col(Consultation.due_date)),
                        *dossiers,
                    )
                )
        reasons = union_all(*reason_rows).cte("reasons")  # evaluated once, used twice
        shown = [reasons.c[name] for name in SHOWN]
        flagged = core_select(*shown).distinct().subquery("flagged")
        cut = (
            core_select(
                *(flagged.c[name] for name in SHOWN),
                func.count().over().label("total"),  # counted before the page is cut
            )
            .order_by(flagged.c.legal_due_date, flagged.c.code)
            .limit(limit)
            .offset(offset)
            .subquery("cut")
        )
        connection = session.connection()
        rows = connection.execute(
            core_select(cut, reasons.c.reason, reasons.c.agency, reasons.c.due)
            .join(reasons, reasons.c.dossier_id == cut.c.dossier_id)
            .order_by(cut.c.legal_due_date, cut.c.code)
        ).all()
        total = rows[0].total if rows else 0
        if not rows and offset:
            total = connection.execute(core_select(func.count()).select_from(flagged)).scalar_one()
        page: dict[str, tuple[Any, ...]] = {}
        found: dict[str, list[tuple[str, str | None, date | None]]] = {}
        for row in rows:
            page.setdefault(row.dossier_id, tuple(row[:5]))
            found.setdefault(row.dossier_id, []).append((row.reason, row.agency, row.due))
    items = []
    for dossier_id, code, procedure, status, due_date in page.values():
        left = calendar.working_days_between(today, due_date)
        explained = sorted(
            (
                _reason(reason, agency, due, due_date, left, prone, calendar)
                for reason, agency, due in set(found[dossier_id])
            ),
            key=lambda r: (PRIORITY[r.code], r.agency or ""),
        )
        main = explained[0]
        items.append(
            AtRiskDossier(
                id=dossier_id,
                code=code,
                procedure=procedure,
                status=status,
                due_date=due_date,
                working_days_left=left,
                reason_code=main.code,
                reason_vi=main.vi,
                reason_en=main.en,
                reasons=explained,
            )
        )
    return MetricsAtRisk(items=items, total=total)


def _reason(
    code: str,
    agency: str | None,
    answer_due: date | None,
    due_date: date,
    left: int,
    prone: dict[str, Requests],
    calendar: WorkingCalendar,
) -> AtRiskReason:
    """The reason's code with its Vietnamese and English text."""
    if code == DEADLINE_NEAR:
        return AtRiskReason(
            code=code,
            vi=f"Còn {left} ngày làm việc đến ngày hẹn trả {due_date:%d/%m/%Y}",
            en=f"{left} working days left before the due date {due_date.isoformat()}",
        )
    assert agency is not None and answer_due is not None
    if code == CONSULTATION_OVERDUE:
        return AtRiskReason(
            code=code,
            agency=agency,
            vi=f"{agency} chưa trả lời ý kiến; hạn trả lời {answer_due:%d/%m/%Y} đã qua",
            en=f"{agency} has not answered; its answer was due on {answer_due.isoformat()}",
        )
    past = prone[agency]
    slack = calendar.working_days_between(answer_due, due_date)
    return AtRiskReason(
        code=code,
        agency=agency,
        vi=f"{agency} thường trả lời muộn ({past.late}/{past.ended} lần); hạn trả lời "
        f"{answer_due:%d/%m/%Y} chỉ cách ngày hẹn trả {slack} ngày làm việc",
        en=f"{agency} often answers late ({past.late} of {past.ended} requests); its answer "
        f"is due {answer_due.isoformat()}, only {slack} working days before the due date",
    )


__all__ = ["SLACK_WORKING_DAYS", "at_risk", "likely_late"]
