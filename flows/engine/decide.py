"""decide(state, command) -> events: the pure rules of every action (no I/O)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from flows.calendar import WorkingCalendar, local_date
from flows.engine import commands as c
from flows.engine import events as e
from flows.engine.clock import working_days_used
from flows.engine.state import ConsultationState, DossierState
from flows.errors import Conflict, Forbidden, InvalidInput, NotAllowed, NotFound
from flows.procedures.schema import (
    ConsultationMode,
    ConsultationStatus,
    Outcome,
    ProcedureDefinition,
    Role,
    SilenceRule,
    Status,
)

MAX_WORKING_DAYS = 120  # no legal deadline here is longer; catches typos like 300


def _guard(state: DossierState, action: str, procedure: ProcedureDefinition) -> bool:
    """Whether the action is possible in this state, whoever asks."""
    t = procedure.transition(action)
    if t is None or state.status not in t.from_statuses:
        return False
    if action == "request-supplement" and state.status == Status.received:
        return not state.intake_supplement_requested  # form 02: requested once, in writing
    if action == "reject-intake":
        return state.accepted_at is None
    if action == "consult":
        return procedure.consultation_mode != ConsultationMode.none
    if action == "respond":
        return bool(state.open_consultations())
    if action == "propose":
        # Proceed once every agency answered or ran out of time; never over an agency in time.
        return not any(x.status == ConsultationStatus.requested for x in state.consultations)
    if action == "extend":
        return state.accepted_at is not None
    if action == "remind":
        return any(
            x.status == ConsultationStatus.requested and x.reminded_at is None
            for x in state.consultations
        )
    if action == "expire-consultation":
        return any(x.status == ConsultationStatus.requested for x in state.consultations)
    if action in ("flag-at-risk", "flag-late"):
        return not state.suspended and state.due_date is not None
    return True


def allowed_actions(
    state: DossierState, procedure: ProcedureDefinition, role: str | None = None
) -> list[str]:
    """Actions possible now, optionally only those the role may take (system ones hidden)."""
    return [
        t.action
        for t in procedure.transitions
        if (role in t.roles if role is not None else t.roles != (Role.system,))
        and _guard(state, t.action, procedure)
    ]


def decide(
    state: DossierState,
    command: c.Command,
    *,
    now: datetime,
    procedure: ProcedureDefinition,
    calendar: WorkingCalendar,
) -> list[e.Event]:
    """The events a command produces, or an error saying why it cannot be done."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    t = procedure.transition(command.action)
    if t is None:
        raise NotAllowed(
            f"{procedure.code} has no action {command.action!r}", allowed_actions(state, procedure)
        )
    if command.actor.role not in t.roles:
        raise Forbidden(
            f"role {command.actor.role!r} may not {command.action}; "
            f"allowed roles: {', '.join(t.roles)}"
        )
    if not _guard(state, command.action, procedure):
        allowed = allowed_actions(state, procedure)
        raise NotAllowed(
            f"{command.action} is not allowed while the dossier is {state.status.value}"
            f"{' (suspended)' if state.suspended else ''}; allowed: {', '.join(allowed) or 'none'}",
            allowed,
        )
    return _HANDLERS[type(command)](state, command, now, procedure, calendar)


Handler = Callable[
    [DossierState, c.Command, datetime, ProcedureDefinition, WorkingCalendar], list[e.Event]
]


