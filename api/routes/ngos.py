"""The NGO register: /ngos (and the files NGOs send), /obligations, /inspections,
/risk/scorecard and certificate acts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import Field

from api.deps import Caller, EngineDep, NowDep, require
from api.paging import Offset
from api.routes.dossiers import attachment
from api.uploads import OneFile
from flows.errors import TooLarge
from flows.register.commands import (
    act_on_certificate,
    fulfil_obligation,
    list_inspections,
    plan_inspections,
    publish_scorecard,
    record_inspection,
    record_report,
    update_ngo,
)
from flows.register.documents import add_ngo_document, read_ngo_document
from flows.register.queries import get_ngo, list_ngos, list_obligations
from flows.register.risk import current_scorecard
from flows.register.scorecard import Scorecard
from flows.service.certificates import get_certificate
from models.db import read_session
from models.register_schemas import (
    CertificateAct,
    InspectionPlan,
    InspectionPublic,
    InspectionRecord,
    NgoDetail,
    NgoPage,
    NgoUpdate,
    ObligationFulfil,
    ObligationPage,
    ObligationPublic,
    ReportCreate,
    ReportPublic,
)
from models.schemas import CertificatePublic, DocumentPublic, Strict

router = APIRouter(tags=["register"])

Reader = Annotated[Caller, Depends(require("handler", "leader", "manager", "admin"))]
Recorder = Annotated[Caller, Depends(require("handler", "manager"))]
Signer = Annotated[Caller, Depends(require("leader"))]
Planner = Annotated[Caller, Depends(require("manager"))]
Admin = Annotated[Caller, Depends(require("admin"))]

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "not in the register"}}
STATE: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "not allowed in its current status"},
}


@router.get("/ngos", response_model=NgoPage)
def ngos(
    caller: Reader,
    engine: EngineDep,
    q: Annotated[str | None, Query(max_length=200, description="Name or country.")] = None,
    risk_group: Annotated[str | None, Query(pattern="^(low|medium|high)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> NgoPage:
    """NGOs in the register with their certificates, approved aid and risk."""
    return list_ngos(engine, q=q, risk_group=risk_group, limit=limit, offset=offset)


@router.get("/ngos/{ngo_id}", response_model=NgoDetail, responses=NOT_FOUND)
def ngo(ngo_id: str, caller: Reader, engine: EngineDep) -> NgoDetail:
    """One NGO with its dossiers, obligations, reports, inspections and risk history."""
    return get_ngo(engine, ngo_id)


@router.patch("/ngos/{ngo_id}", response_model=NgoDetail, responses=NOT_FOUND)
def correct(
    ngo_id: str, body: NgoUpdate, caller: Recorder, engine: EngineDep, now: NowDep
) -> NgoDetail:
    """Correct the NGO's names, home-country registration or contacts."""
    update_ngo(engine, ngo_id, body, now)
    return get_ngo(engine, ngo_id)


@router.post(
    "/ngos/{ngo_id}/reports", status_code=201, response_model=ReportPublic, responses=NOT_FOUND
)
def report(
    ngo_id: str, body: ReportCreate, caller: Recorder, engine: EngineDep, now: NowDep
) -> ReportPublic:
    """Record a report received: an annual report (Form 05) meets that year's obligation."""
    return record_report(engine, ngo_id, body, caller.actor, now)


@router.post(
    "/ngos/{ngo_id}/documents", status_code=201, response_model=DocumentPublic, responses=NOT_FOUND
)
def upload(
    ngo_id: str,
    request: Request,
    caller: Recorder,
    engine: EngineDep,
    now: NowDep,
    file: Annotated[UploadFile, File(description="The file received from the NGO.")],
    _one: OneFile = None,
) -> DocumentPublic:
    """Store a file the NGO sent (bank notice, plan, report); name it when meeting an
    obligation (`document_id`)."""
    limit: int = request.app.state.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"the file is larger than the limit of {limit} bytes")
    return add_ngo_document(
        engine,
        ngo_id,
        caller.actor,
        name=file.filename or "",
        content_type=file.content_type or "",
        content=content,
        now=now,
    )


