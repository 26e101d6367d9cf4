"""Procedures: list, versions, publish a new version, migrate running dossiers (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from api.deps import Caller, CallerDep, EngineDep, NowDep, require
from flows.procedures import fields_model
from flows.procedures.schema import ProcedureDefinition
from flows.service.procedures import migrate, publish_version, versions
from flows.service.registry import registry_of
from models.schemas import Strict

router = APIRouter(tags=["procedures"])
Admin = Annotated[Caller, Depends(require("admin"))]


class PublishBody(Strict):
    """Changes from the latest version, and why."""

    changes: dict[str, Any] = Field(
        max_length=20,
        description="Fields of the definition and their new values; each is bounded as the "
        "definition's own field (e.g. legal_basis at most 2,000 characters).",
        examples=[{"consultation_working_days": 7, "default_agencies": ["BCA", "BTC"]}],
    )
    note: str = Field(
        default="",
        max_length=2000,
        examples=["Decision 12/QĐ-UBND shortens the consultation to 7 WD"],
    )


class ProcedurePublic(ProcedureDefinition):
    """A procedure as clients see it: `fields_schema` is the JSON Schema of its own fields."""

    # The definition names its fields' pydantic model; clients get that model's JSON Schema,
    # so that a client (or a page) can build the intake form.
    fields_schema: dict[str, Any] = Field(  # type: ignore[assignment]
        description="JSON Schema of the procedure's own dossier fields (intake form)."
    )
    fields_model: str = Field(description="Name of the pydantic model of the dossier fields.")

    @classmethod
    def of(cls, definition: ProcedureDefinition) -> ProcedurePublic:
        """The public shape of one definition."""
        return cls.model_validate(
            {
                **definition.model_dump(),
                "fields_model": fields_model(definition).__name__,
                "fields_schema": fields_model(definition).model_json_schema(),
            }
        )


class MigrateBody(Strict):
    """Which running dossiers to move to which version; a dry run changes nothing."""

    to_version: int = Field(ge=1, le=100_000, examples=[2])
    dossier_ids: list[Annotated[str, Field(min_length=1, max_length=36)]] = Field(
        min_length=1, max_length=1000
    )
    dry_run: bool = True


@router.get("/procedures", response_model=list[ProcedurePublic])
def list_procedures(_: CallerDep, engine: EngineDep) -> list[ProcedurePublic]:
    """The latest version of every procedure, with legal basis, deadlines and fields schema."""
    return [ProcedurePublic.of(p) for p in registry_of(engine).latest()]


@router.get(
    "/procedures/{code}/versions",
    response_model=list[ProcedureDefinition],
    responses={404: {"description": "no such procedure"}},
)
def list_versions(code: str, _: CallerDep, engine: EngineDep) -> list[ProcedureDefinition]:
    """Every version of one procedure, oldest first."""
    return versions(engine, code)


@router.post(
    "/procedures/{code}/versions",
    status_code=201,
    response_model=ProcedureDefinition,
    responses={
        403: {"description": "admins only"},
        404: {"description": "unknown"},
        422: {"description": "invalid change"},
    },
)
def publish(
    code: str, body: PublishBody, caller: Admin, engine: EngineDep, now: NowDep
) -> ProcedureDefinition:
    """Publish a new version; new dossiers use it, running dossiers keep theirs."""
    return publish_version(engine, code, body.changes, body.note, caller.actor, now)


@router.post(
    "/procedures/{code}/migrate",
    responses={
        403: {"description": "admins only"},
        409: {
            "description": "some dossiers cannot be moved safely; the body "
            "lists why, and nothing was changed"
        },
    },
)
def migrate_dossiers(
    code: str, body: MigrateBody, caller: Admin, engine: EngineDep, now: NowDep
) -> dict[str, Any]:
    """Move chosen running dossiers to another version: due dates and pending consultations
    are recomputed, timers re-armed, and each move audited. Dry run by default."""
    return migrate(
        engine,
        code,
        body.to_version,
        body.dossier_ids,
        dry_run=body.dry_run,
        actor=caller.actor,
        now=now,
    )
