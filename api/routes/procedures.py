"""GET /procedures: the procedure definitions, with legal basis and deadlines."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CallerDep
from flows.procedures import REGISTRY
from flows.procedures.schema import ProcedureDefinition

router = APIRouter(tags=["procedures"])


@router.get("/procedures", response_model=list[ProcedureDefinition])
def list_procedures(_: CallerDep) -> list[ProcedureDefinition]:
    """The latest version of every procedure."""
    return REGISTRY.latest()
