"""Exports as files: the dossier list (CSV, XLSX), the register (form 07, XLSX), the
monitoring figures (XLSX) and the province's Decree 58 report (HTML, PDF, XLSX). The HTML and
PDF register is `GET /reports/register` (forms)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine

from api.deps import Caller, EngineDep, NowDep, require
from api.routes.forms import document_response
from api.routes.metrics import Filters, check_period
from flows.calendar import local_date
from flows.register import decree58_document
from flows.register.decree58 import MAX_PERIOD_DAYS, decree58_report
from flows.reports import csv_export, xlsx_export
from flows.reports.tables import (
    MAX_ROWS,
    WorklistFilters,
    dossier_table,
    metrics_tables,
    register_table,
)
from flows.service.metrics.filters import MetricsFilters

router = APIRouter(tags=["reports"])

Reader = Annotated[Caller, Depends(require("handler", "leader", "manager", "admin"))]
Monitor = Annotated[Caller, Depends(require("manager", "admin"))]

CSV_EXAMPLE = (
    "\ufeffMã hồ sơ,Tổ chức đề nghị,Quốc gia,Thủ tục,Nội dung,Trạng thái,Người xử lý,"
    "Ngày tiếp nhận,Ngày tiếp nhận hợp lệ,Ngày hẹn trả,Ngày hoàn thành,"
    "Số ngày làm việc đã dùng,Số ngày làm việc còn lại,Đúng hạn\r\n"
    "UBCT-PCPNN-20261123-0001,Save the Rivers Foundation,Norway,"
    "Cấp Giấy đăng ký hoạt động cho tổ chức phi chính phủ nước ngoài,Clean water,"
    "Đang giải quyết,Nguyễn Văn An,"
    '2026-11-23,2026-11-23,2027-01-06,,0,30,"Đang giải quyết, trong hạn"\r\n'
)
XLSX: dict[str, Any] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}


def _errors(roles: str, extra: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    return {
        403: {"description": f"{roles} only"},
        **extra,
        422: {"description": "invalid filters"},
    }


TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {
        "description": f"more than {MAX_ROWS} rows: narrow the filters and export in parts",
        "content": {
            "application/json": {
                "example": {"error": "too_large", "detail": "the dossier list: 61234 rows, ..."}
            }
        },
    }
}


def worklist_filters(
    status: Annotated[
        str | None, Query(max_length=40, description="Only this status.", examples=["in_review"])
    ] = None,
    procedure: Annotated[
        str | None,
        Query(max_length=80, description="Only this procedure.", examples=["ngo.operation.issue"]),
    ] = None,
    assignee: Annotated[
        str | None, Query(max_length=120, description="Only the dossiers of this handler.")
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="true: past the appointment date, still open.")
    ] = None,
    at_risk: Annotated[
        bool | None,
        Query(description="true: not yet late, at most the procedure's at-risk working days left"),
    ] = None,
    due_before: Annotated[
        date | None, Query(description="Appointment date before this day.", examples=["2026-12-31"])
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the code, applicant or subject.")
    ] = None,
) -> WorklistFilters:
    """The worklist's filters, as `GET /dossiers` takes them."""
    return WorklistFilters(status, procedure, assignee, overdue, at_risk, due_before, q)


Worklist = Annotated[WorklistFilters, Depends(worklist_filters)]


def download(chunks: Iterator[bytes], media_type: str, filename: str) -> StreamingResponse:
    """A file streamed as an attachment under its name."""
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def dossiers_file(
    engine: Engine, filters: WorklistFilters, now: datetime, fmt: str
) -> StreamingResponse:
    """The dossier list as `ho-so-YYYYMMDD.csv` or `.xlsx` (413 beyond MAX_ROWS)."""
    table = dossier_table(engine, filters, now)
    name = f"ho-so-{local_date(now):%Y%m%d}.{fmt}"
    if fmt == "csv":
        return download(csv_export.csv_chunks(table), csv_export.MEDIA_TYPE, name)
    workbook = xlsx_export.write_xlsx([table])
    return download(xlsx_export.file_chunks(workbook), xlsx_export.MEDIA_TYPE, name)


def register_file(
    engine: Engine, period_from: date, period_to: date, now: datetime
) -> StreamingResponse:
    """Form 07 of the period as `so-theo-doi-ho-so-YYYYMMDD-YYYYMMDD.xlsx`."""
    workbook = xlsx_export.write_xlsx([register_table(engine, period_from, period_to, now)])
    name = f"so-theo-doi-ho-so-{period_from:%Y%m%d}-{period_to:%Y%m%d}.xlsx"
    return download(xlsx_export.file_chunks(workbook), xlsx_export.MEDIA_TYPE, name)


def metrics_file(engine: Engine, filters: MetricsFilters, now: datetime) -> StreamingResponse:
    """The figures as `thong-ke-YYYYMMDD-YYYYMMDD.xlsx`, a sheet per table."""
    period = filters.period(now)
    workbook = xlsx_export.write_xlsx(metrics_tables(engine, filters, now))
    name = f"thong-ke-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    return download(xlsx_export.file_chunks(workbook), xlsx_export.MEDIA_TYPE, name)


