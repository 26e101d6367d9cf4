"""The slowest steps: how many working days each finished step took (`/metrics/bottlenecks`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col

from flows.service.metrics.facts import STAGE
from flows.service.metrics.filters import MetricsFilters, sum_counts
from flows.service.metrics.percentiles import median, p90
from flows.service.metrics.record import CONSULTATION, DRAFTING, INTAKE, SIGNATURE
from models.db import read_session
from models.metric_count import MetricCount
from models.metrics_schemas import MetricsBottlenecks, StageMetrics

TITLES = {
    INTAKE: ("Tiếp nhận đến khi hồ sơ hợp lệ", "Receipt to acceptance"),
    CONSULTATION: ("Lấy ý kiến cơ quan (gửi đến khi trả lời)", "Consultation (request to answer)"),
    DRAFTING: ("Dự thảo quyết định", "Drafting the decision"),
    SIGNATURE: ("Trình ký quyết định", "Signature"),
}


def _row(stage: str, agency: str | None, histogram: dict[int, int]) -> StageMetrics:
    vi, en = TITLES.get(stage, (stage, stage))
    return StageMetrics(
        stage=stage,
        agency=agency,
        title_vi=vi,
        title_en=en,
        count=sum(histogram.values()),
        median_working_days=median(histogram),
        p90_working_days=p90(histogram),
        max_working_days=max(histogram) if histogram else None,
    )


def _slowest_first(rows: list[StageMetrics]) -> list[StageMetrics]:
    return sorted(
        rows,
        key=lambda r: (-(r.median_working_days or 0), -(r.p90_working_days or 0), r.stage),
    )


def bottlenecks(engine: Engine, filters: MetricsFilters, now: datetime) -> MetricsBottlenecks:
    """Steps that ended in the period, slowest first, and consultation per agency."""
    period = filters.period(now)
    by = [col(MetricCount.category), col(MetricCount.agency), col(MetricCount.working_days)]
    stages: dict[str, dict[int, int]] = {}
    agencies: dict[str, dict[int, int]] = {}
    with read_session(engine) as session:
        for stage, agency, days, count in sum_counts(session, STAGE, period, filters, by):
            histogram = stages.setdefault(stage, {})
            histogram[days] = histogram.get(days, 0) + count
            if stage == CONSULTATION and agency:
                histogram = agencies.setdefault(agency, {})
                histogram[days] = histogram.get(days, 0) + count
    return MetricsBottlenecks(
        items=_slowest_first([_row(stage, None, h) for stage, h in stages.items()]),
        consultation_by_agency=_slowest_first(
            [_row(CONSULTATION, agency, h) for agency, h in sorted(agencies.items())]
        ),
    )
