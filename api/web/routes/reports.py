"""The exports for a signed-in browser: the same files as `/reports/...`, from the pages'
links (the worklist's "Tải Excel / CSV", the dashboard's downloads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.routes.reports import dossiers_file, metrics_file, register_file
from api.web.page import Page, page_for
from api.web.routes.manager import FormDep, page_filters, parse_day
from flows.errors import InvalidInput
from flows.reports.tables import WorklistFilters

router = APIRouter(include_in_schema=False)

Reader = Annotated[Page, page_for("handler", "leader", "manager", "admin")]
Monitor = Annotated[Page, page_for("manager", "admin")]


def worklist_form(
    status: Annotated[str, Query(max_length=40)] = "",
    procedure: Annotated[str, Query(max_length=80)] = "",
    assignee: Annotated[str, Query(max_length=120)] = "",
    overdue: bool | None = None,
    at_risk: bool | None = None,
    due_before: Annotated[str, Query(max_length=10)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> WorklistFilters:
    """The worklist page's filters, as its GET form sends them (blank fields too)."""
    return WorklistFilters(
        status=status or None,
        procedure=procedure or None,
        assignee=assignee or None,
        overdue=overdue or None,
        at_risk=at_risk or None,
        due_before=parse_day(due_before, "due_before"),
        q=q.strip() or None,
    )


Worklist = Annotated[WorklistFilters, Depends(worklist_form)]


@router.get("/app/reports/dossiers.csv")
def dossiers_csv(page: Reader, filters: Worklist) -> StreamingResponse:
    """The worklist's dossiers with its filters, as CSV."""
    return dossiers_file(page.engine, filters, page.now, "csv")


@router.get("/app/reports/dossiers.xlsx")
def dossiers_xlsx(page: Reader, filters: Worklist) -> StreamingResponse:
    """The worklist's dossiers with its filters, as XLSX."""
    return dossiers_file(page.engine, filters, page.now, "xlsx")


@router.get("/app/reports/register.xlsx")
def register(
    page: Reader,
    period_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    period_to: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> StreamingResponse:
    """Form 07 of the period as XLSX."""
    first, last = parse_day(period_from, "from"), parse_day(period_to, "to")
    if first is None or last is None:
        raise InvalidInput("choose the register's first and last days (from, to)")
    return register_file(page.engine, first, last, page.now)


@router.get("/app/reports/metrics.xlsx")
def metrics(page: Monitor, form: FormDep) -> StreamingResponse:
    """The dashboard's figures with its filters, as XLSX."""
    return metrics_file(page.engine, page_filters(page, form), page.now)
