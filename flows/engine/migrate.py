"""Moving a running dossier to another version of its procedure (pure: plan, then apply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flows.calendar import WorkingCalendar, local_date
from flows.engine.state import DossierState
from flows.procedures.schema import ConsultationMode, ConsultationStatus, ProcedureDefinition


@dataclass(frozen=True)
class ConsultationChange:
    """A pending request whose due date follows the new consultation deadline."""

    consultation_id: str
    agency: str
    old_due_date: date
    new_due_date: date


@dataclass
class MigrationPlan:
    """What moving one dossier would change, and why it cannot be done if it cannot."""

    dossier_id: str
    code: str
    from_version: int
    to_version: int
    old_due_date: date | None
    new_due_date: date | None
    old_legal_due_date: date | None
    new_legal_due_date: date | None
    pending_consultations: int
    consultation_changes: list[ConsultationChange] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """Whether the move is safe."""
        return not self.refusals


def plan_migration(
    state: DossierState,
    old: ProcedureDefinition,
    new: ProcedureDefinition,
    calendar: WorkingCalendar,
    now: datetime,
) -> MigrationPlan:
    """Recompute the dossier's dates under the new version; list every reason to refuse."""
    today = local_date(now)
    plan = MigrationPlan(
        dossier_id=state.id,
        code=state.code,
        from_version=state.procedure_version,
        to_version=new.version,
        old_due_date=state.due_date,
        new_due_date=state.due_date,
        old_legal_due_date=state.legal_due_date,
        new_legal_due_date=state.legal_due_date,
        pending_consultations=len(state.open_consultations()),
    )
    if new.code != state.procedure:
        plan.refusals.append(f"the dossier follows {state.procedure}, not {new.code}")
    if new.version == state.procedure_version:
        plan.refusals.append(f"already on version {new.version}")
    if state.is_terminal:
        plan.refusals.append(
            f"the dossier is {state.status.value}: finished dossiers keep "
            "the version they were decided under"
        )
        return plan
    if not any(state.status in t.from_statuses for t in new.transitions):
        plan.refusals.append(f"version {new.version} has no step for status {state.status.value}")
    if new.consultation_mode == ConsultationMode.none and state.open_consultations():
        plan.refusals.append(
            f"version {new.version} consults nobody but "
            f"{plan.pending_consultations} requests are still open"
        )
    if state.accepted_at is not None and state.legal_due_date is not None:
        legal = calendar.add_working_days(
            state.accepted_at, new.total_working_days + state.suspended_working_days
        )
        plan.new_legal_due_date = legal
        plan.new_due_date = (
            legal if not state.extended or state.due_date is None else max(legal, state.due_date)
        )  # an apology letter's date is never brought forward
        if legal < today <= state.legal_due_date:
            plan.refusals.append(
                f"the new statutory date {legal:%d/%m/%Y} has already passed: "
                "the dossier would become late by the migration"
            )
    for x in state.consultations:
        if x.status != ConsultationStatus.requested:
            continue
        if (
            x.working_days != old.consultation_working_days
            or new.consultation_working_days == old.consultation_working_days
        ):
            continue  # a deadline the handler set by hand, or nothing changes
        due = calendar.add_working_days(x.requested_at, new.consultation_working_days)
        plan.consultation_changes.append(ConsultationChange(x.id, x.agency, x.due_date, due))
        if due < today:
            plan.refusals.append(
                f"{x.agency}'s request would be overdue at once (new due date {due:%d/%m/%Y})"
            )
    return plan


def apply_migration(
    state: DossierState, plan: MigrationPlan, new: ProcedureDefinition
) -> DossierState:
    """Carry out an allowed plan on the state."""
    if not plan.allowed:
        raise ValueError("cannot apply a refused migration plan")
    state.procedure_version = new.version
    state.due_date = plan.new_due_date
    state.legal_due_date = plan.new_legal_due_date
    for change in plan.consultation_changes:
        x = state.consultation(change.consultation_id)
        if x is not None:
            x.due_date = change.new_due_date
            x.working_days = new.consultation_working_days
    return state
