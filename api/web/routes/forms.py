"""The dossier page's forms: the same documents as the API, for a signed-in browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response

from api.routes.forms import FormatQuery, document_response
from api.web.page import Page, page_for
from flows.documents import service

router = APIRouter(include_in_schema=False)

Reader = Annotated[Page, page_for("handler", "leader", "manager")]


@router.get("/app/dossiers/{dossier_id}/forms/{number}")
def form(dossier_id: str, number: str, page: Reader, fmt: FormatQuery = "html") -> Response:
    """Form 01–06 of the dossier, printable or as PDF."""
    return document_response(service.dossier_form(page.engine, dossier_id, number, fmt, page.now))


@router.get("/app/dossiers/{dossier_id}/decision")
def decision(dossier_id: str, page: Reader, fmt: FormatQuery = "html") -> Response:
    """The signed decision or certificate, printable or as PDF."""
    return document_response(service.dossier_decision(page.engine, dossier_id, fmt, page.now))
