"""What the managers' dashboard draws beyond the `/metrics` figures, by SQL aggregation.

- `processing_time_histogram`: the decisions signed in the period by the working days they took
  (the same `ended` counters as `median_working_days`), in buckets of five working days;
- `pending_by_age`: the dossiers pending at the end of the period (the summary's `pending`) by
  the working days since their acceptance (0–5, 6–10, 11–20, 21–30, more than 30; and those not
  accepted yet);
- `overdue_dossiers`: the pending dossiers past their statutory due date, soonest due first.

Each reads a handful of grouped rows: the counters, or one `GROUP BY` over the dossiers whose
working-day thresholds are turned into acceptance dates first; no dossier is looped over here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, and_, case, func, literal, or_, select
from sqlmodel import col

from flows.calendar import VN_TZ, WorkingCalendar, local_date
from flows.service.calendar import load_calendar
from flows.service.metrics.facts import DECISION_STATUSES, ENDED, NONE
from flows.service.metrics.filters import MetricsFilters, sum_counts
from models.db import read_session
from models.dossier import Dossier
from models.metric_count import MetricCount

BUCKET_WORKING_DAYS = 5
MAX_BUCKETS = 12  # the last bucket is open: "more than 55 working days"
AGE_LIMITS = (5, 10, 20, 30)  # pending by age: 0–5, 6–10, 11–20, 21–30, > 30 working days
NOT_ACCEPTED = "not_accepted"
OVERDUE_LIMIT = 50


class Bucket(BaseModel):
    """How many dossiers fall between two working-day counts (both inclusive)."""

    key: str = Field(examples=["6-10"], description="low-high, >low, or not_accepted")
    label_vi: str
    label_en: str
    low: int | None = Field(description="First working-day count of the bucket.")
    high: int | None = Field(description="Last working-day count, None when open-ended.")
    count: int


class OverdueDossier(BaseModel):
    """A pending dossier past its statutory due date (quá hạn)."""

    id: str
    code: str
    applicant_name: str
    procedure: str
    status: str
    assignee: str | None
    due_date: date = Field(description="The statutory due date (appointment date).")
    working_days_late: int = Field(description="Working days run since the due date.")


class OverdueList(BaseModel):
    """The first overdue dossiers, soonest due first, and how many there are."""

    items: list[OverdueDossier]
    total: int


def _bucket(low: int, high: int | None, count: int) -> Bucket:
    if high is None:
        return Bucket(
            key=f">{low - 1}",
            label_vi=f"> {low - 1}",
            label_en=f"> {low - 1}",
            low=low,
            high=None,
            count=count,
        )
    return Bucket(
        key=f"{low}-{high}",
        label_vi=f"{low}–{high}",
        label_en=f"{low}–{high}",
        low=low,
        high=high,
        count=count,
    )


def bucket_counts(
    histogram: dict[int, int], width: int = BUCKET_WORKING_DAYS, most: int = MAX_BUCKETS
) -> list[Bucket]:
    """A histogram (working days → how many) in buckets 0–width, width+1–2·width, ...

    The buckets run from 0 to the one holding the largest value (empty ones included), at
    most `most` of them; the last then holds everything beyond.
    """
    if not histogram:
        return []
    largest = max(histogram)
    needed = max(1, -(-largest // width)) if largest > 0 else 1
    count = min(needed, most)
    edges = [(0, width)] + [(i * width + 1, (i + 1) * width) for i in range(1, count)]
    open_ended = needed > most
    buckets: list[Bucket] = []
    for index, (low, high) in enumerate(edges):
        last = index == len(edges) - 1
        top = None if last and open_ended else high
        counted = sum(
            n for days, n in histogram.items() if days >= low and (top is None or days <= top)
        )
        buckets.append(_bucket(low, top, counted))
    return buckets


def processing_time_histogram(
    engine: Engine, filters: MetricsFilters, now: datetime
) -> list[Bucket]:
    """The decisions signed in the period by the working days they took, in buckets."""
    period = filters.period(now)
    with read_session(engine) as session:
        rows = sum_counts(
            session,
            ENDED,
            period,
            filters,
            [col(MetricCount.working_days)],
            col(MetricCount.category).in_(DECISION_STATUSES),
            col(MetricCount.working_days) != NONE,
        )
    return bucket_counts({int(days): int(count) for days, count in rows})


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


def accepted_since(calendar: WorkingCalendar, as_of: date, working_days: int) -> date:
    """The earliest acceptance date whose working days run up to `as_of` are at most `n`.

    `working_days_between(d, as_of)` counts the working days in (d, as_of]; it is at most n
    exactly when d is on or after the (n+1)-th working day counted back from `as_of`.
    """
    last = as_of if calendar.is_working_day(as_of) else calendar.previous_working_day(as_of)
    return calendar.add_working_days(last, -working_days)


def _dossier_filters(filters: MetricsFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.procedure:
        conditions.append(col(Dossier.procedure) == filters.procedure)
    if filters.receiving_agency:
        conditions.append(col(Dossier.receiving_agency) == filters.receiving_agency)
    return conditions


def pending_by_age(engine: Engine, filters: MetricsFilters, now: datetime) -> list[Bucket]:
    """The dossiers pending at the end of the period by working days since acceptance.

    Pending as the summary counts them: received by that day and not ended by it. A dossier
    accepted after that day, or never, is in the `not_accepted` bucket.
    """
    period = filters.period(now)
    day = period.as_of
    with read_session(engine) as session:
        calendar = load_calendar(session)
    limits = [(limit, accepted_since(calendar, day, limit)) for limit in AGE_LIMITS]
    accepted = col(Dossier.accepted_at)
    whens: list[Any] = [
        (or_(accepted.is_(None), accepted >= _start_of(day + timedelta(days=1))), NOT_ACCEPTED)
    ]
    whens += [(accepted >= _start_of(since), str(limit)) for limit, since in limits]
    age = case(*whens, else_=literal("older"))
    still_open = or_(col(Dossier.completed_on).is_(None), col(Dossier.completed_on) > day)
    query = (
        select(age.label("age"), func.count())
        .select_from(Dossier)
        .where(col(Dossier.received_on) <= day, still_open, *_dossier_filters(filters))
        .group_by("age")
    )
    with read_session(engine) as session:
        counts = {str(key): int(n) for key, n in session.connection().execute(query).all()}
    buckets, low = [], 0
    for limit in AGE_LIMITS:
        buckets.append(_bucket(low, limit, counts.get(str(limit), 0)))
        low = limit + 1
    buckets.append(_bucket(low, None, counts.get("older", 0)))
    buckets.append(
        Bucket(
            key=NOT_ACCEPTED,
            label_vi="Chưa tiếp nhận hợp lệ",
            label_en="Not accepted yet",
            low=None,
            high=None,
            count=counts.get(NOT_ACCEPTED, 0),
        )
    )
    return buckets


def overdue_dossiers(
    engine: Engine, filters: MetricsFilters, now: datetime, limit: int = OVERDUE_LIMIT
) -> OverdueList:
    """Open dossiers whose statutory due date has passed, the clock running; soonest due first.

    These are the summary's `pending_overdue` as of today. As in `/metrics/at-risk`, `from`
    and `to`, when given, restrict the dossiers by receipt date.
    """
    today = local_date(now)
    conditions: list[Any] = [
        col(Dossier.completed_on).is_(None),
        col(Dossier.legal_due_date) < today,
        col(Dossier.suspended).is_(False),
        *_dossier_filters(filters),
    ]
    if filters.from_date:
        conditions.append(col(Dossier.received_on) >= filters.from_date)
    if filters.to_date:
        conditions.append(col(Dossier.received_on) <= filters.to_date)
    columns = (
        col(Dossier.id),
        col(Dossier.code),
        col(Dossier.applicant_name),
        col(Dossier.procedure),
        col(Dossier.status),
        col(Dossier.assignee),
        col(Dossier.legal_due_date),
    )
    with read_session(engine) as session:
        connection = session.connection()
        total = connection.execute(
            select(func.count()).select_from(Dossier).where(and_(*conditions))
        ).scalar_one()
        rows = connection.execute(
            select(*columns)
            .where(*conditions)
            .order_by(col(Dossier.legal_due_date), col(Dossier.code))
            .limit(limit)
        ).all()
        calendar = load_calendar(session)
    return OverdueList(
        items=[
            OverdueDossier(
                id=dossier_id,
                code=code,
                applicant_name=applicant,
                procedure=procedure,
                status=status,
                assignee=assignee,
                due_date=due,
                working_days_late=calendar.working_days_between(due, today),
            )
            for dossier_id, code, applicant, procedure, status, assignee, due in rows
        ],
        total=int(total),
    )
