"""The one-stop forms (Circular 03/2025/TT-VPCP, Appendix I) as printable HTML or PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import Caller, EngineDep, NowDep, require
from api.routes.metrics import check_period
from flows.documents import service
from flows.documents.service import Rendered

router = APIRouter(tags=["forms"])

Reader = Annotated[Caller, Depends(require("handler", "leader", "manager", "admin"))]
FormatQuery = Annotated[
    Literal["html", "pdf"],
    Query(alias="format", description="html: a printable page (A4); pdf: the document."),
]
# The printable page loads nothing but its own fonts and styles.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src 'self'"

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the form, as a printable page or a PDF shown inline",
        "content": {"text/html": {}, "application/pdf": {}},
    },
    404: {"description": "no such dossier, or the form does not apply to it yet"},
}


def document_response(document: Rendered) -> Response:
    """A printed form: PDFs inline under their file name, pages under a strict policy."""
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if document.media_type == "application/pdf":
        headers["Content-Disposition"] = f'inline; filename="{document.filename}"'
    else:
        headers["Content-Security-Policy"] = PAGE_POLICY
    return Response(document.content, media_type=document.media_type, headers=headers)


@router.get("/dossiers/{dossier_id}/forms/{number}", response_class=Response, responses=RESPONSES)
def dossier_form(
    dossier_id: str,
    number: str,
    caller: Reader,
    engine: EngineDep,
    now: NowDep,
    fmt: FormatQuery = "html",
) -> Response:
    """Form 01–06 of the dossier: 01 receipt and appointment slip (after acceptance), 02
    request to supplement, 03 refusal to receive, 04 apology and extension, 05 notice of
    stopping (after withdrawal), 06 processing control slip (always); 404 until it applies."""
    return document_response(service.dossier_form(engine, dossier_id, number, fmt, now))


@router.get("/dossiers/{dossier_id}/decision", response_class=Response, responses=RESPONSES)
def decision(
    dossier_id: str, caller: Reader, engine: EngineDep, now: NowDep, fmt: FormatQuery = "html"
) -> Response:
    """The signed decision: the certificate, or the refusal with its reasons, or the
    forwarding notice; 404 before signature."""
    return document_response(service.dossier_decision(engine, dossier_id, fmt, now))


@router.get(
    "/reports/register",
    response_class=Response,
    responses={**RESPONSES, 422: {"description": "invalid period"}},
)
def register(
    request: Request,
    caller: Reader,
    engine: EngineDep,
    now: NowDep,
    period_from: Annotated[date, Query(alias="from", description="First day (YYYY-MM-DD).")],
    period_to: Annotated[date, Query(alias="to", description="Last day (YYYY-MM-DD).")],
    fmt: FormatQuery = "html",
) -> Response:
    """Form 07, the dossier register: each dossier received in the period with its code,
    applicant, procedure, receipt, appointment and result dates, status and timeliness."""
    agency: str = request.app.state.receiving_agency
    check_period(**{"from": period_from, "to": period_to})
    return document_response(service.register(engine, period_from, period_to, fmt, now, agency))
