"""Consultations: agencies list and answer their own requests; others only read."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import Field

from api.deps import Caller, EngineDep, NowDep, require
from api.paging import Offset
from api.routes.dossiers import attachment
from api.uploads import OneFile
from flows.engine.commands import Respond
from flows.engine.letters import MAX_LETTER_NUMBER
from flows.errors import TooLarge
from flows.procedures.schema import Opinion
from flows.service.consultations import get_consultation, list_consultations
from flows.service.handle import respond
from flows.service.queues import request_document, request_documents
from flows.service.written import PaperAnswer, Upload, record_answer, upload_letter
from models.schemas import ConsultationPublic, DocumentPublic, Strict

router = APIRouter(tags=["consultations"])

Reader = Annotated[Caller, Depends(require("agency", "handler", "leader", "manager"))]
AgencyUser = Annotated[Caller, Depends(require("agency"))]
HandlerUser = Annotated[Caller, Depends(require("handler"))]
Uploader = Annotated[Caller, Depends(require("agency", "handler"))]


class ResponseBody(Strict):
    """An agency's written opinion, optionally with its official reply letter."""

    opinion: Opinion = Field(examples=["agree"])
    comments: str = Field(
        default="", max_length=10000, examples=["No objection from the security point of view."]
    )
    letter_number: str | None = Field(
        default=None, max_length=MAX_LETTER_NUMBER, examples=["123/BCA-A03"]
    )
    letter_date: date | None = Field(
        default=None, description="Not in the future, not before the request."
    )
    letter_document_id: str | None = Field(
        default=None,
        max_length=36,
        description="The signed letter, uploaded first to /consultations/{id}/documents.",
    )


class PaperAnswerBody(ResponseBody):
    """An answer the agency sent on paper, recorded by a handler: the letter is required."""

    letter_number: str = Field(min_length=1, max_length=MAX_LETTER_NUMBER, examples=["123/BCA-A03"])
    letter_date: date = Field(description="Not in the future, not before the request.")


@router.get("/consultations", response_model=list[ConsultationPublic])
def list_(
    caller: Reader,
    engine: EngineDep,
    status: Annotated[
        Literal["open", "requested", "answered", "overdue", "deemed_consent", "cancelled"] | None,
        Query(),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[ConsultationPublic]:
    """An agency's own requests (all requests for handlers, leaders, managers)."""
    return list_consultations(engine, caller.actor, status, limit, offset)


@router.get(
    "/consultations/{consultation_id}",
    response_model=ConsultationPublic,
    responses={404: {"description": "no such request for the caller"}},
)
def get(consultation_id: str, caller: Reader, engine: EngineDep) -> ConsultationPublic:
    """One request; another agency's is 404."""
    return get_consultation(engine, caller.actor, consultation_id)


@router.get(
    "/consultations/{consultation_id}/documents",
    response_model=list[DocumentPublic],
    responses={404: {"description": "no such request for the caller"}},
)
def documents(consultation_id: str, caller: Reader, engine: EngineDep) -> list[DocumentPublic]:
    """The documents of the request's dossier; another agency's request is 404."""
    return request_documents(engine, caller.actor, consultation_id)


@router.get(
    "/consultations/{consultation_id}/documents/{document_id}/content",
    response_class=Response,
    responses={
        200: {
            "description": "the uploaded file, as an attachment",
            "content": {"application/octet-stream": {}},
        },
        404: {"description": "no such request for the caller, or no such document"},
    },
)
def document_content(
    consultation_id: str, document_id: str, caller: Reader, engine: EngineDep
) -> Response:
    """One document of the request's dossier; another agency's request is 404."""
    return attachment(*request_document(engine, caller.actor, consultation_id, document_id))


@router.post(
    "/consultations/{consultation_id}/response",
    response_model=ConsultationPublic,
    responses={
        404: {"description": "no such request for your agency"},
        409: {"description": "already answered"},
    },
)
def answer(
    consultation_id: str, body: ResponseBody, caller: AgencyUser, engine: EngineDep, now: NowDep
) -> ConsultationPublic:
    """Record the agency's opinion; a second answer is 409."""
    command = Respond(
        actor=caller.actor,
        consultation_id=consultation_id,
        opinion=body.opinion,
        comments=body.comments,
        letter_number=body.letter_number or None,
        letter_date=body.letter_date,
        letter_document_id=body.letter_document_id or None,
    )
    return respond(engine, consultation_id, command, now=now)


@router.post(
    "/consultations/{consultation_id}/documents",
    status_code=201,
    response_model=DocumentPublic,
    responses={
        404: {"description": "no such request for the caller"},
        409: {"description": "the request is no longer open"},
        413: {"description": "too large"},
    },
)
def upload(
    consultation_id: str,
    request: Request,
    caller: Uploader,
    engine: EngineDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
    _one: OneFile = None,
) -> DocumentPublic:
    """Attach the signed reply letter (multipart field `file`) to an open request."""
    limit: int = request.app.state.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"the file is larger than {limit} bytes")
    upload = Upload(file.filename or "", file.content_type or "", content)
    return upload_letter(engine, caller.actor, consultation_id, upload, now=now)


@router.post(
    "/consultations/{consultation_id}/record-answer",
    response_model=ConsultationPublic,
    responses={
        403: {"description": "not a handler"},
        404: {"description": "no such request"},
        409: {"description": "already answered or closed"},
    },
)
def record(
    consultation_id: str, body: PaperAnswerBody, caller: HandlerUser, engine: EngineDep, now: NowDep
) -> ConsultationPublic:
    """Record an answer the agency sent on paper, on its behalf; a second answer is 409."""
    answer = PaperAnswer(
        opinion=body.opinion,
        comments=body.comments,
        letter_number=body.letter_number,
        letter_date=body.letter_date,
        letter_document_id=body.letter_document_id or None,
    )
    return record_answer(engine, caller.actor, consultation_id, answer, now=now)
