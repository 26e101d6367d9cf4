"""Manager pages: the dashboard of the monitoring figures, its charts and watch lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.routes.metrics import check_period, metrics_filters
from api.web.charts import Bar, Series, bar_chart, horizontal_bar_chart, legend, stacked_bar_chart
from api.web.page import Page, check_csrf, page_for
from flows.documents.service import MAX_REGISTER_DAYS
from flows.errors import InvalidInput
from flows.register.queries import list_obligations
from flows.service.metrics.filters import MetricsFilters
from flows.service.queues import Dashboard, filter_choices
from flows.service.queues import dashboard as overview
from models.metrics_schemas import AgencyMetrics, MonthMetrics

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

ManagerPage = Annotated[Page, page_for("manager", "admin")]
MONTHS_SHOWN = 24  # a longer period is drawn year by year (the table keeps every month)
MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
OBLIGATIONS_SHOWN = 20  # the overdue obligations listed; the whole list is /app/obligations


@dataclass(frozen=True)
class FilterForm:
    """The dashboard's filter form as submitted (empty strings for fields left blank)."""

    from_: str = ""
    to: str = ""
    procedure: str = ""
    receiving_agency: str = ""

    def query(self) -> str:
        """The filled-in fields as a query string (the export links carry them)."""
        pairs = {
            "from": self.from_,
            "to": self.to,
            "procedure": self.procedure,
            "receiving_agency": self.receiving_agency,
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def filter_form(
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    procedure: Annotated[str, Query(max_length=80)] = "",
    receiving_agency: Annotated[str, Query(max_length=40)] = "",
) -> FilterForm:
    """The filter form's fields, as text: a page's GET form sends the blank ones too."""
    return FilterForm(from_.strip(), to.strip(), procedure.strip(), receiving_agency.strip())


FormDep = Annotated[FilterForm, Depends(filter_form)]


def parse_day(value: str, name: str) -> date | None:
    """A form's date field: None when blank, InvalidInput when not YYYY-MM-DD."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
    check_period(**{name: day})
    return day


def page_filters(page: Page, form: FilterForm) -> MetricsFilters:
    """The metrics filters of the form, checked as `/metrics/...` checks them (InvalidInput)."""
    filters = metrics_filters(
        page.engine,
        parse_day(form.from_, "from"),
        parse_day(form.to, "to"),
        form.procedure or None,
        form.receiving_agency or None,
    )
    filters.period(page.now)  # from after to, too long a period
    return filters


def percent(rate: float | None, lang: str) -> str:
    """A share as a percentage with at most one decimal (comma in Vietnamese); — for none."""
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}".removesuffix(".0")
    return (text if lang == "en" else text.replace(".", ",")) + "%"


@dataclass(frozen=True)
class Period:
    """One bar of the on-time chart: a month, or a year when the period is long."""

    label: str
    name: str
    early: int
    on_time: int
    late: int

    @property
    def completed(self) -> int:
        """Decisions signed."""
        return self.early + self.on_time + self.late

    @property
    def rate(self) -> float | None:
        """(early + on time) / completed."""
        return (self.early + self.on_time) / self.completed if self.completed else None


def chart_periods(months: list[MonthMetrics], lang: str) -> list[Period]:
    """The months as bars (the year under January and under the first month), or years."""
    if len(months) > MONTHS_SHOWN:
        years: dict[str, list[MonthMetrics]] = {}
        for month in months:
            years.setdefault(month.month[:4], []).append(month)
        return [
            Period(
                year,
                year,
                sum(m.completed_early for m in items),
                sum(m.completed_on_time for m in items),
                sum(m.completed_late for m in items),
            )
            for year, items in years.items()
        ]
    periods = []
    for index, month in enumerate(months):
        year, number = month.month[:4], int(month.month[5:])
        short = MONTHS_EN[number - 1] if lang == "en" else f"T{number}"
        name = f"{short} {year}" if lang == "en" else f"{number:02d}/{year}"
        label = f"{short}\n{year}" if index == 0 or number == 1 else short
        periods.append(
            Period(
                label, name, month.completed_early, month.completed_on_time, month.completed_late
            )
        )
    return periods


def _agency_tone(agency: AgencyMetrics) -> str:
    late = 1 - agency.on_time_rate if agency.on_time_rate is not None else None
    if late is None:
        return "muted"
    return "late" if late >= 0.5 else "warn" if late >= 0.2 else "ok"


def late_share(agency: AgencyMetrics) -> float | None:
    """Requests answered late or left to deemed consent, of those that ended."""
    return round(1 - agency.on_time_rate, 4) if agency.on_time_rate is not None else None


AGE_TONES = {"0-5": "ok", "6-10": "ok", "11-20": "warn", "21-30": "late", ">30": "late"}


def charts(board: Dashboard, lang: str) -> dict[str, Markup]:
    """The dashboard's four charts (and the on-time chart's legend) as inline SVG."""

    def tr(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    empty = tr("Chưa có số liệu trong kỳ", "No data in this period")
    periods = chart_periods(board.months, lang)
    layers = [
        Series(tr("Trước hạn", "Early"), "ok", [p.early for p in periods]),
        Series(tr("Đúng hạn", "On time"), "info", [p.on_time for p in periods]),
        Series(tr("Quá hạn", "Late"), "late", [p.late for p in periods]),
    ]
    wd = tr("ngày làm việc", "working days")
    agencies = [a for a in board.agencies if a.median_response_working_days is not None]
    return {
        "on_time": stacked_bar_chart(
            [p.label for p in periods],
            layers,
            title=tr("Tỷ lệ giải quyết đúng hạn theo tháng", "On-time rate by month"),
            x_label=tr("Tháng ký quyết định", "Month of signature"),
            y_label=tr("Số hồ sơ", "Dossiers"),
            top_texts=[percent(p.rate, lang) if p.completed else "" for p in periods],
            names=[p.name for p in periods],
            empty=empty,
        ),
        "on_time_legend": legend(layers),
        "processing_time": bar_chart(
            [
                Bar(
                    b.label_en if lang == "en" else b.label_vi,
                    b.count,
                    tooltip=f"{b.label_en if lang == 'en' else b.label_vi} {wd}: {b.count}",
                )
                for b in board.processing_time
            ],
            title=tr("Phân bố thời gian giải quyết", "Processing time"),
            x_label=tr("Số ngày làm việc đã dùng", "Working days used"),
            y_label=tr("Số hồ sơ", "Dossiers"),
            empty=empty,
        ),
        "agencies": horizontal_bar_chart(
            [
                Bar(
                    a.agency,
                    a.median_response_working_days or 0,
                    text=f"{a.median_response_working_days} {tr('ngày', 'd')} · "
                    f"{tr('trễ', 'late')} {percent(late_share(a), lang)}",
                    tone=_agency_tone(a),
                    tooltip=f"{tr(a.name_vi, a.name_en)}: {a.median_response_working_days} {wd}, "
                    f"{tr('trễ hạn', 'late')} {percent(late_share(a), lang)}",
                )
                for a in agencies
            ],
            title=tr("Thời gian trả lời của cơ quan được lấy ý kiến", "Agency response times"),
            x_label=tr("Trung vị số ngày làm việc để trả lời", "Median working days to answer"),
            empty=tr("Chưa có cơ quan nào trả lời trong kỳ", "No answer in this period"),
        ),
        "pending_age": bar_chart(
            [
                Bar(
                    tr("Chưa\ntiếp nhận", "Not\naccepted")
                    if b.key == "not_accepted"
                    else b.label_vi,
                    b.count,
                    tone=AGE_TONES.get(b.key, "muted"),
                    tooltip=f"{tr(b.label_vi, b.label_en)}: {b.count}",
                )
                for b in board.pending_age
            ],
            title=tr("Hồ sơ đang giải quyết theo thời gian", "Pending dossiers by age"),
            x_label=tr("Số ngày làm việc từ khi tiếp nhận hợp lệ", "Working days since acceptance"),
            y_label=tr("Số hồ sơ", "Dossiers"),
            empty=empty,
        ),
    }


@router.get("/app/dashboard", response_class=HTMLResponse)
def dashboard(page: ManagerPage, form: FormDep) -> HTMLResponse:
    """The period's figures and charts, the overdue and at-risk lists, with filters."""
    title = "Dashboard" if page.lang == "en" else "Theo dõi tình hình giải quyết"
    try:
        board = overview(page.engine, page_filters(page, form), page.now)
    except InvalidInput as problem:
        return page.render(
            "app/dashboard.html",
            status_code=422,
            title=title,
            board=None,
            choices=filter_choices(page.engine),
            form=form,
            problem=problem.detail,
            charts={},
            periods=[],
            exports={},
        )
    query = form.query()
    worklist = urlencode({"procedure": form.procedure} if form.procedure else {})
    register = urlencode({"from": board.period_first, "to": board.period_last})
    one_register = (board.period_last - board.period_first).days < MAX_REGISTER_DAYS
    return page.render(
        "app/dashboard.html",
        title=title,
        board=board,
        choices=board.choices,
        form=form,
        problem="",
        charts=charts(board, page.lang),
        periods=chart_periods(board.months, page.lang),
        late_share=late_share,
        percent=lambda rate: percent(rate, page.lang),
        overdue_obligations=list_obligations(
            page.engine, status="overdue", limit=OBLIGATIONS_SHOWN
        ),
        exports={
            "dossiers_xlsx": "/app/reports/dossiers.xlsx" + (f"?{worklist}" if worklist else ""),
            "dossiers_csv": "/app/reports/dossiers.csv" + (f"?{worklist}" if worklist else ""),
            "overdue_xlsx": "/app/reports/dossiers.xlsx?"
            + urlencode(
                {"overdue": "true", **({"procedure": form.procedure} if form.procedure else {})}
            ),
            "register_xlsx": f"/app/reports/register.xlsx?{register}" if one_register else "",
            "metrics_xlsx": "/app/reports/metrics.xlsx" + (f"?{query}" if query else ""),
        },
    )
