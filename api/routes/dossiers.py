"""Dossiers: create, list, get, act, history, documents (handlers, leaders, managers)."""

# No `from __future__ import annotations`: action routes are built in a loop and FastAPI must
# see each body model as a real type.

from datetime import date
from typing import Annotated, Any, Optional
from urllib.parse import quote

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Depends,
    Header,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.params import File

from api.actions import ACTIONS, ActionBody, Empty
from api.background import after_commit
from api.deps import Caller, EngineDep, NowDep, parse_if_match, require
from api.paging import Offset
from api.uploads import OneFile
from flows.errors import TooLarge
from flows.service import documents, views
from flows.service.handle import handle
from flows.service.idempotency import IdempotencyKey
from flows.service.intake import create_dossier
from models.schemas import DocumentPublic, DossierCreate, DossierPage, DossierPublic, HistoryItem

router = APIRouter(tags=["dossiers"])

Reader = Annotated[Caller, Depends(require("handler", "leader", "manager"))]
Actor = Annotated[Caller, Depends(require("handler", "leader"))]
IdemHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
IfMatch = Annotated[str | None, Header(alias="If-Match")]

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such dossier"},
    409: {"description": "not allowed in the current state; names the allowed actions"},
    412: {"description": "If-Match version is not the current one"},
}


def attachment(doc: DocumentPublic, content: bytes) -> Response:
    """A stored file as a download: never shown inline, its type never sniffed."""
    fallback = (
        "".join(
            ch if ch.isascii() and ch.isprintable() and ch not in '"\\%;' else "_"
            for ch in doc.name
        )
        or "document"
    )
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(doc.name, safe='')}"
    )
    return Response(
        content,
        media_type=doc.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "no-store",
        },
    )


def _etag(response: Response, dossier: DossierPublic) -> DossierPublic:
    response.headers["ETag"] = f'"{dossier.version}"'
    return dossier


@router.post("/dossiers", status_code=201, response_model=DossierPublic, responses=ERRORS)
def create(
    payload: DossierCreate,
    request: Request,
    response: Response,
    caller: Actor,
    engine: EngineDep,
    now: NowDep,
    idempotency_key: IdemHeader = None,
) -> DossierPublic:
    """Receive a new dossier (status `received`) with its code."""
    idem = (
        IdempotencyKey.of(
            f"{caller.scope}:POST:/dossiers", idempotency_key, payload.model_dump(mode="json")
        )
        if idempotency_key
        else None
    )
    dossier, created = create_dossier(
        engine,
        payload,
        caller.actor,
        now=now,
        idempotency=idem,
        receiving_agency=request.app.state.receiving_agency,
    )
    if not created:
        response.status_code = 201
    response.headers["Location"] = f"/dossiers/{dossier.id}"
    return _etag(response, dossier)


