"""The agency registry: everyone reads it; admins add, rename and deactivate agencies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from api.deps import Caller, CallerDep, EngineDep, NowDep, require
from flows.service.agencies import (
    AgencyCreate,
    AgencyUpdate,
    create_agency,
    get_agency,
    list_agencies,
    update_agency,
)
from models.schemas import AgencyPublic

router = APIRouter(tags=["agencies"])

Admin = Annotated[Caller, Depends(require("admin"))]
CodePath = Annotated[str, Path(description="The agency's code.", examples=["BCA"])]

Responses = dict[int | str, dict[str, Any]]
FORBIDDEN: Responses = {403: {"description": "the caller is not an admin"}}
NOT_FOUND: Responses = {404: {"description": "no agency with this code"}}
INVALID: Responses = {422: {"description": "invalid code, e-mail or names; or nothing to change"}}

CREATE_EXAMPLES: dict[str, Any] = {
    "successor": {
        "summary": "A merged ministry's successor",
        "description": "The Ministry of Planning and Investment merged into Finance (2025).",
        "value": {
            "code": "BTC-KHDT",
            "name_vi": "Bộ Tài chính (Khối Kế hoạch và Đầu tư)",
            "name_en": "Ministry of Finance (Planning and Investment)",
            "email": "btc-khdt@agencies.example.org",
        },
    },
}
UPDATE_EXAMPLES: dict[str, Any] = {
    "deactivate": {
        "summary": "Deactivate an agency",
        "description": "No new consultations; existing ones keep the agency.",
        "value": {"active": False},
    },
    "rename": {
        "summary": "Rename after a reorganisation",
        "value": {
            "name_vi": "Văn phòng Ủy ban nhân dân tỉnh Quảng Trị",
            "name_en": "Office of the Quảng Trị People's Committee",
            "email": "vp-ubnd-qt@agencies.example.org",
        },
    },
}


@router.get("/agencies", response_model=list[AgencyPublic], summary="List agencies")
def list_(
    _: CallerDep,
    engine: EngineDep,
    active: Annotated[
        bool | None,
        Query(
            description="true: only active agencies; false: only deactivated ones.", examples=[True]
        ),
    ] = None,
) -> list[AgencyPublic]:
    """Every agency, by code; `active` filters (any authenticated role)."""
    return list_agencies(engine, active)


@router.get(
    "/agencies/{code}", response_model=AgencyPublic, summary="Get one agency", responses=NOT_FOUND
)
def get(code: CodePath, _: CallerDep, engine: EngineDep) -> AgencyPublic:
    """One agency by code (any authenticated role)."""
    return get_agency(engine, code)


@router.post(
    "/agencies",
    response_model=AgencyPublic,
    status_code=201,
    summary="Add an agency (admin)",
    responses={**FORBIDDEN, 409: {"description": "an agency with this code exists"}, **INVALID},
)
def create(
    body: Annotated[AgencyCreate, Body(openapi_examples=CREATE_EXAMPLES)],
    caller: Admin,
    engine: EngineDep,
    now: NowDep,
) -> AgencyPublic:
    """Add an agency, e.g. the successor of a merged ministry; it can be consulted at once."""
    return create_agency(engine, body, actor=caller.actor, now=now)


@router.patch(
    "/agencies/{code}",
    response_model=AgencyPublic,
    summary="Rename, re-address or deactivate an agency (admin)",
    responses={**FORBIDDEN, **NOT_FOUND, **INVALID},
)
def update(
    code: CodePath,
    body: Annotated[AgencyUpdate, Body(openapi_examples=UPDATE_EXAMPLES)],
    caller: Admin,
    engine: EngineDep,
    now: NowDep,
) -> AgencyPublic:
    """Change names, e-mail or `active`; deactivated agencies keep their consultations."""
    return update_agency(engine, code, body, actor=caller.actor, now=now)
