"""Monitoring figures (managers; administrators read too), computed by SQL aggregation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import Caller, EngineDep, NowDep, require
from api.paging import Offset
from flows.errors import InvalidInput
from flows.service.metrics.agencies import by_agency
from flows.service.metrics.at_risk import at_risk
from flows.service.metrics.filters import MetricsFilters
from flows.service.metrics.stages import bottlenecks
from flows.service.metrics.summary import by_month, summary
from flows.service.registry import registry_of
from models.metrics_schemas import (
    MetricsAtRisk,
    MetricsBottlenecks,
    MetricsByAgency,
    MetricsByMonth,
    MetricsSummary,
)

router = APIRouter(tags=["monitoring"])
Monitor = Annotated[Caller, Depends(require("manager", "admin"))]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "managers and administrators only"},
    422: {"description": "invalid filters (a date, from after to, an unknown procedure)"},
}


def metrics_filters(
    engine: EngineDep,
    from_: Annotated[
        date | None,
        Query(
            alias="from",
            description="First local date of the period, inclusive (default: 1 January of "
            "the year of `to`).",
            examples=["2026-01-01"],
        ),
    ] = None,
    to: Annotated[
        date | None,
        Query(
            description="Last local date of the period, inclusive (default: today).",
            examples=["2026-06-30"],
        ),
    ] = None,
    procedure: Annotated[
        str | None,
        Query(max_length=80, description="Only this procedure.", examples=["ngo.operation.issue"]),
    ] = None,
    receiving_agency: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Only dossiers this agency received (the dossier code's prefix).",
            examples=["UBCT-PCPNN"],
        ),
    ] = None,
) -> MetricsFilters:
    """The filters every metrics route takes."""
    check_period(**{"from": from_, "to": to})
    if procedure and registry_of(engine).get(procedure) is None:
        known = ", ".join(p.code for p in registry_of(engine).latest())
        raise InvalidInput(f"unknown procedure {procedure!r}; known: {known}")
    return MetricsFilters(
        from_date=from_, to_date=to, procedure=procedure or None, receiving_agency=receiving_agency
    )


Filters = Annotated[MetricsFilters, Depends(metrics_filters)]
# Report periods lie between these days: beyond them the period arithmetic leaves what a date
# can hold (year 1, year 9999) and a month stops being YYYY-MM.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def check_period(**days: date | None) -> None:
    """422 for a report date outside FIRST_DAY..LAST_DAY."""
    for name, day in days.items():
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(f"`{name}` must be between {FIRST_DAY} and {LAST_DAY}")


@router.get("/metrics/summary", response_model=MetricsSummary, responses=ERRORS)
def get_summary(_: Monitor, engine: EngineDep, now: NowDep, filters: Filters) -> MetricsSummary:
    """Received, completed early / on time / late, withdrawn, refused at intake, pending in
    time / overdue, on-time rate and processing working days (median, p90), per procedure,
    per receiving agency and per consulted agency (see API.md, Monitoring)."""
    return summary(engine, filters, now)


@router.get("/metrics/by-month", response_model=MetricsByMonth, responses=ERRORS)
def get_by_month(_: Monitor, engine: EngineDep, now: NowDep, filters: Filters) -> MetricsByMonth:
    """The summary's received and completed figures for each month of the period."""
    return by_month(engine, filters, now)


@router.get("/metrics/by-agency", response_model=MetricsByAgency, responses=ERRORS)
def get_by_agency(_: Monitor, engine: EngineDep, now: NowDep, filters: Filters) -> MetricsByAgency:
    """Per consulted agency, for requests made in the period: answered on time, late, deemed
    consent, pending, response working days; and its all-time history of late answers."""
    return by_agency(engine, filters, now)


@router.get("/metrics/bottlenecks", response_model=MetricsBottlenecks, responses=ERRORS)
def get_bottlenecks(
    _: Monitor, engine: EngineDep, now: NowDep, filters: Filters
) -> MetricsBottlenecks:
    """The steps that ended in the period (intake, consultation, drafting, signature) by
    their median and 90th-percentile working days, slowest first."""
    return bottlenecks(engine, filters, now)


@router.get("/metrics/at-risk", response_model=MetricsAtRisk, responses=ERRORS)
def get_at_risk(
    _: Monitor,
    engine: EngineDep,
    now: NowDep,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> MetricsAtRisk:
    """Open dossiers predicted to be late, soonest due first, each with its reasons:
    `deadline_near`, `consultation_overdue`, `agency_often_late`. Here `from` and `to`, when
    given, restrict the dossiers by receipt date (default: every open dossier)."""
    return at_risk(engine, filters, now, limit=limit, offset=offset)
