"""The exported tables: Vietnamese headers, the kind of each cell, and rows read page by page.

Three exports (API.md, Monitoring):
- the dossier list with the worklist's filters (`dossier_table`): the worklist's conditions and
  order (`flows.service.views`), read `PAGE_SIZE` dossiers at a time (only the exported
  columns), never all at once, and refused (TooLarge, 413) beyond `MAX_ROWS` rows;
- the register, form 07 (`register_table`): the rows of `flows.documents.service.register_rows`;
- the monitoring figures (`metrics_tables`): one table per `/metrics` table.
Cells are Python values (`date` for dates, `float` shares for percentages); the writers
(`csv_export`, `xlsx_export`) format them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Engine, and_, func, or_, select
from sqlmodel import col

from flows.calendar import WorkingCalendar, local_date
from flows.documents.forms import STATUS_VI, progress_of
from flows.documents.service import register_rows
from flows.engine.clock import working_days_left, working_days_used
from flows.engine.state import DossierState
from flows.errors import TooLarge
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import Status
from flows.service.calendar import load_calendar
from flows.service.metrics.agencies import by_agency
from flows.service.metrics.at_risk import at_risk
from flows.service.metrics.filters import MetricsFilters
from flows.service.metrics.stages import bottlenecks
from flows.service.metrics.summary import by_month, summary
from flows.service.registry import registry_of, sync_registry
from flows.service.views import WORKLIST_ORDER, worklist_conditions
from models.db import read_session
from models.dossier import Dossier
from models.metrics_schemas import Outcomes

MAX_ROWS = 50_000
"""The most rows one export holds; a larger one is refused (413) and must be filtered."""
PAGE_SIZE = 1_000
"""Dossiers read from the database at a time."""

Kind = Literal["text", "int", "date", "datetime", "month", "percent", "mixed"]
"""How a column's cells are written; `mixed`: each by its value (a date, a share, a count)."""


@dataclass(frozen=True)
class Column:
    """One column: its Vietnamese header, the kind of its cells and its width (characters)."""

    header: str
    kind: Kind = "text"
    width: int = 14


@dataclass
class Table:
    """A titled table whose rows may be read lazily, once."""

    title: str  # the sheet's name: at most 31 characters
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]

    @property
    def headers(self) -> list[str]:
        """The header row."""
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class WorklistFilters:
    """The worklist's filters (`GET /dossiers`)."""

    status: str | None = None
    procedure: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    at_risk: bool | None = None
    due_before: date | None = None
    q: str | None = None


def _local_day(instant: datetime | None) -> date | None:
    return local_date(instant) if instant is not None else None


DOSSIER_COLUMNS = (
    Column("Mã hồ sơ", width=26),
    Column("Tổ chức đề nghị", width=32),
    Column("Quốc gia", width=14),
    Column("Thủ tục", width=40),
    Column("Nội dung", width=40),
    Column("Trạng thái", width=22),
    Column("Người xử lý", width=20),
    Column("Ngày tiếp nhận", "date", 13),
    Column("Ngày tiếp nhận hợp lệ", "date", 13),
    Column("Ngày hẹn trả", "date", 13),
    Column("Ngày hoàn thành", "date", 13),
    Column("Số ngày làm việc đã dùng", "int", 12),
    Column("Số ngày làm việc còn lại", "int", 12),
    Column("Đúng hạn", width=24),
)


EXPORTED = (
    col(Dossier.code),
    col(Dossier.applicant_name),
    col(Dossier.applicant_country),
    col(Dossier.procedure),
    col(Dossier.procedure_version),
    col(Dossier.subject),
    col(Dossier.status),
    col(Dossier.assignee),
    col(Dossier.received_at),
    col(Dossier.accepted_at),
    col(Dossier.due_date),
    col(Dossier.legal_due_date),
    col(Dossier.completed_at),
    col(Dossier.timeliness),
    col(Dossier.suspended),
    col(Dossier.suspended_since),
    col(Dossier.suspended_working_days),
)
"""The dossier columns an export reads (never whole rows with their JSON fields)."""


