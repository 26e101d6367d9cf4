"""Consultations: agencies list and answer their own requests; others only read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from api.deps import Caller, EngineDep, NowDep, require
from api.routes.dossiers import attachment
from flows.engine.commands import Respond
from flows.procedures.schema import Opinion
from flows.service.consultations import get_consultation, list_consultations
from flows.service.handle import respond
from flows.service.queues import request_document, request_documents
from models.schemas import ConsultationPublic, DocumentPublic, Strict

router = APIRouter(tags=["consultations"])

Reader = Annotated[Caller, Depends(require("agency", "handler", "leader", "manager"))]
AgencyUser = Annotated[Caller, Depends(require("agency"))]


class ResponseBody(Strict):
    """An agency's written opinion."""

    opinion: Opinion = Field(examples=["agree"])
    comments: str = Field(
        default="", max_length=10000, examples=["No objection from the security point of view."]
    )


@router.get("/consultations", response_model=list[ConsultationPublic])
def list_(
    caller: Reader,
    engine: EngineDep,
    status: Annotated[
        Literal["open", "requested", "answered", "overdue", "deemed_consent", "cancelled"] | None,
        Query(),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
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
    )
    return respond(engine, consultation_id, command, now=now)
