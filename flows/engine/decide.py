"""decide(state, command) -> events: the pure rules of every action (no I/O)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from flows.calendar import WorkingCalendar, local_date
from flows.engine import commands as c
from flows.engine import events as e
from flows.engine import rules, steps
from flows.engine.clock import working_days_used
from flows.engine.letters import check_letter
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
    if rules.once_only_refusal(state, action, procedure) is not None:
        return False
    if action == "reject-intake":
        return state.accepted_at is None
    if action == "consult":
        return procedure.consultation_mode != ConsultationMode.none
    if action == "respond":
        return bool(state.open_consultations())
    if action == "propose":
        # Proceed once every agency answered or ran out of time; never over an agency in time,
        # and never while an agency the law requires has not answered (or been deemed to).
        if rules.required_refusal(state, procedure) is not None:
            return False
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


def _rule_refusal(state: DossierState, action: str, procedure: ProcedureDefinition) -> str | None:
    """The legal rule that refuses an action in a state its transition allows, if any."""
    t = procedure.transition(action)
    if t is None or state.status not in t.from_statuses:
        return None
    refusal = rules.once_only_refusal(state, action, procedure)
    if refusal is None and action == "propose":
        refusal = rules.required_refusal(state, procedure)
    return refusal


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
        rule = _rule_refusal(state, command.action, procedure)
        if rule is not None:
            raise NotAllowed(rule, allowed)
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
    start: date | datetime = now
    if p.due_anchor_field is not None:
        # The period runs from the day the request reached this body, not from acceptance.
        anchor = s.fields.get(p.due_anchor_field)
        start = date.fromisoformat(anchor) if isinstance(anchor, str) else anchor or now
    return [e.Accepted(at=now, due_date=cal.add_working_days(start, p.total_working_days))]


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
        defaults = list(dict.fromkeys([*s.progress.required_agencies, *p.default_agencies]))
        if p.consultation_mode == ConsultationMode.chosen and not s.progress.required_agencies:
            raise InvalidInput("choose the agencies to consult (agencies: [code, ...])")
        if not defaults:
            raise InvalidInput("choose the agencies to consult (agencies: [code, ...])")
        # Those already answered or still waiting are not asked again.
        asked = {x.agency for x in s.consultations if x.status != ConsultationStatus.cancelled}
        agencies = [a for a in defaults if a not in asked] or defaults
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
    check_letter(cmd.letter_number, cmd.letter_date, x.requested_at, now)
    return [
        e.ConsultationAnswered(
            at=now,
            consultation_id=x.id,
            agency=x.agency,
            opinion=cmd.opinion,
            comments=cmd.comments,
            answered_by=cmd.actor.name,
            # Timeliness counts from receipt (now), even for a paper letter dated earlier.
            late=local_date(now) > x.due_date,
            letter_number=cmd.letter_number or None,
            letter_date=cmd.letter_date,
            letter_document_id=cmd.letter_document_id or None,
            recorded_by=cmd.recorder.name if cmd.recorder else None,
        )
    ]


def _propose(
    s: DossierState, cmd: c.Command, now: datetime, p: ProcedureDefinition, cal: WorkingCalendar
) -> list[e.Event]:
    assert isinstance(cmd, c.Propose)
    if cmd.outcome not in p.outcomes:
        raise InvalidInput(f"outcome must be one of: {', '.join(p.outcomes)}")
    if p.forward is not None and rules.must_forward(s.fields, p) != (
        cmd.outcome == Outcome.forward
    ):
        raise InvalidInput(p.forward.text_en)
    if cmd.outcome != Outcome.approve and not cmd.reasons.strip():
        raise InvalidInput("a refusal or forwarding must state its reasons in writing")
    years = cmd.validity_years
    if p.certificate is not None and p.certificate.keeps_term and years is not None:
        raise InvalidInput(
            f"{p.code} keeps the certificate's term: validity_years cannot be set "
            f"({p.certificate.legal_basis})"
        )
    home = rules.home_registration_end(s, p)
    if cmd.outcome == Outcome.approve and home is not None and home <= local_date(now):
        raise InvalidInput(
            f"the NGO's home-country registration ended on {home:%d/%m/%Y}: no certificate can "
            "run beyond it (Decree 58/2022/NĐ-CP Art 9)"
        )
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
    valid_from, valid_until = (
        rules.certificate_term(s, p, years, today) if approve else (None, None)
    )
    number: str | None = None
    rule = p.certificate
    if approve and rule is not None and rule.number_prefix and rule.effect == "issue":
        number = f"{s.code}/{rule.number_prefix}"
    elif approve and rule is not None:
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
            valid_from=valid_from,
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
    c.FlagStepOverdue: steps.flag_overdue,
}
