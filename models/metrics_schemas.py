"""Response shapes of the monitoring figures (`/metrics/...`), shared with the dashboard.

Every count is of dossiers (or of consultation requests, or of finished steps); dates are local
(Asia/Ho_Chi_Minh); working days follow the working-day calendar; percentiles are nearest-rank
(`flows.service.metrics.percentiles`).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Outcomes(BaseModel):
    """The counts API.md defines for a period, for one group of dossiers."""

    received: int = Field(description="Dossiers whose receipt date is in [from, to].")
    completed: int = Field(
        description="Decisions (approved, refused, forwarded) signed in [from, to]."
    )
    completed_early: int = Field(description="Of `completed`, signed before the due date.")
    completed_on_time: int = Field(description="Of `completed`, signed on the due date.")
    completed_late: int = Field(
        description="Of `completed`, signed after the due date, or after an extension."
    )
    withdrawn: int = Field(description="Dossiers withdrawn in [from, to].")
    rejected_at_intake: int = Field(description="Dossiers refused at intake in [from, to].")
    pending: int = Field(
        description="Dossiers not in a final status at the end of the period (now, if `to` "
        "is today or later)."
    )
    pending_in_time: int = Field(
        description="Of `pending`, due that day or later, or not accepted yet."
    )
    pending_overdue: int = Field(description="Of `pending`, whose due date is before that day.")
    on_time_rate: float | None = Field(
        description="(early + on time) / completed, to 4 decimals; null when nothing was completed."
    )
    median_working_days: int | None = Field(
        description="Median over `completed` of the working days from the working day after "
        "acceptance up to and including the signature date, minus the days the clock was "
        "stopped."
    )
    p90_working_days: int | None = Field(description="90th percentile of the same.")


class ProcedureOutcomes(Outcomes):
    """The counts of one procedure."""

    procedure: str = Field(examples=["ngo.operation.issue"])
    title_vi: str
    title_en: str


class ReceivingAgencyOutcomes(Outcomes):
    """The counts of the dossiers one agency received (cơ quan tiếp nhận)."""

    receiving_agency: str = Field(examples=["UBCT-PCPNN"])
    name_vi: str
    name_en: str


class AgencySummary(BaseModel):
    """One consulted agency's requests made in [from, to] and what became of them."""

    agency: str = Field(examples=["BCA"])
    requests: int = Field(description="Requests made in [from, to] (cancelled ones included).")
    answered_on_time: int = Field(description="Answered on or before the request's due date.")
    answered_late: int = Field(description="Answered after the request's due date.")
    deemed_consent: int = Field(
        description="Silence taken as agreement where the procedure says so (not an answer)."
    )
    pending: int = Field(description="Still waiting for an answer (requested or overdue).")
    median_response_working_days: int | None = Field(
        description="Median over answered requests of the working days from the working day "
        "after the request up to and including the answer."
    )


class AgencyMetrics(AgencySummary):
    """The consulted-agency table (`/metrics/by-agency`): the summary's row and more."""

    name_vi: str
    name_en: str
    cancelled: int = Field(description="Requests the dossier's end made moot.")
    p90_response_working_days: int | None = Field(
        description="90th percentile of the response working days."
    )
    on_time_rate: float | None = Field(
        description="answered_on_time / (answered_on_time + answered_late + deemed_consent); "
        "null when none of them."
    )
    history_requests: int = Field(
        description="All-time requests of this agency that ended (answered or deemed consent), "
        "whatever the filters: the history the at-risk prediction uses."
    )
    history_late_share: float | None = Field(
        description="Share of them answered late or left to deemed consent (4 decimals)."
    )


class MetricsSummary(Outcomes):
    """`GET /metrics/summary`: the period's figures, per procedure, receiving agency and
    consulted agency."""

    by_procedure: list[ProcedureOutcomes]
    by_agency: list[AgencySummary] = Field(description="Per consulted agency.")
    by_receiving_agency: list[ReceivingAgencyOutcomes]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "received": 120,
                    "completed": 100,
                    "completed_early": 70,
                    "completed_on_time": 12,
                    "completed_late": 18,
                    "withdrawn": 3,
                    "rejected_at_intake": 2,
                    "pending": 25,
                    "pending_in_time": 21,
                    "pending_overdue": 4,
                    "on_time_rate": 0.82,
                    "median_working_days": 24,
                    "p90_working_days": 31,
                    "by_procedure": [],
                    "by_agency": [
                        {
                            "agency": "BCA",
                            "requests": 80,
                            "answered_on_time": 60,
                            "answered_late": 15,
                            "deemed_consent": 0,
                            "pending": 5,
                            "median_response_working_days": 8,
                        }
                    ],
                    "by_receiving_agency": [],
                }
            ]
        }
    }


class MonthMetrics(BaseModel):
    """One calendar month of the period (only its days inside [from, to] count)."""

    month: str = Field(examples=["2026-03"], description="YYYY-MM")
    received: int
    completed: int
    completed_early: int
    completed_on_time: int
    completed_late: int
    withdrawn: int
    rejected_at_intake: int
    on_time_rate: float | None
    median_working_days: int | None
    p90_working_days: int | None


class MetricsByMonth(BaseModel):
    """`GET /metrics/by-month`: every month the period touches, oldest first."""

    items: list[MonthMetrics]


class MetricsByAgency(BaseModel):
    """`GET /metrics/by-agency`: every consulted agency with requests in the period."""

    items: list[AgencyMetrics]


class StageMetrics(BaseModel):
    """How long one step took, over the steps that ended in [from, to]."""

    stage: str = Field(
        examples=["consultation"], description="intake, consultation, drafting or signature"
    )
    agency: str | None = Field(
        default=None, description="The consulted agency (per-agency consultation rows only)."
    )
    title_vi: str
    title_en: str
    count: int
    median_working_days: int | None
    p90_working_days: int | None
    max_working_days: int | None


class MetricsBottlenecks(BaseModel):
    """`GET /metrics/bottlenecks`: the steps, slowest first (median, then 90th percentile)."""

    items: list[StageMetrics]
    consultation_by_agency: list[StageMetrics] = Field(
        description="The consultation step per consulted agency, slowest first."
    )


class AtRiskReason(BaseModel):
    """Why a dossier is predicted to be late."""

    code: str = Field(
        examples=["agency_often_late"],
        description="deadline_near, consultation_overdue or agency_often_late",
    )
    vi: str
    en: str
    agency: str | None = Field(default=None, description="The consulted agency concerned.")


class AtRiskDossier(BaseModel):
    """An open dossier predicted to be late, with its reasons (the first is the main one)."""

    id: str
    code: str
    procedure: str
    status: str
    due_date: date = Field(description="The statutory due date (appointment date).")
    working_days_left: int
    reason_code: str
    reason_vi: str
    reason_en: str
    reasons: list[AtRiskReason]


class MetricsAtRisk(BaseModel):
    """`GET /metrics/at-risk`: soonest due first."""

    items: list[AtRiskDossier]
    total: int