def _accept(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    return [e.Accepted(at=now, due_date=cal.add_working_days(now, p.total_working_days))]


def _request_supplement(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.RequestSupplement)
    missing = tuple(m.strip() for m in cmd.missing if m.strip())
    if not missing:
        raise InvalidInput("list the missing items: form 02 names each document requested")
    during_review = s.status == Status.in_review
    return [
        e.SupplementRequested(
            at=now,
            missing=missing,
            note=cmd.note,
            during_review=during_review,
            clock_stopped=during_review and p.clock_stops_on_supplement,
        )
    ]


def _receive_supplement(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.ReceiveSupplement)
    if s.accepted_at is None:
        return [
            e.SupplementReceived(
                at=now,
                note=cmd.note,
                back_to=Status.received,
                waited_working_days=0,
                due_date=None,
                legal_due_date=None,
            )
        ]
    waited = _waited(s, cal, now)
    due = cal.add_working_days(s.due_date, waited) if s.due_date else None
    legal = cal.add_working_days(s.legal_due_date, waited) if s.legal_due_date else None
    return [
        e.SupplementReceived(
            at=now,
            note=cmd.note,
            back_to=Status.in_review,
            waited_working_days=waited,
            due_date=due,
            legal_due_date=legal,
        )
    ]


def _waited(s: DossierState, cal: WorkingCalendar, now: datetime) -> int:
    """Working days the dossier has waited on the applicant with its clock stopped."""
    if not s.suspended or s.suspended_since is None:
        return 0
    return max(cal.working_days_between(s.suspended_since, now), 0)


def _reject_intake(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.RejectIntake)
    return [e.IntakeRejected(at=now, reason=_required(cmd.reason, "reason"))]


def _assign(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Assign)
    return [e.Assigned(at=now, assignee=_required(cmd.assignee, "assignee"), previous=s.assignee)]


def consultation_id(dossier_id: str, agency: str, index: int) -> str:
    """A deterministic id for the index-th consultation of a dossier (keeps decide pure)."""
    return str(uuid.uuid5(uuid.UUID(dossier_id), f"consultation:{index}:{agency}"))


def _consult(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Consult)
    agencies = list(dict.fromkeys(a.strip() for a in cmd.agencies if a.strip()))
    if not agencies:
        if p.consultation_mode == ConsultationMode.chosen or not p.default_agencies:
            raise InvalidInput("choose the agencies to consult (agencies: [code, ...])")
        agencies = list(p.default_agencies)
    days = p.consultation_working_days if cmd.working_days is None else cmd.working_days
    if not 1 <= days <= MAX_WORKING_DAYS:
        raise InvalidInput(f"working_days must be between 1 and {MAX_WORKING_DAYS}")
    busy = sorted({x.agency for x in s.open_consultations()} & set(agencies))
    if busy:
        raise Conflict(f"already waiting for an answer from: {', '.join(busy)}")
    due = cal.add_working_days(now, days)
    start = len(s.consultations)
    return [
        e.ConsultationRequested(
            at=now,
            consultation_id=consultation_id(s.id, a, start + i),
            agency=a,
            due_date=due,
            working_days=days,
        )
        for i, a in enumerate(agencies)
    ]


def _respond(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Respond)
    x = s.consultation(cmd.consultation_id)
    if x is None or x.agency != cmd.actor.agency:
        raise NotFound("no such consultation request for your agency")
    if not x.is_open:
        # A conflict with the recorded outcome, not a state the dossier could leave.
        raise Conflict(f"this request is already {x.status.value}; it cannot be answered again")
    return [
        e.ConsultationAnswered(
            at=now,
            consultation_id=x.id,
            agency=x.agency,
            opinion=cmd.opinion,
            comments=cmd.comments,
            answered_by=cmd.actor.name,
            late=local_date(now) > x.due_date,
        )
    ]


def _propose(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Propose)
    if cmd.outcome not in p.outcomes:
        raise InvalidInput(f"outcome must be one of: {', '.join(p.outcomes)}")
    flag = p.forward_when_field
    if flag is not None and bool(s.fields.get(flag)) != (cmd.outcome == Outcome.forward):
        raise InvalidInput(
            "aid touching security, defence or religion must be forwarded to the competent "
            "authority (the Prime Minister), and only such aid"
            if s.fields.get(flag)
            else "only aid touching security, defence or religion is forwarded"
        )
    if cmd.outcome != Outcome.approve and not cmd.reasons.strip():
        raise InvalidInput("a refusal or forwarding must state its reasons in writing")
    years = cmd.validity_years
    if cmd.outcome == Outcome.approve and p.validity_years_max is not None:
        years = p.validity_years_max if years is None else years
        if not 1 <= years <= p.validity_years_max:
            raise InvalidInput(
                f"validity_years must be between 1 and {p.validity_years_max} for {p.code}"
            )
    elif cmd.outcome != Outcome.approve:
        years = None
    return [
        e.DecisionProposed(
            at=now,
            outcome=cmd.outcome,
            reasons=cmd.reasons,
            validity_years=years,
            proposed_by=cmd.actor.name,
        )
    ]


def _add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def classify(s: DossierState, day: date) -> str:
    """Early, on time or late against the statutory date; an extension letter means late."""
    if s.legal_due_date is None or s.extended or day > s.legal_due_date:
        return "late"
    return "on_time" if day == s.legal_due_date else "early"


def _sign(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    proposal = s.proposal
    assert proposal is not None, "awaiting_decision always has a proposal"
    today = local_date(now)
    approve = proposal.outcome == Outcome.approve
    years = proposal.validity_years if approve else None
    valid_until = _add_years(today, years) - timedelta(days=1) if years else None
    number: str | None = None
    if approve and p.certificate_action == "issue" and p.certificate_number_prefix:
        number = f"{s.code}/{p.certificate_number_prefix}"
    elif approve and p.certificate_action is not None:
        number = str(s.fields.get("certificate_number") or "") or None  # the same certificate
    status = {
        Outcome.approve: Status.approved,
        Outcome.refuse: Status.refused,
        Outcome.forward: Status.forwarded,
    }[proposal.outcome]
    cancelled: list[e.Event] = [
        e.ConsultationCancelled(at=now, consultation_id=x.id, agency=x.agency)
        for x in s.open_consultations()
    ]
    used = working_days_used(s, cal, now) or 0
    timeliness = classify(s, today)
    on_time = timeliness != "late"
    return cancelled + [
        e.DecisionSigned(
            at=now,
            outcome=proposal.outcome,
            status=status,
            reasons=proposal.reasons,
            validity_years=years,
            valid_from=today if years else None,
            valid_until=valid_until,
            certificate_number=number,
            signed_by=cmd.actor.name,
            on_time=on_time,
            timeliness=timeliness,
            working_days_used=used,
        )
    ]


def _return(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Return)
    return [e.DecisionReturned(at=now, comment=_required(cmd.comment, "comment"))]


def _extend(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Extend)
    if not 1 <= cmd.working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(f"working_days must be between 1 and {MAX_WORKING_DAYS}")
    reason = _required(cmd.reason, "reason")
    base = max(d for d in (s.due_date, local_date(now)) if d is not None)
    return [
        e.Extended(
            at=now,
            reason=reason,
            working_days=cmd.working_days,
            previous_due_date=s.due_date,
            due_date=cal.add_working_days(base, cmd.working_days),
        )
    ]


def _withdraw(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Withdraw)
    reason = _required(cmd.reason, "reason")
    cancelled: list[e.Event] = [
        e.ConsultationCancelled(at=now, consultation_id=x.id, agency=x.agency)
        for x in s.open_consultations()
    ]
    waited = _waited(s, cal, now)
    return cancelled + [e.Withdrawn(at=now, reason=reason, waited_working_days=waited)]


def _required(value: str, name: str) -> str:
    """A non-blank text field, or a clear 422."""
    if not value.strip():
        raise InvalidInput(f"{name} must not be empty")
    return value.strip()


def _open_request(
    s: DossierState, consultation_id: str, p: ProcedureDefinition
) -> ConsultationState:
    x = s.consultation(consultation_id)
    if x is None or x.status != ConsultationStatus.requested:
        raise NotAllowed(
            f"consultation {consultation_id} is not waiting for an answer", allowed_actions(s, p)
        )
    return x


def _remind(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.RemindConsultation)
    x = _open_request(s, cmd.consultation_id, p)
    if x.reminded_at is not None:
        raise NotAllowed("the agency was already reminded", allowed_actions(s, p))
    return [
        e.ConsultationReminded(at=now, consultation_id=x.id, agency=x.agency, due_date=x.due_date)
    ]


def _expire(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.ExpireConsultation)
    x = _open_request(s, cmd.consultation_id, p)
    if local_date(now) <= x.due_date:
        raise NotAllowed(f"the agency has until {x.due_date}", allowed_actions(s, p))
    if p.silence_rule == SilenceRule.deemed_consent:
        return [
            e.ConsultationDeemedConsent(
                at=now, consultation_id=x.id, agency=x.agency, due_date=x.due_date
            )
        ]
    return [
        e.ConsultationOverdue(at=now, consultation_id=x.id, agency=x.agency, due_date=x.due_date)
    ]


def _flag_at_risk(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert s.due_date is not None
    left = cal.working_days_between(now, s.due_date)
    if left > p.at_risk_working_days:
        raise NotAllowed(f"{left} working days remain; not yet at risk", allowed_actions(s, p))
    return [e.DossierAtRisk(at=now, due_date=s.due_date, working_days_left=left)]


def _flag_late(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert s.due_date is not None
    if local_date(now) <= s.due_date:
        raise NotAllowed(f"the appointment date {s.due_date} has not passed", allowed_actions(s, p))
    return [e.DossierLate(at=now, due_date=s.due_date)]


_HANDLERS: dict[type[c.Command], Handler] = {
    c.Accept: _accept,
    c.RequestSupplement: _request_supplement,
    c.ReceiveSupplement: _receive_supplement,
    c.RejectIntake: _reject_intake,
    c.Assign: _assign,
    c.Consult: _consult,
    c.Respond: _respond,
    c.Propose: _propose,
    c.Sign: _sign,
    c.Return: _return,
    c.Extend: _extend,
    c.Withdraw: _withdraw,
    c.RemindConsultation: _remind,
    c.ExpireConsultation: _expire,
    c.FlagAtRisk: _flag_at_risk,
    c.FlagLate: _flag_late,
}
