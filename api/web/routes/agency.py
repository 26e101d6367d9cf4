"""Agency pages: the agency's requests, one request with its documents, and the reply form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.background import after_commit
from api.routes.dossiers import attachment
from api.uploads import OneFile
from api.web.page import Page, check_csrf, page_for
from api.web.routes.written import letter_date, uploaded
from flows.engine.commands import Respond
from flows.engine.letters import MAX_LETTER_NUMBER
from flows.procedures.schema import Opinion
from flows.service.queues import agency_inbox, agency_request, request_document
from flows.service.written import answer_in_writing

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
    request: Request,
    page: AgencyPage,
    background: BackgroundTasks,
    opinion: Annotated[Opinion, Form()],
    comments: Annotated[str, Form(max_length=10000)] = "",
    letter_number: Annotated[str, Form(max_length=MAX_LETTER_NUMBER)] = "",
    letter_date_text: Annotated[str, Form(alias="letter_date", max_length=20)] = "",
    file: Annotated[UploadFile | None, File()] = None,
    _one: OneFile = None,
) -> RedirectResponse:
    """Record the agency's opinion once, with its letter if given; a second is a 409 page."""
    command = Respond(
        actor=page.actor,
        consultation_id=consultation_id,
        opinion=opinion,
        comments=comments.strip(),
        letter_number=letter_number.strip() or None,
        letter_date=letter_date(page, letter_date_text),
    )
    upload = uploaded(request, page, file)
    answer_in_writing(page.engine, command, upload=upload, now=page.now)
    background.add_task(after_commit(page.request))
    return page.redirect(f"/app/consultations/{consultation_id}?done=true")


@router.get("/app/consultations/{consultation_id}/documents/{document_id}")
def document(consultation_id: str, document_id: str, page: AgencyPage) -> Response:
    """A document of the request's dossier, for the agency the request was sent to only."""
    return attachment(*request_document(page.engine, page.actor, consultation_id, document_id))
