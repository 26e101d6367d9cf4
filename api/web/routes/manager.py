"""Manager pages: the first home page with open, overdue and at-risk dossiers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.web.page import Page, check_csrf, page_for
from flows.service.queues import dashboard as overview

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

ManagerPage = Annotated[Page, page_for("manager", "admin")]


@router.get("/app/dashboard", response_class=HTMLResponse)
def dashboard(page: ManagerPage) -> HTMLResponse:
    """Open dossiers by status, the overdue and at-risk lists, agencies late to answer."""
    title = "Dashboard" if page.lang == "en" else "Theo dõi tình hình giải quyết"
    return page.render("app/dashboard.html", title=title, board=overview(page.engine, page.now))
