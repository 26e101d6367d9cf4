"""The admin page that imports historical dossiers (CSV or XLSX), with a dry run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from api.uploads import ImportFiles
from api.web.page import Page, check_csrf, page_for
from flows.service.imports import ImportRejected, Source, import_dossiers
from flows.service.imports.records import CONSULTATION_COLUMNS, DOSSIER_COLUMNS
from flows.service.uploads import clean_name

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
Admin = Annotated[Page, page_for("admin")]


def _page(page: Page, status_code: int = 200, **context: object) -> Response:
    title = "Import · Administration" if page.lang == "en" else "Nhập hồ sơ cũ · Quản trị"
    values: dict[str, object] = {
        "report": None,
        "errors": [],
        "message": "",
        "dry_run": True,
        **context,
    }
    return page.render(
        "app/admin/import.html",
        status_code=status_code,
        title=title,
        dossier_columns=DOSSIER_COLUMNS,
        consultation_columns=CONSULTATION_COLUMNS,
        **values,
    )


@router.get("/app/admin/import", response_class=HTMLResponse)
def import_form(page: Admin) -> Response:
    """The upload form: the dossiers file, an optional consultations file, dry run."""
    return _page(page)


@router.post("/app/admin/import", response_class=HTMLResponse)
def import_upload(
    page: Admin,
    dossiers: Annotated[UploadFile | None, File()] = None,
    consultations: Annotated[UploadFile | None, File()] = None,
    dry_run: Annotated[str, Form(max_length=10)] = "",
    _one: ImportFiles = None,
) -> Response:
    """Check (dry run) or import the files; show the report or every problem."""
    checking = dry_run.lower() in ("1", "on", "true", "yes")
    if dossiers is None or not dossiers.filename:
        message = "Choose the dossiers file." if page.lang == "en" else "Chọn tệp hồ sơ."
        return _page(page, 422, message=message, dry_run=checking)
    requests = (
        Source(clean_name(consultations.filename), consultations.file)
        if consultations is not None and consultations.filename
        else None
    )
    try:
        report = import_dossiers(
            page.engine,
            Source(clean_name(dossiers.filename), dossiers.file),
            requests,
            actor=page.actor,
            now=page.now,
            dry_run=checking,
            receiving_agency=page.request.app.state.receiving_agency,
        )
    except ImportRejected as exc:
        return _page(page, 422, errors=exc.problems, message=exc.detail, dry_run=checking)
    return _page(page, report=report, dry_run=checking)
