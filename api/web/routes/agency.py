"""Agency pages: the agency's requests, one request with its documents, and the reply form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.background import trigger_sweep_after_commit
from api.routes.dossiers import attachment
from api.web.page import Page, check_csrf, page_for
from flows.engine.commands import Respond
from flows.procedures.schema import Opinion
from flows.service.handle import respond
from flows.service.queues import agency_inbox, agency_request, request_document

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

AgencyPage = Annotated[Page, page_for("agency")]


@router.get("/app/consultations", response_class=HTMLResponse)
def consultations(page: AgencyPage) -> HTMLResponse:
    """The agency's open requests (soonest due first) and the answered or closed ones."""
    title = "Requests for your opinion" if page.lang == "en" else "Đề nghị lấy ý kiến"
    return page.render(
        "app/consultations.html", title=title, inbox=agency_inbox(page.engine, page.actor, page.now)
    )


@router.get("/app/consultations/{consultation_id}", response_class=HTMLResponse)
def consultation(
    consultation_id: str, page: AgencyPage, done: Annotated[bool, Query()] = False
) -> HTMLResponse:
    """One request with the dossier's documents and, while it is open, the opinion form."""
    found = agency_request(page.engine, page.actor, consultation_id, page.now)
    return page.render(
        "app/consultation.html", title=found.consultation.dossier_code, item=found, done=done
    )


@router.post("/app/consultations/{consultation_id}")
def answer(
    consultation_id: str,
    page: AgencyPage,
    background: BackgroundTasks,
    opinion: Annotated[Opinion, Form()],
    comments: Annotated[str, Form(max_length=10000)] = "",
) -> RedirectResponse:
    """Record the agency's opinion once; a second answer is a 409 page."""
    respond(
        page.engine,
        consultation_id,
        Respond(
            actor=page.actor,
            consultation_id=consultation_id,
            opinion=opinion,
            comments=comments.strip(),
        ),
        now=page.now,
    )
    background.add_task(trigger_sweep_after_commit, page.engine)
    return page.redirect(f"/app/consultations/{consultation_id}?done=true")


@router.get("/app/consultations/{consultation_id}/documents/{document_id}")
def document(consultation_id: str, document_id: str, page: AgencyPage) -> Response:
    """A document of the request's dossier, for the agency the request was sent to only."""
    return attachment(*request_document(page.engine, page.actor, consultation_id, document_id))