def dossier_row(
    row: Any, registry: ProcedureRegistry, calendar: WorkingCalendar, now: datetime
) -> list[Any]:
    """One dossier (a row of EXPORTED) as a row of DOSSIER_COLUMNS, its clock as of `now`
    (the engine's own `working_days_used` and `working_days_left`)."""
    procedure = registry.get(row.procedure, row.procedure_version)
    clock = DossierState(
        id="",
        code=row.code,
        procedure=row.procedure,
        procedure_version=row.procedure_version,
        status=Status(row.status),
        received_at=row.received_at,
        accepted_at=row.accepted_at,
        due_date=row.due_date,
        legal_due_date=row.legal_due_date,
        suspended=row.suspended,
        suspended_since=row.suspended_since,
        suspended_working_days=row.suspended_working_days,
        completed_at=row.completed_at,
    )
    return [
        row.code,
        row.applicant_name,
        row.applicant_country,
        procedure.title_vi if procedure is not None else row.procedure,
        row.subject,
        STATUS_VI.get(row.status, row.status),
        row.assignee or "",
        _local_day(row.received_at),
        _local_day(row.accepted_at),
        row.due_date,
        _local_day(row.completed_at),
        working_days_used(clock, calendar, now),
        working_days_left(clock, calendar, now),
        progress_of(row.status, row.due_date, row.completed_at, row.timeliness, local_date(now)),
    ]


def after(last: Any) -> Any:
    """The dossiers after `last` in the worklist's order (legal due date, nulls last; receipt
    instant; code, which is unique): the next page starts there (keyset pagination)."""
    later = or_(
        col(Dossier.received_at) > last.received_at,
        and_(col(Dossier.received_at) == last.received_at, col(Dossier.code) > last.code),
    )
    due = col(Dossier.legal_due_date)
    if last.legal_due_date is None:
        return and_(due.is_(None), later)
    return or_(
        due > last.legal_due_date,
        due.is_(None),
        and_(due == last.legal_due_date, later),
    )


def too_large(count: int, what: str, limit: int) -> TooLarge:
    """The 413 of an export past the limit, saying how to narrow it."""
    return TooLarge(
        f"{what}: {count} rows, more than the {limit} one export may hold; "
        "narrow the filters (status, procedure, assignee, due_before, q) and export in parts"
    )


def dossier_table(
    engine: Engine,
    filters: WorklistFilters,
    now: datetime,
    *,
    page_size: int | None = None,
    max_rows: int | None = None,
    registry: ProcedureRegistry = REGISTRY,
) -> Table:
    """The worklist's dossiers in its order, read `page_size` (default PAGE_SIZE) at a time.

    The count is checked now (TooLarge beyond `max_rows`, default MAX_ROWS); each page is
    read as the rows before it are consumed, in its own short session, starting after the
    last row of the previous page.
    """
    limit = MAX_ROWS if max_rows is None else max_rows
    size = PAGE_SIZE if page_size is None else page_size
    with read_session(engine) as session:
        if registry is REGISTRY:
            registry = sync_registry(session)
        calendar = load_calendar(session)
        conditions = worklist_conditions(
            registry,
            calendar,
            now,
            status=filters.status,
            procedure=filters.procedure,
            assignee=filters.assignee,
            overdue=filters.overdue,
            at_risk=filters.at_risk,
            due_before=filters.due_before,
            q=filters.q,
        )
        count = select(func.count()).select_from(Dossier).where(*conditions)
        total = int(session.connection().execute(count).scalar_one())
    if total > limit:
        raise too_large(total, "the dossier list", limit)

    def page(last: Any) -> list[Any]:
        where = [*conditions, after(last)] if last is not None else conditions
        with read_session(engine) as session:
            query = select(*EXPORTED).where(*where).order_by(*WORKLIST_ORDER).limit(size)
            return list(session.connection().execute(query).all())

    def rows() -> Iterator[list[Any]]:
        written, last = 0, None
        while written < limit:
            found = page(last)
            for row in found[: limit - written]:
                yield dossier_row(row, registry, calendar, now)
            written += len(found)
            if len(found) < size:
                return
            last = found[-1]

    return Table("Danh sách hồ sơ", DOSSIER_COLUMNS, rows())


