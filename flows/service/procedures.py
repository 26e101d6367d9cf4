"""Procedure versions: publish new ones, keep every process's registry in step, migrate."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from flows.engine.migrate import MigrationPlan, apply_migration, plan_migration
from flows.engine.state import Actor
from flows.errors import Conflict, InvalidInput, NotFound
from flows.procedures.schema import ProcedureDefinition
from flows.service.admin_audit import record_admin
from flows.service.calendar import load_calendar
from flows.service.effects import reconcile_timers, record_audit
from flows.service.handle import load_for_update
from flows.service.mapping import to_state, write_state
from flows.service.registry import registry_of, sync_registry
from models.agency import Agency
from models.consultation import Consultation
from models.db import read_session, write_session
from models.procedure_version import ProcedureVersion

# What an administrator may change in a new version (step order and roles stay in code).
PUBLISHABLE = {
    "title_vi",
    "title_en",
    "legal_basis",
    "intake_working_days",
    "total_working_days",
    "consultation_working_days",
    "reminder_working_days_before",
    "at_risk_working_days",
    "default_agencies",
    "silence_rule",
    "clock_stops_on_supplement",
    "validity_years_max",
}


class MigrationRefused(Conflict):
    """Some dossiers cannot be moved safely; nothing was changed."""

    def __init__(self, detail: str, plans: list[dict[str, Any]]) -> None:
        super().__init__(detail)
        self.extra = {"dossiers": plans}


def publish_version(
    engine: Engine, code: str, changes: dict[str, Any], note: str, actor: Actor, now: datetime
) -> ProcedureDefinition:
    """A new version of a procedure from the latest one plus the changes; dossiers already
    running keep theirs."""
    unknown = sorted(set(changes) - PUBLISHABLE)
    if unknown:
        raise InvalidInput(
            f"cannot change {', '.join(unknown)}; changeable: {', '.join(sorted(PUBLISHABLE))}"
        )
    if not changes:
        raise InvalidInput("a new version must change something")
    try:
        return _publish(engine, code, changes, note, actor, now)
    except IntegrityError as exc:
        raise Conflict(
            "another version of this procedure was published at the same time; reload and try again"
        ) from exc


def _publish(
    engine: Engine, code: str, changes: dict[str, Any], note: str, actor: Actor, now: datetime
) -> ProcedureDefinition:
    with write_session(engine) as session:
        registry = sync_registry(session)
        latest = registry.get(code)
        if latest is None:
            raise NotFound(f"no procedure {code}")
        data = {**latest.model_dump(mode="json"), **changes, "version": latest.version + 1}
        try:
            definition = ProcedureDefinition.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            ) from exc
        agencies = set(definition.default_agencies)
        known = {
            a.code
            for a in session.exec(
                select(Agency).where(col(Agency.code).in_(agencies), col(Agency.active).is_(True))
            ).all()
        }
        if agencies - known:
            raise InvalidInput(
                f"unknown or inactive agencies: {', '.join(sorted(agencies - known))}"
            )
        session.add(
            ProcedureVersion(
                code=code,
                version=definition.version,
                definition=definition.model_dump(mode="json"),
                note=note,
                published_at=now,
                published_by=actor.name,
            )
        )
        published = definition.model_dump(mode="json")
        previous = latest.model_dump(mode="json")
        record_admin(
            session,
            actor=actor,
            entity="procedure",
            key=code,
            action="publish",
            before={"version": latest.version, **{k: previous[k] for k in changes}},
            after={
                "version": definition.version,
                "note": note,
                **{k: published[k] for k in changes},
            },
            at=now,
        )
        session.flush()
        return definition  # every registry picks it up from the committed row


def versions(engine: Engine, code: str) -> list[ProcedureDefinition]:
    """Every version of a procedure, oldest first."""
    registry = registry_of(engine)
    latest = registry.get(code)
    if latest is None:
        raise NotFound(f"no procedure {code}")
    found = (registry.get(code, v) for v in range(1, latest.version + 1))
    return [d for d in found if d is not None]


def publications(engine: Engine, code: str) -> dict[int, ProcedureVersion]:
    """Who published each administrator-published version of a procedure, when and why."""
    with read_session(engine) as session:
        rows = session.exec(select(ProcedureVersion).where(ProcedureVersion.code == code))
        return {row.version: row for row in rows.all()}


def _plan_json(plan: MigrationPlan) -> dict[str, Any]:
    data = dataclasses.asdict(plan)
    data["allowed"] = plan.allowed
    return dict(json.loads(json.dumps(data, default=str)))  # dates as ISO strings


def migrate(
    engine: Engine,
    code: str,
    to_version: int,
    dossier_ids: list[str],
    *,
    dry_run: bool,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """Plan (dry run) or carry out moving chosen running dossiers to a version, all or none."""
    if not dossier_ids:
        raise InvalidInput("choose the dossiers to migrate")
    with write_session(engine) as session:
        registry = sync_registry(session)
        target = registry.get(code, to_version)
        if target is None:
            raise NotFound(f"no version {to_version} of {code}")
        calendar = load_calendar(session)
        plans: list[MigrationPlan] = []
        work = []
        for dossier_id in dict.fromkeys(dossier_ids):
            row = load_for_update(session, dossier_id)
            consultations = list(
                session.exec(select(Consultation).where(Consultation.dossier_id == row.id)).all()
            )
            current = registry.get(row.procedure, row.procedure_version)
            if current is None:
                raise NotFound(f"procedure {row.procedure} v{row.procedure_version} is unknown")
            state = to_state(row, consultations)
            plan = plan_migration(state, current, target, calendar, now)
            plans.append(plan)
            work.append((row, consultations, state, plan))
        report = [_plan_json(p) for p in plans]
        if dry_run:
            session.rollback()
            return {"dry_run": True, "applied": False, "dossiers": report}
        refused = [p for p in plans if not p.allowed]
        if refused:
            raise MigrationRefused(
                f"{len(refused)} of {len(plans)} dossiers cannot be migrated safely; "
                "nothing was changed",
                report,
            )
        for row, consultations, state, plan in work:
            before = state.status.value
            apply_migration(state, plan, target)
            write_state(state, row, {x.id: x for x in consultations})
            row.procedure_version = target.version
            row.version += 1
            session.add(row)
            record_audit(
                session,
                dossier_id=row.id,
                actor=actor,
                action="migrate-procedure",
                from_status=before,
                to_status=before,
                at=now,
                details=_plan_json(plan),
            )
            reconcile_timers(session, state, target, calendar, now)
        return {"dry_run": False, "applied": True, "dossiers": report}