@router.get(
    "/reports/dossiers.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the dossiers, as a CSV attachment `ho-so-YYYYMMDD.csv`",
            "content": {"text/csv": {"example": CSV_EXAMPLE}},
        },
        **_errors("handlers, leaders, managers and administrators", TOO_LARGE),
    },
)
def dossiers_csv(_: Reader, engine: EngineDep, now: NowDep, filters: Worklist) -> StreamingResponse:
    """The worklist's dossiers (same filters as `GET /dossiers`, soonest due first) as CSV:
    UTF-8 with a byte-order mark, commas, a Vietnamese header row, dates `YYYY-MM-DD`.
    Streamed 1,000 dossiers at a time; at most 50,000 rows (413 beyond: narrow the filters)."""
    return dossiers_file(engine, filters, now, "csv")


@router.get(
    "/reports/dossiers.xlsx",
    response_class=StreamingResponse,
    responses={
        200: {"description": "the dossiers, as `ho-so-YYYYMMDD.xlsx`", "content": XLSX},
        **_errors("handlers, leaders, managers and administrators", TOO_LARGE),
    },
)
def dossiers_xlsx(
    _: Reader, engine: EngineDep, now: NowDep, filters: Worklist
) -> StreamingResponse:
    """The same list as an Excel workbook: sheet "Danh sách hồ sơ", bold frozen header,
    dates as date cells (DD/MM/YYYY); at most 50,000 rows (413 beyond)."""
    return dossiers_file(engine, filters, now, "xlsx")


@router.get(
    "/reports/register.xlsx",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "form 07 as `so-theo-doi-ho-so-YYYYMMDD-YYYYMMDD.xlsx`",
            "content": XLSX,
        },
        **_errors("handlers, leaders, managers and administrators", TOO_LARGE),
    },
)
def register_xlsx(
    _: Reader,
    engine: EngineDep,
    now: NowDep,
    period_from: Annotated[
        date, Query(alias="from", description="First day (YYYY-MM-DD).", examples=["2026-11-01"])
    ],
    period_to: Annotated[
        date, Query(alias="to", description="Last day (YYYY-MM-DD).", examples=["2026-11-30"])
    ],
) -> StreamingResponse:
    """Form 07, the dossier register, as a workbook: each dossier received in the period
    (at most 366 days) with its code, applicant, procedure, receipt, appointment and result
    dates, status and timeliness."""
    check_period(**{"from": period_from, "to": period_to})
    return register_file(engine, period_from, period_to, now)


@router.get(
    "/reports/metrics.xlsx",
    response_class=StreamingResponse,
    responses={
        200: {"description": "the figures as `thong-ke-YYYYMMDD-YYYYMMDD.xlsx`", "content": XLSX},
        **_errors("managers and administrators", TOO_LARGE),
    },
)
def metrics_xlsx(_: Monitor, engine: EngineDep, now: NowDep, filters: Filters) -> StreamingResponse:
    """The monitoring figures with the `/metrics` filters, a sheet per table: Tổng hợp
    (summary), Theo thủ tục, Theo cơ quan tiếp nhận, Theo tháng, Theo cơ quan lấy ý kiến,
    Điểm nghẽn (bottlenecks), Có nguy cơ trễ hạn (at risk)."""
    return metrics_file(engine, filters, now)


DECREE58_422: dict[str, Any] = {
    "description": "an unknown format, a period that ends before it starts or is longer than "
    f"five years ({MAX_PERIOD_DAYS} days), or a province the agency registry does not know "
    "(the answer lists the known ones)",
    "content": {
        "application/json": {
            "example": {
                "error": "invalid_input",
                "detail": "unknown province 'Atlantis'; known: Bắc Ninh, ..., Quảng Trị, ...",
                "known_provinces": ["Bắc Ninh", "Quảng Trị"],
            }
        }
    },
}


@router.get(
    "/reports/decree58",
    response_class=Response,
    responses={
        200: {
            "description": "the report as a printable page (A4), a PDF shown inline, or "
            "`bao-cao-nd58-<province>-YYYYMMDD-YYYYMMDD.xlsx` (a sheet per table)",
            "content": {"text/html": {}, "application/pdf": {}, **XLSX},
        },
        403: {"description": "managers and administrators only"},
        422: DECREE58_422,
    },
)
def decree58(
    _: Monitor,
    engine: EngineDep,
    now: NowDep,
    province: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="The province, in any spelling the agency registry knows (accents and "
            "case do not matter).",
            examples=["Quảng Trị"],
        ),
    ],
    period_from: Annotated[
        date, Query(alias="from", description="First day (YYYY-MM-DD).", examples=["2026-01-01"])
    ],
    period_to: Annotated[
        date, Query(alias="to", description="Last day (YYYY-MM-DD).", examples=["2026-12-31"])
    ],
    fmt: Annotated[
        Literal["html", "pdf", "xlsx"],
        Query(
            alias="format",
            description="html: a printable page (A4); pdf: the document; xlsx: a workbook.",
            examples=["pdf"],
        ),
    ] = "html",
) -> Response:
    """The province's report on implementing Decree 58/2022/NĐ-CP over the period (local
    dates, at most five years), from the register and the dossiers: NGOs operating in the
    province at the end of the period by certificate type, certificate events, the province's
    opinions, aid decided (approved amounts per currency), annual and aid reports, overdue
    obligations, inspections and risk groups (docs/decree58-report.md defines each figure)."""
    check_period(**{"from": period_from, "to": period_to})
    report = decree58_report(engine, province, period_from, period_to)
    today = local_date(now)
    if fmt == "xlsx":
        name = decree58_document.build_document(report, today).filename[:-4] + ".xlsx"
        workbook = decree58_document.workbook(report, today)
        return download(xlsx_export.file_chunks(workbook), xlsx_export.MEDIA_TYPE, name)
    return document_response(decree58_document.document(report, fmt, today))
