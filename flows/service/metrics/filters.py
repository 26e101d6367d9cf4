"""The filters every metrics figure takes, and the counter rows that cover a period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlmodel import Session, col

from flows.calendar import local_date
from flows.errors import InvalidInput
from flows.service.metrics.counters import ALL, ALL_TIME, DAY, MONTH, first_of_month
from models.metric_count import MetricCount

LONGEST_PERIOD_YEARS = 50


@dataclass(frozen=True)
class MetricsFilters:
    """`from`, `to` (local dates, inclusive), `procedure`, `receiving_agency`; all optional."""

    from_date: date | None = None
    to_date: date | None = None
    procedure: str | None = None
    receiving_agency: str | None = None

    def period(self, now: datetime) -> Period:
        """The period asked for; by default the current calendar year up to today."""
        today = local_date(now)
        last = self.to_date or today
        first = self.from_date or date(last.year, 1, 1)
        if first > last:
            raise InvalidInput(f"from ({first}) is after to ({last})")
        if (last - first).days > LONGEST_PERIOD_YEARS * 366:
            raise InvalidInput(f"a period may span at most {LONGEST_PERIOD_YEARS} years")
        return Period(first, last, min(last, today), today)


@dataclass(frozen=True)
class Period:
    """[first, last], and the day pending dossiers are counted on (`last`, or today)."""

    first: date
    last: date
    as_of: date
    today: date

    def ranges(self) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
        """The whole months inside the period (their 1sts), and the days outside them."""
        months_from = self.first if self.first.day == 1 else next_month(self.first)
        after = self.last + timedelta(days=1)
        months_until = after if after.day == 1 else first_of_month(self.last)  # exclusive
        if months_from >= months_until:
            return None, [(self.first, self.last)]
        days = []
        if self.first < months_from:
            days.append((self.first, months_from - timedelta(days=1)))
        if months_until <= self.last:
            days.append((months_until, self.last))
        last_month = first_of_month(months_until - timedelta(days=1))
        return (months_from, last_month), days

    def months(self) -> list[date]:
        """The 1st of every calendar month the period touches."""
        months, month = [], first_of_month(self.first)
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months


def next_month(day: date) -> date:
    """The 1st of the month after the day's."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def counter_filters(filters: MetricsFilters) -> list[ColumnElement[bool]]:
    """The procedure and receiving-agency conditions on counter rows."""
    conditions: list[ColumnElement[bool]] = []
    if filters.procedure:
        conditions.append(col(MetricCount.procedure) == filters.procedure)
    if filters.receiving_agency:
        conditions.append(col(MetricCount.receiving_agency) == filters.receiving_agency)
    return conditions


def sum_counts(
    session: Session,
    fact: str,
    period: Period | None,
    filters: MetricsFilters,
    by: Sequence[Any],
    *conditions: ColumnElement[bool],
) -> list[tuple[Any, ...]]:
    """Sum of the counters of one fact over the period (all time if None), grouped `by`.

    One query per grain range, each reading a contiguous slice of the counters' primary key;
    the groups (a few hundred rows at most) are added up here.
    """
    slices: list[ColumnElement[bool]]
    if period is None:
        slices = [and_(col(MetricCount.grain) == ALL, col(MetricCount.day) == ALL_TIME)]
    else:
        months, days = period.ranges()
        slices = [
            and_(col(MetricCount.grain) == DAY, col(MetricCount.day).between(first, last))
            for first, last in days
        ]
        if months is not None:
            slices.append(
                and_(col(MetricCount.grain) == MONTH, col(MetricCount.day).between(*months))
            )
    totals: dict[tuple[Any, ...], int] = {}
    for where in slices:
        query: Select[Any] = (
            select(*by, func.sum(MetricCount.count))
            .where(col(MetricCount.fact) == fact, where, *counter_filters(filters), *conditions)
            .group_by(*by)
        )
        for *key, count in session.connection().execute(query).all():
            totals[tuple(key)] = totals.get(tuple(key), 0) + int(count or 0)
    return [(*key, count) for key, count in totals.items() if count]
