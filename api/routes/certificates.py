"""Certificate registry: GET /certificates and /certificates/{id} (with history)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Caller, EngineDep, require
from api.paging import Offset
from flows.procedures import certificate_types
from flows.service.certificates import get_certificate, list_certificates
from models.schemas import CertificatePublic

router = APIRouter(tags=["certificates"])

Reader = Annotated[Caller, Depends(require("handler", "leader", "manager", "admin"))]


@router.get("/certificates", response_model=list[CertificatePublic])
def list_(
    caller: Reader,
    engine: EngineDep,
    status: Annotated[
        str | None, Query(pattern="^(active|suspended|closed|terminated|revoked)$")
    ] = None,
    type: Annotated[str | None, Query(pattern=f"^({'|'.join(certificate_types())})$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[CertificatePublic]:
    """Certificates in the registry, by number."""
    return list_certificates(engine, status=status, type=type, q=q, limit=limit, offset=offset)


@router.get(
    "/certificates/{certificate_id}",
    response_model=CertificatePublic,
    responses={404: {"description": "no such certificate"}},
)
def get(certificate_id: str, caller: Reader, engine: EngineDep) -> CertificatePublic:
    """One certificate and its history (issued, renewed, amended, re-issued, closed)."""
    return get_certificate(engine, certificate_id)
