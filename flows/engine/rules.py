"""The procedure's legal rules as the engine applies them: once-only actions, required
consultations, forwarding and a certificate's term (pure: data in, answer out)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flows.calendar import local_date
from flows.engine.state import DossierState
from flows.procedures.schema import ConsultationStatus, OnceOnly, ProcedureDefinition

# A required agency's request has ended when it answered or its silence counted as agreement.
ENDED = frozenset({ConsultationStatus.answered, ConsultationStatus.deemed_consent})


def phase(state: DossierState) -> str:
    """intake until the dossier is accepted as complete and valid, review after."""
    return "review" if state.accepted_at is not None else "intake"


def times_taken(state: DossierState, rule: OnceOnly) -> int:
    """How often the rule's action was taken (rows older than the counters use their flags)."""
    count = state.progress.action_counts.get(rule.key, 0)
    if rule.action == "request-supplement" and rule.phase == "intake":
        count = max(count, int(state.intake_supplement_requested))
    if rule.action == "extend" and rule.phase is None:
        count = max(count, int(state.extended))
    return count


def once_only_refusal(state: DossierState, action: str, p: ProcedureDefinition) -> str | None:
    """Why a once-only rule refuses the action now, citing its legal basis; None if allowed."""
    for rule in p.once_only:
        if rule.action != action or (rule.phase is not None and rule.phase != phase(state)):
            continue
        taken = times_taken(state, rule)
        if taken >= rule.times:
            where = f" during {rule.phase}" if rule.phase else ""
            return (
                f"{action}{where} is allowed {rule.times} time(s) and was already taken "
                f"{taken} time(s): {rule.legal_basis}"
            )
    return None


def count_keys(action: str, state: DossierState) -> tuple[str, str]:
    """The counters an action taken now increments: overall and in the current phase."""
    return action, f"{action}:{phase(state)}"


def open_required(state: DossierState) -> list[str]:
    """Required agencies whose request has not ended (never asked, waiting, or overdue)."""
    ended = {x.agency for x in state.consultations if x.status in ENDED}
    return [a for a in state.progress.required_agencies if a not in ended]


def required_refusal(state: DossierState, p: ProcedureDefinition) -> str | None:
    """Why no decision may be proposed yet: the required agencies still open, by name."""
    missing = open_required(state)
    if not missing:
        return None
    asked = {x.agency: x.status.value for x in state.consultations}
    listed = ", ".join(f"{a} ({asked.get(a, 'not consulted')})" for a in missing)
    bases = "; ".join(r.legal_basis for r in p.required_consultations)
    return (
        "a decision cannot be proposed until every agency the law requires has answered or its "
        f"request has ended by the silence rule; still open: {listed}. {bases}"
    )


def must_forward(fields: dict[str, Any], p: ProcedureDefinition) -> bool:
    """Whether the dossier's fields make forwarding the only lawful outcome."""
    if p.forward is None:
        return False
    return any(bool(fields.get(name)) for name in p.forward.when_any_field)


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def certificate_term(
    state: DossierState, p: ProcedureDefinition, years: int | None, signed_on: date
) -> tuple[date | None, date | None]:
    """(valid_from, valid_until) of the certificate a signature gives.

    A renewal filed before the old expiry runs from the day after it; the term never passes the
    NGO's home-country registration (Decree 58/2022 Art 9); amendment and re-issue keep the term.
    """
    rule = p.certificate
    old_until = _date(state.progress.certificate_valid_until)
    if rule is not None and rule.keeps_term:
        return None, old_until
    if not years:
        return None, None
    start = signed_on
    if rule is not None and rule.renews_from_expiry and old_until is not None:
        if local_date(state.received_at) <= old_until and old_until >= signed_on:
            start = old_until + timedelta(days=1)
    until = add_years(start, years) - timedelta(days=1)
    home = home_registration_end(state, p)
    if home is not None and home < until:
        until = home
    return start, until


def home_registration_end(state: DossierState, p: ProcedureDefinition) -> date | None:
    """The end of the NGO's home-country registration, when the procedure records it."""
    if p.certificate is None or p.certificate.home_registration_field is None:
        return None
    return _date(state.fields.get(p.certificate.home_registration_field))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None