REGISTER_COLUMNS = (
    Column("STT", "int", 6),
    Column("Mã hồ sơ", width=26),
    Column("Tổ chức đề nghị", width=32),
    Column("Thủ tục hành chính", width=40),
    Column("Ngày, giờ tiếp nhận", "datetime", 17),
    Column("Ngày hẹn trả kết quả", "date", 13),
    Column("Ngày trả kết quả", "date", 13),
    Column("Kết quả, trạng thái", width=24),
    Column("Tiến độ (trước hạn / đúng hạn / quá hạn)", width=26),
)


def register_table(
    engine: Engine, period_from: date, period_to: date, now: datetime, max_rows: int | None = None
) -> Table:
    """Form 07 of the period as a table (InvalidInput for a bad period, TooLarge past the cap)."""
    limit = MAX_ROWS if max_rows is None else max_rows
    rows, _ = register_rows(engine, period_from, period_to, now)
    if len(rows) > limit:
        raise too_large(len(rows), "the register", limit)
    return Table(
        "Sổ theo dõi hồ sơ",
        REGISTER_COLUMNS,
        (
            [
                row.index,
                row.code,
                row.applicant,
                row.procedure_title,
                row.received_at.replace(tzinfo=None),  # already local (Hà Nội) time
                row.appointment,
                _local_day(row.result_at),
                row.status,
                row.progress,
            ]
            for row in rows
        ),
    )


OUTCOME_COLUMNS: tuple[tuple[str, Column], ...] = (
    ("received", Column("Tiếp nhận", "int", 11)),
    ("completed", Column("Đã giải quyết", "int", 11)),
    ("completed_early", Column("Trước hạn", "int", 11)),
    ("completed_on_time", Column("Đúng hạn", "int", 11)),
    ("completed_late", Column("Quá hạn", "int", 11)),
    ("withdrawn", Column("Rút hồ sơ", "int", 11)),
    ("rejected_at_intake", Column("Từ chối tiếp nhận", "int", 11)),
    ("pending", Column("Đang giải quyết", "int", 11)),
    ("pending_in_time", Column("Đang giải quyết trong hạn", "int", 12)),
    ("pending_overdue", Column("Đang giải quyết quá hạn", "int", 12)),
    ("on_time_rate", Column("Tỷ lệ đúng hạn", "percent", 11)),
    ("median_working_days", Column("Trung vị ngày làm việc", "int", 12)),
    ("p90_working_days", Column("Phân vị 90 ngày làm việc", "int", 12)),
)
"""The summary's figures (`Outcomes`) in order, with their Vietnamese names."""
SUMMARY_LABELS: dict[str, str] = {key: column.header for key, column in OUTCOME_COLUMNS}
MONTH_FIELDS = [k for k, _ in OUTCOME_COLUMNS if not k.startswith("pending")]


def _outcome_cells(figures: Outcomes, keys: Sequence[str] | None = None) -> list[Any]:
    chosen = keys if keys is not None else [k for k, _ in OUTCOME_COLUMNS]
    return [getattr(figures, key) for key in chosen]


def _columns(keys: Sequence[str]) -> list[Column]:
    found = dict(OUTCOME_COLUMNS)
    return [found[key] for key in keys]


def summary_table(figures: Outcomes, filters: MetricsFilters, first: date, last: date) -> Table:
    """The summary as two columns: what is counted, and the figure."""
    rows: list[list[Any]] = [
        ["Từ ngày", first],
        ["Đến ngày", last],
        ["Thủ tục", filters.procedure or "Tất cả"],
        ["Cơ quan tiếp nhận", filters.receiving_agency or "Tất cả"],
    ]
    rows += [[column.header, getattr(figures, key)] for key, column in OUTCOME_COLUMNS]
    return Table("Tổng hợp", (Column("Chỉ tiêu", width=30), Column("Giá trị", "mixed", 14)), rows)


def _at_risk_rows(
    engine: Engine, filters: MetricsFilters, now: datetime, limit: int
) -> Iterator[list[Any]]:
    titles = {p.code: p.title_vi for p in registry_of(engine).latest()}
    offset = 0
    while True:
        found = at_risk(engine, filters, now, limit=PAGE_SIZE, offset=offset)
        if offset == 0 and found.total > limit:
            raise too_large(found.total, "the at-risk list", limit)
        for item in found.items:
            yield [
                item.code,
                titles.get(item.procedure, item.procedure),
                STATUS_VI.get(item.status, item.status),
                item.due_date,
                item.working_days_left,
                "; ".join(reason.vi for reason in item.reasons),
            ]
        offset += PAGE_SIZE
        if len(found.items) < PAGE_SIZE or offset >= limit:
            return


