"""Each database's procedure registry: the built-in versions plus those published in it."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from flows.procedures import ProcedureRegistry
from flows.procedures.schema import ProcedureDefinition
from models.db import read_session
from models.procedure_version import ProcedureVersion

# Per database URL: the registry and how many published versions it has seen. Versions are
# immutable and only ever added, so a count tells whether another process published one.
_registries: dict[str, tuple[ProcedureRegistry, int]] = {}


def sync_registry(session: Session) -> ProcedureRegistry:
    """The registry of the session's database, with every version published so far."""
    key = str(session.get_bind().engine.url)
    count = session.exec(select(func.count()).select_from(ProcedureVersion)).one()
    registry, seen = _registries.get(key, (ProcedureRegistry(), -1))
    if seen != count:
        for row in session.exec(select(ProcedureVersion)).all():
            if registry.get(row.code, row.version) is None:
                registry.add(ProcedureDefinition.model_validate(row.definition))
        _registries[key] = (registry, count)
    return registry


def registry_of(engine: Engine) -> ProcedureRegistry:
    """The registry of this engine's database, up to date."""
    with read_session(engine) as session:
        return sync_registry(session)
