"""Per consulted agency: requests, answers on time and late, deemed consent, pending, and
how long answers take; and each agency's own history of answering late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.service.metrics.facts import (
    ANSWERED,
    ANSWERED_LATE,
    ANSWERED_ON_TIME,
    CANCELLED,
    CONSULTATION,
    DEEMED_CONSENT,
    NONE,
    PENDING,
)
from flows.service.metrics.filters import MetricsFilters, Period, sum_counts
from flows.service.metrics.percentiles import median, p90
from models.agency import Agency
from models.db import read_session
from models.metric_count import MetricCount
from models.metrics_schemas import AgencyMetrics, AgencySummary, MetricsByAgency

ALL_FILTERS = MetricsFilters()


@dataclass
class Requests:
    """One agency's requests, by what became of them, and its response histogram."""

    by_category: dict[str, int] = field(default_factory=dict)
    response_days: dict[int, int] = field(default_factory=dict)

    def add(self, category: str, days: int, count: int) -> None:
        """Requests in one category (answered ones with their response working days)."""
        self.by_category[category] = self.by_category.get(category, 0) + count
        if category in ANSWERED and days != NONE:
            self.response_days[days] = self.response_days.get(days, 0) + count

    def count(self, category: str) -> int:
        """Requests in the category."""
        return self.by_category.get(category, 0)

    @property
    def requests(self) -> int:
        """Every request, cancelled ones included."""
        return sum(self.by_category.values())

    @property
    def ended(self) -> int:
        """Requests answered or left to deemed consent."""
        return sum(self.count(c) for c in (ANSWERED_ON_TIME, ANSWERED_LATE, DEEMED_CONSENT))

    @property
    def late(self) -> int:
        """Requests answered late or left to deemed consent (silence past the due date)."""
        return self.count(ANSWERED_LATE) + self.count(DEEMED_CONSENT)


def requests_by_agency(
    session: Session, period: Period | None, filters: MetricsFilters
) -> dict[str, Requests]:
    """Requests made in the period (all time if None), per consulted agency."""
    agencies: dict[str, Requests] = {}
    by = [col(MetricCount.agency), col(MetricCount.category), col(MetricCount.working_days)]
    for agency, category, days, count in sum_counts(session, CONSULTATION, period, filters, by):
        agencies.setdefault(agency, Requests()).add(category, days, count)
    return agencies


def late_history(session: Session) -> dict[str, Requests]:
    """Each agency's all-time requests, whatever the filters (its own history)."""
    return requests_by_agency(session, None, ALL_FILTERS)


def agency_names(session: Session) -> dict[str, Agency]:
    """The agency registry by code."""
    return {agency.code: agency for agency in session.exec(select(Agency)).all()}


def _summary(agency: str, requests: Requests) -> AgencySummary:
    return AgencySummary(
        agency=agency,
        requests=requests.requests,
        answered_on_time=requests.count(ANSWERED_ON_TIME),
        answered_late=requests.count(ANSWERED_LATE),
        deemed_consent=requests.count(DEEMED_CONSENT),
        pending=requests.count(PENDING),
        median_response_working_days=median(requests.response_days),
    )


def agency_summaries(
    session: Session, period: Period, filters: MetricsFilters
) -> list[AgencySummary]:
    """The summary's `by_agency`: one row per consulted agency, by code."""
    agencies = requests_by_agency(session, period, filters)
    return [_summary(code, agencies[code]) for code in sorted(agencies)]


def by_agency(engine: Engine, filters: MetricsFilters, now: datetime) -> MetricsByAgency:
    """`GET /metrics/by-agency`: the consulted-agency table of the period."""
    period = filters.period(now)
    with read_session(engine) as session:
        agencies = requests_by_agency(session, period, filters)
        history = late_history(session)
        names = agency_names(session)
    items = []
    for code in sorted(agencies):
        requests, past = agencies[code], history.get(code, Requests())
        name = names.get(code)
        ended = requests.ended
        items.append(
            AgencyMetrics(
                **_summary(code, requests).model_dump(),
                name_vi=name.name_vi if name else code,
                name_en=name.name_en if name else code,
                cancelled=requests.count(CANCELLED),
                p90_response_working_days=p90(requests.response_days),
                on_time_rate=round(requests.count(ANSWERED_ON_TIME) / ended, 4) if ended else None,
                history_requests=past.ended,
                history_late_share=round(past.late / past.ended, 4) if past.ended else None,
            )
        )
    return MetricsByAgency(items=items)