def metrics_tables(
    engine: Engine, filters: MetricsFilters, now: datetime, max_rows: int | None = None
) -> list[Table]:
    """A table per `/metrics` table: summary, by procedure, by receiving agency, by month, by
    consulted agency, bottlenecks and the dossiers at risk."""
    limit = MAX_ROWS if max_rows is None else max_rows
    period = filters.period(now)
    figures = summary(engine, filters, now)
    months = by_month(engine, filters, now)
    agencies = by_agency(engine, filters, now)
    steps = bottlenecks(engine, filters, now)
    keys = [k for k, _ in OUTCOME_COLUMNS]
    risky = list(_at_risk_rows(engine, filters, now, limit))
    return [
        summary_table(figures, filters, period.first, period.last),
        Table(
            "Theo thủ tục",
            [Column("Thủ tục", width=40), Column("Mã thủ tục", width=24), *_columns(keys)],
            [[p.title_vi, p.procedure, *_outcome_cells(p)] for p in figures.by_procedure],
        ),
        Table(
            "Theo cơ quan tiếp nhận",
            [Column("Cơ quan tiếp nhận", width=36), Column("Mã cơ quan", width=14)]
            + _columns(keys),
            [
                [r.name_vi, r.receiving_agency, *_outcome_cells(r)]
                for r in figures.by_receiving_agency
            ],
        ),
        Table(
            "Theo tháng",
            [Column("Tháng", "month", 10), *_columns(MONTH_FIELDS)],
            [
                [date.fromisoformat(f"{m.month}-01"), *[getattr(m, k) for k in MONTH_FIELDS]]
                for m in months.items
            ],
        ),
        Table(
            "Theo cơ quan lấy ý kiến",
            [
                Column("Cơ quan", width=36),
                Column("Mã cơ quan", width=12),
                Column("Số đề nghị", "int", 11),
                Column("Trả lời đúng hạn", "int", 11),
                Column("Trả lời quá hạn", "int", 11),
                Column("Coi như đồng ý", "int", 11),
                Column("Chưa trả lời", "int", 11),
                Column("Đã hủy", "int", 9),
                Column("Trung vị ngày trả lời", "int", 12),
                Column("Phân vị 90 ngày trả lời", "int", 12),
                Column("Tỷ lệ trả lời đúng hạn", "percent", 12),
                Column("Số đề nghị đã kết thúc (mọi thời kỳ)", "int", 14),
                Column("Tỷ lệ trả lời muộn (mọi thời kỳ)", "percent", 14),
            ],
            [
                [
                    a.name_vi,
                    a.agency,
                    a.requests,
                    a.answered_on_time,
                    a.answered_late,
                    a.deemed_consent,
                    a.pending,
                    a.cancelled,
                    a.median_response_working_days,
                    a.p90_response_working_days,
                    a.on_time_rate,
                    a.history_requests,
                    a.history_late_share,
                ]
                for a in agencies.items
            ],
        ),
        Table(
            "Điểm nghẽn",
            [
                Column("Bước", width=40),
                Column("Cơ quan", width=12),
                Column("Số lượt", "int", 10),
                Column("Trung vị ngày làm việc", "int", 12),
                Column("Phân vị 90 ngày làm việc", "int", 12),
                Column("Tối đa ngày làm việc", "int", 12),
            ],
            [
                [
                    s.title_vi,
                    s.agency or "",
                    s.count,
                    s.median_working_days,
                    s.p90_working_days,
                    s.max_working_days,
                ]
                for s in [*steps.items, *steps.consultation_by_agency]
            ],
        ),
        Table(
            "Có nguy cơ trễ hạn",
            [
                Column("Mã hồ sơ", width=26),
                Column("Thủ tục", width=40),
                Column("Trạng thái", width=22),
                Column("Ngày hẹn trả", "date", 13),
                Column("Số ngày làm việc còn lại", "int", 12),
                Column("Lý do", width=70),
            ],
            risky,
        ),
    ]
