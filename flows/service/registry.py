"""Each database's procedure registry: the built-in versions plus those published in it."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from flows.procedures import ProcedureRegistry
from flows.procedures.schema import ProcedureDefinition
from flows.service.reference import stamp_of
from models.db import read_session
from models.procedure_version import ProcedureVersion

# Per database URL: the registry and the reference stamp it was last synchronised at (a
# published version raises the stamp: flows.service.reference).
_registries: dict[str, tuple[ProcedureRegistry, tuple[str, str, int] | None]] = {}


def sync_registry(session: Session) -> ProcedureRegistry:
    """The registry of the session's database, with every version published so far."""
    key = str(session.get_bind().engine.url)
    stamp = stamp_of(session)
    registry, seen = _registries.get(key, (ProcedureRegistry(), None))
    if stamp is None or seen != stamp:
        for row in session.exec(select(ProcedureVersion)).all():
            if registry.get(row.code, row.version) is None:
                registry.add(ProcedureDefinition.model_validate(row.definition))
        _registries[key] = (registry, stamp)
    return registry


def registry_of(engine: Engine) -> ProcedureRegistry:
    """The registry of this engine's database, up to date."""
    with read_session(engine) as session:
        return sync_registry(session)
