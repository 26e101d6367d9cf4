"""One transaction per command: state, audit, timers and outbox together, or nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from flows.engine import commands as c
from flows.engine.state import Actor
from flows.errors import InvalidInput
from flows.service import effects
from flows.service.admin import create_token
from flows.service.handle import handle, respond
from flows.service.intake import create_dossier
from models.audit import AuditEvent
from models.db import read_session
from models.outbox import Outbox
from models.schemas import DossierCreate
from models.timer import Timer
from tests.conftest import VN
from tests.integration.helpers import operation_issue

HANDLER = Actor("Nguyễn Văn An", "handler")
LEADER = Actor("Lê Minh Cường", "leader")


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def _create(engine: Engine, when: datetime) -> str:
    payload = DossierCreate.model_validate(operation_issue())
    return create_dossier(engine, payload, HANDLER, now=when)[0].id


def _timers(engine: Engine, dossier_id: str) -> list[Timer]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(Timer).where(Timer.dossier_id == dossier_id).order_by(col(Timer.id))
            ).all()
        )


def _outbox(engine: Engine, dossier_id: str) -> list[Outbox]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(Outbox)
                .where(Outbox.dossier_id == dossier_id)
                .order_by(col(Outbox.created_at), col(Outbox.template))
            ).all()
        )


def test_commands_write_timers_and_outbox_with_the_change(engine: Engine) -> None:
    """Accept arms the dossier's deadlines; consult arms each agency's; decisions disarm."""
    d = _create(engine, _at(2026, 11, 23, 9))
    handle(engine, d, c.Accept(actor=HANDLER), now=_at(2026, 11, 23, 10))
    pending = {
        (t.kind, t.due_at.astimezone(VN).date().isoformat())
        for t in _timers(engine, d)
        if t.cancelled_at is None
    }
    # Due Wed 6 Jan 2027; 3 WD before, skipping New Year, is Thu 31 Dec; late from 7 Jan.
    # The requests step is due 2 WD after acceptance (Tue 24 Nov a holiday): Thu 26 Nov.
    assert pending == {
        ("dossier_at_risk", "2026-12-31"),
        ("dossier_late", "2027-01-07"),
        ("step_due", "2026-11-27"),
    }
    assert [(o.template, o.recipient, o.language) for o in _outbox(engine, d)] == [
        ("receipt", "contact@savetherivers.example.org", "en")
    ]

    view = handle(
        engine, d, c.Consult(actor=HANDLER, agencies=("BCA", "BTC")), now=_at(2026, 11, 24, 10)
    )
    by_kind = sorted(
        (t.kind, t.consultation_id is not None, t.due_at.astimezone(VN).date().isoformat())
        for t in _timers(engine, d)
        if t.consultation_id
    )
    # Requested Tue 24 Nov (a holiday: counting starts Wed 25); due Tue 8 Dec, remind Fri 4 Dec.
    assert (
        by_kind
        == [("consultation_due", True, "2026-12-09")] * 2
        + [("consultation_reminder", True, "2026-12-04")] * 2
    )
    assert {o.recipient for o in _outbox(engine, d) if o.template == "consultation_request"} == {
        "bca@agencies.example.org",
        "btc@agencies.example.org",
    }

    bca = next(x for x in view.consultations if x.agency == "BCA")
    respond(
        engine,
        bca.id,
        c.Respond(actor=Actor("Officer", "agency", "BCA"), consultation_id=bca.id),
        now=_at(2026, 11, 30, 9),
    )
    bca_timers = [t for t in _timers(engine, d) if t.consultation_id == bca.id]
    assert all(t.cancelled_at is not None for t in bca_timers)

    handle(engine, d, c.Withdraw(actor=HANDLER, reason="asked"), now=_at(2026, 12, 1, 9))
    assert all(t.cancelled_at is not None or t.fired_at is not None for t in _timers(engine, d))


def test_a_failure_midway_leaves_no_trace(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """If writing the outbox fails, the status, audit and timers are rolled back too."""
    d = _create(engine, _at(2026, 11, 23, 9))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("flows.service.handle.queue_messages", broken)
    with pytest.raises(RuntimeError):
        handle(engine, d, c.Accept(actor=HANDLER), now=_at(2026, 11, 23, 10))
    monkeypatch.setattr("flows.service.handle.queue_messages", effects.queue_messages)
    with read_session(engine) as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.dossier_id == d)).all()
    assert [a.action for a in audit] == ["receive"]
    # Only the completeness check's timer, armed when the dossier was received.
    assert [t.kind for t in _timers(engine, d)] == ["step_due"] and _outbox(engine, d) == []
    view = handle(engine, d, c.Accept(actor=HANDLER), now=_at(2026, 11, 23, 11))
    assert view.status == "in_review" and view.version == 2


def test_rule_violation_in_a_batch_applies_nothing(engine: Engine) -> None:
    """Consulting a valid and an unknown agency sends neither request."""
    d = _create(engine, _at(2026, 11, 23, 9))
    handle(engine, d, c.Accept(actor=HANDLER), now=_at(2026, 11, 23, 10))
    with pytest.raises(InvalidInput):
        handle(
            engine, d, c.Consult(actor=HANDLER, agencies=("BCA", "XYZ")), now=_at(2026, 11, 23, 11)
        )
    assert [o.template for o in _outbox(engine, d)] == ["receipt"]


def test_concurrent_commands_lose_no_update(engine: Engine) -> None:
    """Eight simultaneous assignments: each is applied once, in some order."""
    create_token(engine, role="handler", name="Trần Thị Bình")
    d = _create(engine, _at(2026, 11, 23, 9))
    names = ["Nguyễn Văn An", "Trần Thị Bình"] * 4
    create_token(engine, role="handler", name="Nguyễn Văn An")

    def assign(name: str) -> int:
        return handle(
            engine, d, c.Assign(actor=LEADER, assignee=name), now=_at(2026, 11, 23, 10)
        ).version

    with ThreadPoolExecutor(max_workers=8) as pool:
        versions = sorted(pool.map(assign, names))
    assert versions == list(range(2, 10))
    with read_session(engine) as s:
        audit = s.exec(
            select(AuditEvent).where(AuditEvent.dossier_id == d, AuditEvent.action == "assign")
        ).all()
    assert len(audit) == 8


def test_concurrent_receipts_get_unique_sequential_codes(engine: Engine) -> None:
    """Ten dossiers received at once on one day: codes 0001..0010, no duplicate."""
    when = _at(2026, 11, 23, 9)
    with ThreadPoolExecutor(max_workers=5) as pool:
        ids = list(pool.map(lambda _: _create(engine, when), range(10)))
    with read_session(engine) as s:
        from models.dossier import Dossier

        codes = sorted(s.exec(select(Dossier.code).where(col(Dossier.id).in_(ids))).all())
    assert codes == [f"UBCT-PCPNN-20261123-{n:04d}" for n in range(1, 11)]


def test_supplement_during_review_moves_the_due_date_by_the_wait(engine: Engine) -> None:
    """Waiting 4 working days on a supplement moves the appointment date by 4 WD."""
    d = _create(engine, _at(2026, 11, 23, 9))
    accepted = handle(engine, d, c.Accept(actor=HANDLER), now=_at(2026, 11, 23, 10))
    assert str(accepted.due_date) == "2027-01-06"
    stopped = handle(
        engine, d, c.RequestSupplement(actor=HANDLER, missing=("budget",)), now=_at(2026, 12, 7, 9)
    )
    assert stopped.suspended and stopped.status == "awaiting_supplement"
    assert not any(
        t.kind.startswith("dossier_") and t.cancelled_at is None for t in _timers(engine, d)
    )
    resumed = handle(engine, d, c.ReceiveSupplement(actor=HANDLER), now=_at(2026, 12, 11, 16))
    assert resumed.status == "in_review" and not resumed.suspended
    # Tue 8 – Fri 11 Dec: 4 WD waited; 6 Jan 2027 + 4 WD = 12 Jan 2027.
    assert str(resumed.due_date) == "2027-01-12"
    assert str(resumed.legal_due_date) == "2027-01-12"
    late = {
        t.due_at.astimezone(VN).date().isoformat()
        for t in _timers(engine, d)
        if t.kind == "dossier_late" and t.cancelled_at is None
    }
    assert late == {"2027-01-13"}
