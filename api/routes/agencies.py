"""GET /agencies: the agency registry."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, select

from api.deps import CallerDep, EngineDep
from models.agency import Agency
from models.db import read_session
from models.schemas import AgencyPublic

router = APIRouter(tags=["agencies"])


@router.get("/agencies", response_model=list[AgencyPublic])
def list_agencies(_: CallerDep, engine: EngineDep) -> list[AgencyPublic]:
    """Every agency, by code."""
    with read_session(engine) as session:
        rows = session.exec(select(Agency).order_by(col(Agency.code))).all()
        return [AgencyPublic.model_validate(r, from_attributes=True) for r in rows]