@router.get("/dossiers", response_model=DossierPage, responses=ERRORS)
def list_(
    caller: Reader,
    engine: EngineDep,
    now: NowDep,
    status: str | None = None,
    procedure: str | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    at_risk: Annotated[
        bool | None,
        Query(
            description=("true: not yet late, at most the procedure's at-risk working days left")
        ),
    ] = None,
    step_overdue: Annotated[
        bool | None,
        Query(description="true: a step is still open past its own due date (e.g. intake)"),
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> DossierPage:
    """Dossiers matching the filters, soonest legal due date first."""
    return views.list_dossiers(
        engine,
        now,
        status=status,
        procedure=procedure,
        assignee=assignee,
        overdue=overdue,
        due_before=due_before,
        q=q,
        limit=limit,
        offset=offset,
        at_risk=at_risk,
        step_overdue=step_overdue,
    )


@router.get("/dossiers/{dossier_id}", response_model=DossierPublic, responses=ERRORS)
def get(
    dossier_id: str, response: Response, caller: Reader, engine: EngineDep, now: NowDep
) -> DossierPublic:
    """One dossier with its clock, consultations, decision and allowed actions."""
    return _etag(response, views.get_dossier(engine, dossier_id, now))


@router.get("/dossiers/{dossier_id}/history", response_model=list[HistoryItem], responses=ERRORS)
def history(dossier_id: str, caller: Reader, engine: EngineDep) -> list[HistoryItem]:
    """Every step, oldest first: the processing control slip (form 06). Each event says
    whether the audit chain verifies up to it (`chain_intact`): an event altered or removed in
    the database is never served as if it were the record."""
    return views.history(engine, dossier_id)


@router.get(
    "/dossiers/{dossier_id}/documents", response_model=list[DocumentPublic], responses=ERRORS
)
def list_documents(dossier_id: str, caller: Reader, engine: EngineDep) -> list[DocumentPublic]:
    """The dossier's documents (name, size, SHA-256)."""
    return documents.list_documents(engine, dossier_id)


@router.get(
    "/dossiers/{dossier_id}/documents/{document_id}/content",
    response_class=Response,
    responses={
        **ERRORS,
        200: {
            "description": "the uploaded file, as an attachment",
            "content": {"application/octet-stream": {}},
        },
    },
)
def document_content(
    dossier_id: str, document_id: str, caller: Reader, engine: EngineDep
) -> Response:
    """The uploaded file itself (404 when it is not a document of this dossier)."""
    return attachment(*documents.read_document(engine, dossier_id, document_id))


@router.post(
    "/dossiers/{dossier_id}/documents",
    status_code=201,
    response_model=DocumentPublic,
    responses={**ERRORS, 413: {"description": "too large"}},
)
async def upload_document(
    dossier_id: str,
    request: Request,
    caller: Actor,
    engine: EngineDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
    _one: OneFile = None,
) -> DocumentPublic:
    """Attach a file (multipart field `file`, one file): PDF, PNG, JPEG, TIFF, Word, Excel or
    OpenDocument, judged by its content; size-limited and checksummed."""
    limit: int = request.app.state.max_upload_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"the file is larger than {limit} bytes")
    return documents.add_document(
        engine,
        dossier_id,
        caller.actor,
        name=file.filename or "",
        content_type=file.content_type or "",
        content=content,
        now=now,
    )


def _action_route(action: str, model: type[ActionBody], summary: str) -> None:
    """Register POST /dossiers/{id}/actions/{action} with its own body model."""
    empty = issubclass(model, Empty)
    body_default: Any = Body(default=None) if empty else Body()

    def route(
        dossier_id: str,
        request: Request,
        response: Response,
        caller: Actor,
        engine: EngineDep,
        now: NowDep,
        background: BackgroundTasks,
        body: Any = body_default,
        if_match: IfMatch = None,
        idempotency_key: IdemHeader = None,
    ) -> DossierPublic:
        body = body or model()
        idem = (
            IdempotencyKey.of(
                f"{caller.scope}:POST:{dossier_id}:{action}",
                idempotency_key,
                body.model_dump(mode="json"),
            )
            if idempotency_key
            else None
        )
        dossier = handle(
            engine,
            dossier_id,
            body.to_command(caller.actor),
            now=now,
            expected_version=parse_if_match(if_match),
            idempotency=idem,
        )
        background.add_task(after_commit(request))  # runs after the answer
        return _etag(response, dossier)

    # FastAPI reads the body's type from the signature: each action gets its own model.
    route.__annotations__["body"] = Optional[model] if empty else model  # noqa: UP045
    route.__name__ = f"action_{action.replace('-', '_')}"
    route.__doc__ = summary
    router.add_api_route(
        f"/dossiers/{{dossier_id}}/actions/{action}",
        route,
        methods=["POST"],
        response_model=DossierPublic,
        responses=ERRORS,
        summary=summary,
        name=route.__name__,
    )


for _action, (_model, _summary) in ACTIONS.items():
    _action_route(_action, _model, _summary)
