"""Deadlines that act: reminders, overdue and escalation, deemed consent, late, exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from flows.engine import commands as c
from flows.engine.state import Actor
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import SilenceRule
from flows.service.admin import create_token
from flows.service.handle import handle, respond
from flows.service.intake import create_dossier
from flows.service.sweep import sweep
from flows.service.views import get_dossier, history
from models.db import make_engine, read_session, write_session
from models.outbox import Outbox
from models.schemas import DossierCreate
from models.timer import Timer
from tests.conftest import VN
from tests.integration.helpers import operation_issue

HANDLER = Actor("Nguyễn Văn An", "handler")
LEADER = Actor("Lê Minh Cường", "leader")


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def _consulted(
    engine: Engine, agencies: tuple[str, ...] = ("BCA",), registry: ProcedureRegistry = REGISTRY
) -> tuple[str, list[str]]:
    """A dossier accepted and consulting on Mon 23 Nov 2026 (agencies due Tue 8 Dec)."""
    create_token(engine, role="handler", name=HANDLER.name, email="an@handlers.example.org")
    create_token(engine, role="manager", name="Phạm Thu Dung", email="dung@managers.example.org")
    payload = DossierCreate.model_validate(operation_issue())
    d = create_dossier(engine, payload, HANDLER, now=_at(2026, 11, 23, 8), registry=registry)[0].id
    handle(engine, d, c.Accept(actor=HANDLER), now=_at(2026, 11, 23, 9), registry=registry)
    view = handle(
        engine,
        d,
        c.Consult(actor=HANDLER, agencies=agencies),
        now=_at(2026, 11, 23, 10),
        registry=registry,
    )
    assert {str(x.due_date) for x in view.consultations} == {"2026-12-08"}
    return d, [x.id for x in view.consultations]


def _answer_the_rest(engine: Engine, d: str, now: datetime) -> None:
    """The other agencies the law requires consulted (the default) and every open request answered.

    Proposing waits for every required agency (BCA, BTC, BNV, NHNN, UBND-QT, UBND-HUE, BNNMT).
    """
    view = handle(engine, d, c.Consult(actor=HANDLER), now=now)
    for x in view.consultations:
        if x.status in ("requested", "overdue"):
            respond(
                engine,
                x.id,
                c.Respond(actor=Actor("o", "agency", x.agency), consultation_id=x.id),
                now=now,
            )


def _mail(engine: Engine, template: str) -> list[str]:
    with read_session(engine) as s:
        return sorted(
            o.recipient for o in s.exec(select(Outbox).where(Outbox.template == template)).all()
        )


def test_reminder_two_working_days_before_is_sent_once(engine: Engine) -> None:
    """Due Tue 8 Dec: the reminder fires from Fri 4 Dec (2 WD before), once."""
    d, [x] = _consulted(engine)
    early = sweep(engine, _at(2026, 12, 3, 23, 59))
    assert early.fired == 0
    first = sweep(engine, _at(2026, 12, 4, 0, 0))
    assert (first.fired, first.reminders) == (1, 1)
    assert _mail(engine, "consultation_reminder") == ["bca@agencies.example.org"]
    again = sweep(engine, _at(2026, 12, 4, 0, 0))
    assert again.fired == 0 and _mail(engine, "consultation_reminder") == [
        "bca@agencies.example.org"
    ]
    view = get_dossier(engine, d, _at(2026, 12, 4, 9))
    assert view.consultations[0].reminded_at is not None
    assert [h.action for h in history(engine, d)][-1] == "remind"
    assert history(engine, d)[-1].actor == "system"


def test_silence_past_the_due_date_is_overdue_and_escalated(engine: Engine) -> None:
    """Without a silence rule: overdue the day after, handler and managers told."""
    d, [x] = _consulted(engine)
    summary = sweep(engine, _at(2026, 12, 9, 0, 0))
    assert (summary.reminders, summary.overdue, summary.deemed_consent) == (1, 1, 0)
    view = get_dossier(engine, d, _at(2026, 12, 9, 9))
    assert view.consultations[0].status == "overdue"
    assert _mail(engine, "consultation_overdue") == [
        "an@handlers.example.org",
        "dung@managers.example.org",
    ]
    assert sweep(engine, _at(2026, 12, 9, 0, 0)).fired == 0
    # The agency may still answer: overdue-then-answered, counted late.
    answered = respond(
        engine,
        x,
        c.Respond(actor=Actor("o", "agency", "BCA"), consultation_id=x),
        now=_at(2026, 12, 10, 9),
    )
    assert answered.status == "answered" and answered.answered_late is True
    _answer_the_rest(engine, d, _at(2026, 12, 10, 9))
    assert "propose" in get_dossier(engine, d, _at(2026, 12, 10, 9)).allowed_actions


def test_silence_is_deemed_consent_where_the_procedure_says_so(engine: Engine) -> None:
    """With the deemed-consent rule, silence becomes a system outcome, never a human answer."""
    base = REGISTRY.get("ngo.operation.issue")
    assert base is not None
    registry = ProcedureRegistry(
        (base.model_copy(update={"silence_rule": SilenceRule.deemed_consent}),)
    )
    d, [x] = _consulted(engine, registry=registry)
    summary = sweep(engine, _at(2026, 12, 9, 0, 0), registry=registry)
    assert (summary.overdue, summary.deemed_consent) == (0, 1)
    view = get_dossier(engine, d, _at(2026, 12, 9, 9), registry=registry)
    assert view.consultations[0].status == "deemed_consent"
    assert view.consultations[0].opinion is None and view.consultations[0].answered_by is None
    assert _mail(engine, "deemed_consent") == [
        "an@handlers.example.org",
        "bca@agencies.example.org",
    ]


def test_answering_in_time_cancels_the_agency_timers(engine: Engine) -> None:
    """An answer before the reminder leaves nothing for the sweep to do for that agency."""
    d, [x] = _consulted(engine)
    respond(
        engine,
        x,
        c.Respond(actor=Actor("o", "agency", "BCA"), consultation_id=x),
        now=_at(2026, 11, 30, 9),
    )
    summary = sweep(engine, _at(2026, 12, 20, 0, 0))
    assert (summary.reminders, summary.overdue) == (0, 0)


def test_late_dossier_is_flagged_and_counted_late_even_with_an_extension(engine: Engine) -> None:
    """At risk 3 WD before, late after the appointment date; signing later is 'late'."""
    d, _ = _consulted(engine)
    at_risk = sweep(engine, _at(2026, 12, 31, 0, 0))
    assert at_risk.at_risk == 1 and at_risk.late == 0
    late = sweep(engine, _at(2027, 1, 7, 0, 0))
    assert late.late == 1
    assert _mail(engine, "dossier_late") == ["an@handlers.example.org", "dung@managers.example.org"]
    view = handle(
        engine,
        d,
        c.Extend(actor=HANDLER, reason="agency BCA has not answered", working_days=5),
        now=_at(2027, 1, 7, 9),
    )
    assert str(view.due_date) == "2027-01-14" and str(view.legal_due_date) == "2027-01-06"
    assert _mail(engine, "extension") == ["contact@savetherivers.example.org"]
    _answer_the_rest(engine, d, _at(2027, 1, 8, 9))
    handle(engine, d, c.Propose(actor=HANDLER, outcome=c.Outcome.approve), now=_at(2027, 1, 8, 9))
    signed = handle(engine, d, c.Sign(actor=LEADER), now=_at(2027, 1, 11, 9))
    assert signed.decision is not None
    assert signed.decision.timeliness == "late" and signed.decision.on_time is False


def test_signing_before_the_date_is_early(engine: Engine) -> None:
    """A decision before the statutory date is early; on the date, on time."""
    d, [x] = _consulted(engine)
    respond(
        engine,
        x,
        c.Respond(actor=Actor("o", "agency", "BCA"), consultation_id=x),
        now=_at(2026, 11, 30, 9),
    )
    _answer_the_rest(engine, d, _at(2026, 11, 30, 10))
    handle(engine, d, c.Propose(actor=HANDLER, outcome=c.Outcome.approve), now=_at(2026, 12, 1, 9))
    signed = handle(engine, d, c.Sign(actor=LEADER), now=_at(2026, 12, 2, 9))
    assert signed.decision is not None and signed.decision.timeliness == "early"
    assert sweep(engine, _at(2027, 2, 1)).fired == 0  # decided: every timer was cancelled


def test_two_concurrent_sweeps_fire_each_timer_once(engine: Engine) -> None:
    """Several sweeps at once (two workers) never fire a timer twice."""
    dossiers = [_consulted(engine, ("BCA", "BTC", "BNV"))[0] for _ in range(4)]
    with read_session(engine) as s:
        due = s.exec(
            select(Timer).where(
                col(Timer.due_at) <= _at(2026, 12, 9), col(Timer.cancelled_at).is_(None)
            )
        ).all()
    expected = len(due)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: sweep(engine, _at(2026, 12, 9), batch_size=5), range(3)))
    assert sum(r.fired for r in results) == expected
    assert sum(r.reminders for r in results) == 12 and sum(r.overdue for r in results) == 12
    assert len(_mail(engine, "consultation_reminder")) == 12
    for d in dossiers:
        actions = [h.action for h in history(engine, d)]
        assert actions.count("remind") == 3 and actions.count("expire-consultation") == 3


def test_timers_survive_a_restart(engine: Engine, database_url: str) -> None:
    """Timers are rows: a new process (new engine) fires what the old one armed."""
    _consulted(engine)
    engine.dispose()
    fresh = make_engine(database_url)
    try:
        assert sweep(fresh, _at(2026, 12, 4)).reminders == 1
    finally:
        fresh.dispose()


@pytest.mark.parametrize("waited", [4])
def test_supplement_wait_moves_dossier_timers(engine: Engine, waited: int) -> None:
    """While suspended no dossier timer fires; afterwards they follow the moved date."""
    d, [x] = _consulted(engine)
    handle(
        engine, d, c.RequestSupplement(actor=HANDLER, missing=("budget",)), now=_at(2026, 12, 7, 9)
    )
    handle(engine, d, c.ReceiveSupplement(actor=HANDLER), now=_at(2026, 12, 11, 16))
    view = get_dossier(engine, d, _at(2026, 12, 14, 9))
    assert str(view.due_date) == "2027-01-12"  # 6 Jan + 4 WD
    assert sweep(engine, _at(2027, 1, 7)).late == 0
    assert sweep(engine, _at(2027, 1, 13)).late == 1


def test_a_timer_that_breaks_its_batch_leaves_the_others_fired(engine: Engine) -> None:
    """Timers fire in batches; one that fails unexpectedly is retried alone and its error
    surfaces, while the timers of its batch due before it still act, once."""
    dossiers = [_consulted(engine)[0] for _ in range(3)]
    # On a dossier of its own, received on the 9th (nothing else of it due yet): a command on
    # a dossier cancels the timers it does not know.
    payload = DossierCreate.model_validate(operation_issue())
    fresh = create_dossier(engine, payload, HANDLER, now=_at(2026, 12, 9, 8))[0].id
    with write_session(engine) as s:
        s.add(
            Timer(
                kind="no-such-kind",
                dossier_id=fresh,
                due_at=_at(2026, 12, 9, 23),
                created_at=_at(2026, 11, 23),
            )
        )
    with pytest.raises(ValueError, match="no-such-kind"):
        sweep(engine, _at(2026, 12, 10))
    for d in dossiers:
        actions = [h.action for h in history(engine, d)]
        assert actions.count("remind") == 1 and actions.count("expire-consultation") == 1
    assert len(_mail(engine, "consultation_reminder")) == 3