@router.get(
    "/ngos/{ngo_id}/documents/{document_id}/content",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"description": "the file, as a download"}},
)
def download(ngo_id: str, document_id: str, caller: Reader, engine: EngineDep) -> Response:
    """A file received from the NGO."""
    return attachment(*read_ngo_document(engine, ngo_id, document_id))


@router.get("/obligations", response_model=ObligationPage)
def obligations(
    caller: Reader,
    engine: EngineDep,
    status: Annotated[str | None, Query(pattern="^(open|met|overdue|cancelled)$")] = None,
    due_before: date | None = None,
    ngo: Annotated[str | None, Query(max_length=36)] = None,
    kind: Annotated[
        str | None,
        Query(
            pattern="^(bank_account_notice|activity_plan_to_provinces|annual_report|renewal|"
            "inspection_follow_up)$"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> ObligationPage:
    """Obligations after approval (Decree 58/2022 Art 21), soonest due first."""
    return list_obligations(
        engine,
        status=status,
        due_before=due_before,
        ngo=ngo,
        kind=kind,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/obligations/{obligation_id}/fulfil", response_model=ObligationPublic, responses=STATE
)
def fulfil(
    obligation_id: str, body: ObligationFulfil, caller: Recorder, engine: EngineDep, now: NowDep
) -> ObligationPublic:
    """Record what was received: the obligation is met (late when after its due date)."""
    return fulfil_obligation(engine, obligation_id, body, caller.actor, now)


@router.post(
    "/certificates/{certificate_id}/acts", response_model=CertificatePublic, responses=STATE
)
def act(
    certificate_id: str, body: CertificateAct, caller: Signer, engine: EngineDep, now: NowDep
) -> CertificatePublic:
    """Suspend, reinstate, terminate or revoke a certificate (Decree 58/2022 Art 7)."""
    act_on_certificate(engine, certificate_id, body, caller.actor, now)
    return get_certificate(engine, certificate_id)


@router.get("/inspections", response_model=list[InspectionPublic])
def inspections(
    caller: Reader,
    engine: EngineDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    ngo: Annotated[str | None, Query(max_length=36)] = None,
) -> list[InspectionPublic]:
    """Planned and performed inspections (hậu kiểm), highest risk first."""
    return list_inspections(engine, year, ngo)


@router.post("/inspections/plan", status_code=201, response_model=list[InspectionPublic])
def plan(
    body: InspectionPlan, caller: Planner, engine: EngineDep, now: NowDep
) -> list[InspectionPublic]:
    """Propose the year's inspections from the risk groups; returns those added now."""
    return plan_inspections(engine, body.year, caller.actor, now)


@router.post(
    "/inspections/{inspection_id}/record", response_model=InspectionPublic, responses=STATE
)
def record(
    inspection_id: str, body: InspectionRecord, caller: Recorder, engine: EngineDep, now: NowDep
) -> InspectionPublic:
    """Record an inspection's findings; a remedy deadline becomes an obligation."""
    return record_inspection(engine, inspection_id, body, caller.actor, now)


class ScorecardBody(Strict):
    """A new version of the risk criteria."""

    criteria: Scorecard
    note: str = Field(default="", max_length=500)


class ScorecardPublic(Strict):
    """The risk criteria in force."""

    version: int
    criteria: Scorecard


@router.get("/risk/scorecard", response_model=ScorecardPublic)
def scorecard(caller: Reader, engine: EngineDep) -> ScorecardPublic:
    """The risk criteria in force (points, groups, review depth per procedure, inspections)."""
    with read_session(engine) as session:
        version, card = current_scorecard(session)
    return ScorecardPublic(version=version, criteria=card)


@router.post("/risk/scorecard", status_code=201, response_model=ScorecardPublic)
def publish(body: ScorecardBody, caller: Admin, engine: EngineDep, now: NowDep) -> ScorecardPublic:
    """Publish new risk criteria; every NGO is re-scored with them."""
    version = publish_scorecard(engine, body.criteria, body.note, caller.actor, now)
    return ScorecardPublic(version=version, criteria=body.criteria)
