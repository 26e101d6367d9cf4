"""Import of historical dossiers (administrators): CSV or XLSX, all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile

from api.deps import Caller, EngineDep, NowDep, require
from api.openapi_errors import ImportErrorBody, ValidationErrorBody
from api.uploads import ImportFiles
from flows.service.imports import Source, import_dossiers
from flows.service.uploads import clean_name
from models.import_schemas import ImportReport

router = APIRouter(tags=["imports"])
Admin = Annotated[Caller, Depends(require("admin"))]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "administrators only"},
    422: {
        "description": "nothing was imported: each bad cell, row or header with its file, "
        "line, column and reason",
        "model": ValidationErrorBody | ImportErrorBody,
        "content": {
            "application/json": {
                "example": {
                    "error": "invalid_import",
                    "detail": "nothing was imported: 1 problems",
                    "errors": [
                        {
                            "file": "dossiers.csv",
                            "line": 7,
                            "column": "accepted_at",
                            "reason": "before received_at (2025-03-04)",
                        }
                    ],
                }
            }
        },
    },
}


@router.post("/imports/dossiers", response_model=ImportReport, responses=ERRORS)
def import_historical_dossiers(
    request: Request,
    caller: Admin,
    engine: EngineDep,
    now: NowDep,
    dossiers: Annotated[
        UploadFile,
        File(
            description="CSV (UTF-8, header row) or XLSX: code, procedure, applicant_name, "
            "applicant_country, applicant_email, subject, received_at, accepted_at, outcome, "
            "decided_at, stopped_working_days, extended."
        ),
    ],
    consultations: Annotated[
        UploadFile | None,
        File(
            description="CSV or XLSX: dossier_code, agency, requested_at, due_date, "
            "answered_at, opinion."
        ),
    ] = None,
    dry_run: Annotated[
        bool, Query(description="Check and count only; nothing is written.")
    ] = False,
    _one: ImportFiles = None,
) -> ImportReport:
    """Import paper dossiers with their real dates, outcomes and consultations, so the figures
    show history from day one. Dates are `YYYY-MM-DD` or ISO-8601 instants (Hà Nội time when
    without an offset). Any bad row rejects the whole import (422, nothing written)."""
    return import_dossiers(
        engine,
        # The name is shown in the errors and kept in the history: never as the client sent it.
        Source(clean_name(dossiers.filename or "dossiers"), dossiers.file),
        Source(clean_name(consultations.filename or "consultations"), consultations.file)
        if consultations is not None
        else None,
        actor=caller.actor,
        now=now,
        dry_run=dry_run,
        receiving_agency=request.app.state.receiving_agency,
    )
