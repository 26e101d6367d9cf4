"""Received, completed (early / on time / late), ended otherwise, pending; per procedure,
receiving agency and month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, func, select
from sqlmodel import Session, col

from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import Status
from flows.service.metrics.agencies import agency_names, agency_summaries
from flows.service.metrics.counters import first_of_month
from flows.service.metrics.facts import DECISION_STATUSES, ENDED, NONE, RECEIVED
from flows.service.metrics.filters import MetricsFilters, Period, sum_counts
from flows.service.metrics.percentiles import median, p90
from flows.service.registry import sync_registry
from models.db import read_session
from models.dossier import Dossier
from models.metric_count import MetricCount
from models.metrics_schemas import (
    MetricsByMonth,
    MetricsSummary,
    MonthMetrics,
    ProcedureOutcomes,
    ReceivingAgencyOutcomes,
)


def rate(part: int, whole: int) -> float | None:
    """part / whole to 4 decimals, or None when whole is 0."""
    return round(part / whole, 4) if whole else None


@dataclass
class Tally:
    """The counts of one group of dossiers, added up from counter rows."""

    received: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    withdrawn: int = 0
    rejected_at_intake: int = 0
    pending: int = 0
    overdue: int = 0
    working_days: dict[int, int] = field(default_factory=dict)

    @property
    def completed(self) -> int:
        """Decisions signed."""
        return self.early + self.on_time + self.late

    def add_ended(self, status: str, timeliness: str, days: int, count: int) -> None:
        """Dossiers that ended in a final status."""
        if status == Status.withdrawn.value:
            self.withdrawn += count
        elif status == Status.rejected_at_intake.value:
            self.rejected_at_intake += count
        elif status in DECISION_STATUSES:
            if timeliness == "early":
                self.early += count
            elif timeliness == "on_time":
                self.on_time += count
            else:
                self.late += count
            if days != NONE:
                self.working_days[days] = self.working_days.get(days, 0) + count

    def outcomes(self) -> dict[str, Any]:
        """The API.md figures of this group."""
        return {
            "received": self.received,
            "completed": self.completed,
            "completed_early": self.early,
            "completed_on_time": self.on_time,
            "completed_late": self.late,
            "withdrawn": self.withdrawn,
            "rejected_at_intake": self.rejected_at_intake,
            "pending": self.pending,
            "pending_in_time": self.pending - self.overdue,
            "pending_overdue": self.overdue,
            "on_time_rate": rate(self.early + self.on_time, self.completed),
            "median_working_days": median(self.working_days),
            "p90_working_days": p90(self.working_days),
        }


Group = tuple[str, str]  # procedure, receiving agency


def _dossier_filters(filters: MetricsFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.procedure:
        conditions.append(col(Dossier.procedure) == filters.procedure)
    if filters.receiving_agency:
        conditions.append(col(Dossier.receiving_agency) == filters.receiving_agency)
    return conditions


def pending_counts(
    session: Session, period: Period, filters: MetricsFilters
) -> list[tuple[str, str, int, int]]:
    """(procedure, receiving agency, pending, overdue) at the end of the period.

    Pending: received by that day and not ended by it; overdue: their statutory due date is
    before that day, the clock running (a suspended dossier's due date moves with its stop).
    Open dossiers are read through `ix_dossier_pending`: those with no completion date.
    """
    day = period.as_of
    overdue = case(
        (
            and_(col(Dossier.legal_due_date) < day, col(Dossier.suspended).is_(False)),
            1,
        ),
        else_=0,
    )
    by = (col(Dossier.procedure), col(Dossier.receiving_agency))
    common = [col(Dossier.received_on) <= day, *_dossier_filters(filters)]
    pending = [col(Dossier.completed_on).is_(None)]  # still open today
    if day < period.today:  # or ended after that day (a bounded range: the index is used)
        pending.append(col(Dossier.completed_on).between(day + timedelta(days=1), period.today))
    totals: dict[Group, tuple[int, int]] = {}
    for still_open in pending:
        query = (
            select(*by, func.count(), func.sum(overdue)).where(still_open, *common).group_by(*by)
        )
        for procedure, agency, count, late in session.connection().execute(query).all():
            before = totals.get((procedure, agency), (0, 0))
            totals[(procedure, agency)] = (before[0] + count, before[1] + int(late or 0))
    return [(p, a, n, late) for (p, a), (n, late) in totals.items()]


def tallies(session: Session, period: Period, filters: MetricsFilters) -> dict[Group, Tally]:
    """The counts of each (procedure, receiving agency) in the period."""
    groups: dict[Group, Tally] = {}

    def tally(procedure: str, agency: str) -> Tally:
        return groups.setdefault((procedure, agency), Tally())

    by = [col(MetricCount.procedure), col(MetricCount.receiving_agency)]
    for procedure, agency, count in sum_counts(session, RECEIVED, period, filters, by):
        tally(procedure, agency).received += count
    detail: list[Any] = [*by, col(MetricCount.category), col(MetricCount.timeliness)]
    detail.append(col(MetricCount.working_days))
    for row in sum_counts(session, ENDED, period, filters, detail):
        procedure, agency, status, timeliness, days, count = row
        tally(procedure, agency).add_ended(status, timeliness, days, count)
    for procedure, agency, count, late in pending_counts(session, period, filters):
        group = tally(procedure, agency)
        group.pending += count
        group.overdue += late
    return groups


def _merge(items: Iterable[Tally]) -> Tally:
    total = Tally()
    for item in items:
        total.received += item.received
        total.early += item.early
        total.on_time += item.on_time
        total.late += item.late
        total.withdrawn += item.withdrawn
        total.rejected_at_intake += item.rejected_at_intake
        total.pending += item.pending
        total.overdue += item.overdue
        for days, count in item.working_days.items():
            total.working_days[days] = total.working_days.get(days, 0) + count
    return total


def summary(
    engine: Engine,
    filters: MetricsFilters,
    now: datetime,
    registry: ProcedureRegistry = REGISTRY,
) -> MetricsSummary:
    """`GET /metrics/summary`: the API.md figures of the period, with their breakdowns."""
    period = filters.period(now)
    with read_session(engine) as session:
        if registry is REGISTRY:
            registry = sync_registry(session)
        groups = tallies(session, period, filters)
        agencies = agency_summaries(session, period, filters)
        names = agency_names(session)
    by_procedure: dict[str, list[Tally]] = {}
    by_receiver: dict[str, list[Tally]] = {}
    for (procedure, receiver), group in groups.items():
        by_procedure.setdefault(procedure, []).append(group)
        by_receiver.setdefault(receiver, []).append(group)
    procedures = []
    for code in sorted(by_procedure):
        definition = registry.get(code)
        procedures.append(
            ProcedureOutcomes(
                procedure=code,
                title_vi=definition.title_vi if definition else code,
                title_en=definition.title_en if definition else code,
                **_merge(by_procedure[code]).outcomes(),
            )
        )
    receivers = []
    for code in sorted(by_receiver):
        agency = names.get(code)
        receivers.append(
            ReceivingAgencyOutcomes(
                receiving_agency=code,
                name_vi=agency.name_vi if agency else code,
                name_en=agency.name_en if agency else code,
                **_merge(by_receiver[code]).outcomes(),
            )
        )
    return MetricsSummary(
        **_merge(groups.values()).outcomes(),
        by_procedure=procedures,
        by_agency=agencies,
        by_receiving_agency=receivers,
    )


def by_month(engine: Engine, filters: MetricsFilters, now: datetime) -> MetricsByMonth:
    """`GET /metrics/by-month`: received and completed per calendar month of the period."""
    period = filters.period(now)
    months: dict[date, Tally] = {month: Tally() for month in period.months()}
    day = col(MetricCount.day)
    with read_session(engine) as session:
        for first, count in sum_counts(session, RECEIVED, period, filters, [day]):
            months[first_of_month(first)].received += count
        detail: list[Any] = [day, col(MetricCount.category), col(MetricCount.timeliness)]
        detail.append(col(MetricCount.working_days))
        for first, status, timeliness, days, count in sum_counts(
            session, ENDED, period, filters, detail
        ):
            months[first_of_month(first)].add_ended(status, timeliness, days, count)
    items = []
    for month, tally in months.items():
        figures = tally.outcomes()
        items.append(
            MonthMetrics(
                month=f"{month:%Y-%m}",
                **{k: v for k, v in figures.items() if not k.startswith("pending")},
            )
        )
    return MetricsByMonth(items=items)
