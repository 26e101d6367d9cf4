"""Telling people what waits for them: leaders a draft to sign, the handler the last answer,
an assignee a new dossier; and no request for an opinion once it has been given."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from config.settings import Settings
from flows.engine import commands as c
from flows.engine.state import Actor
from flows.procedures import REGISTRY, ProcedureRegistry
from flows.procedures.schema import SilenceRule
from flows.service.admin import create_token
from flows.service.handle import handle, respond
from flows.service.intake import create_dossier
from flows.service.sweep import sweep
from models.db import read_session, write_session
from models.outbox import Outbox
from models.schemas import DossierCreate
from models.user import User
from notifications.delivery import deliver_once
from tests.conftest import Clock
from tests.integration.conftest import Client, SmtpServer
from tests.integration.helpers import act, answer_all, ok, operation_issue

AN, BINH, CUONG = "Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Cường"
AN_MAIL, BINH_MAIL, CUONG_MAIL = (
    "an@handlers.example.org",
    "binh@handlers.example.org",
    "cuong@leaders.example.org",
)
BCA_MAIL, BTC_MAIL = "bca@agencies.example.org", "btc@agencies.example.org"


def _subject(msg: EmailMessage) -> str:
    # Python folds a long ASCII subject right after "Subject:", and its parser keeps the fold's
    # leading space; mail readers trim it.
    return str(msg["Subject"]).strip()


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _html(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def _give_email(engine: Engine, name: str, email: str, language: str) -> None:
    """The `tokens` fixture makes users without an e-mail; give one (and a language)."""
    with write_session(engine) as session:
        user = session.exec(select(User).where(User.display_name == name)).one()
        user.email, user.language = email, language
        session.add(user)


def _add_user(
    engine: Engine,
    username: str,
    name: str,
    role: str,
    email: str,
    language: str = "vi",
    active: bool = True,
) -> None:
    with write_session(engine) as session:
        session.add(
            User(
                username=username,
                display_name=name,
                role=role,
                email=email,
                language=language,
                active=active,
            )
        )


async def _deliver(engine: Engine, settings: Settings, clock: Clock) -> dict[str, Any]:
    return (await deliver_once(engine, settings, clock=clock)).as_dict()


def _outbox(engine: Engine, template: str) -> list[Outbox]:
    with read_session(engine) as session:
        return list(session.exec(select(Outbox).where(Outbox.template == template)).all())


def _vn(day: str) -> str:
    return date.fromisoformat(day).strftime("%d/%m/%Y")


def _consulted(client: Client, agencies: list[str]) -> dict[str, Any]:
    """A dossier received and accepted by An, consulting the agencies."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    return act(h, d["id"], "consult", {"agencies": agencies})  # type: ignore[no-any-return]


def _answer(
    client: Client, view: dict[str, Any], agency: str, opinion: str = "agree", comments: str = ""
) -> None:
    [request] = [x for x in view["consultations"] if x["agency"] == agency]
    ok(
        client(agency).post(
            f"/consultations/{request['id']}/response",
            json={"opinion": opinion, "comments": comments},
        )
    )


async def test_proposing_emails_every_active_leader_in_their_language(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """A draft waiting for signature reaches each active leader with an e-mail, in their
    own language, with the proposal and a link to the signing page; nobody else."""
    view = _consulted(client, ["BCA"])
    _give_email(engine, CUONG, CUONG_MAIL, "en")
    _give_email(engine, AN, AN_MAIL, "vi")
    _add_user(engine, "em", "Hoàng Văn Em", "leader", "em@leaders.example.org")
    _add_user(engine, "gam", "Võ Thị Gấm", "leader", "gam@leaders.example.org", active=False)
    _add_user(engine, "hai", "Đỗ Văn Hải", "manager", "hai@managers.example.org")
    _answer(client, view, "BCA")
    answer_all(client, act(client("handler"), view["id"], "consult"))  # the others required
    act(
        client("handler"),
        view["id"],
        "propose",
        {"outcome": "refuse", "reasons": "Activities outside the permitted fields."},
    )
    await _deliver(engine, settings, clock)

    assert sorted(r.recipient for r in _outbox(engine, "decision_waiting")) == [
        CUONG_MAIL,
        "em@leaders.example.org",
    ]
    [english] = smtp.inbox.to(CUONG_MAIL)
    assert _subject(english) == (f"[{view['code']}] Awaiting your signature: proposal to refuse")
    link = f"{settings.base_url}/app/decisions/{view['id']}"
    body = _text(english)
    for expected in (
        link,
        AN,
        "Save the Rivers Foundation",
        "REFUSE",
        "Activities outside the permitted fields.",
        _vn(view["due_date"]),
        "Issue an operation registration certificate",
    ):
        assert expected in body
    assert f'href="{link}"' in _html(english)
    [vietnamese] = smtp.inbox.to("em@leaders.example.org")
    assert "Hồ sơ chờ Lãnh đạo ký duyệt: đề xuất không chấp thuận" in _subject(vietnamese)
    assert "Kính gửi: Lãnh đạo phụ trách" in _text(vietnamese) and link in _text(vietnamese)
    assert smtp.inbox.to("gam@leaders.example.org") == []
    assert smtp.inbox.to("hai@managers.example.org") == []
    assert (await _deliver(engine, settings, clock))["sent"] == 0


async def test_the_last_answer_emails_the_handler_once(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """Not after the first of two answers; after the second, one summary of both."""
    view = _consulted(client, ["BCA", "BTC"])
    _give_email(engine, AN, AN_MAIL, "vi")
    assert (await _deliver(engine, settings, clock))["sent"] == 3  # receipt, two requests
    clock.advance(days=2)
    _answer(client, view, "BCA", "agree_with_conditions", "Chỉ hoạt động tại Quảng Trị.")
    await _deliver(engine, settings, clock)
    assert smtp.inbox.to(AN_MAIL) == []
    assert _outbox(engine, "consultations_complete") == []

    clock.advance(days=1)
    _answer(client, view, "BTC", "object", "Thiếu kế hoạch tài chính.")
    assert (await _deliver(engine, settings, clock))["sent"] == 1
    [summary] = smtp.inbox.to(AN_MAIL)
    assert _subject(summary) == (
        f"[{view['code']}] Đã có đủ ý kiến của các cơ quan được lấy ý kiến"
    )
    body = _text(summary)
    for expected in (
        "Bộ Công an: Đồng ý có điều kiện (ý kiến ngày 25/11/2026)",
        "Chỉ hoạt động tại Quảng Trị.",
        "Bộ Tài chính: Không đồng ý",
        "Thiếu kế hoạch tài chính.",
        "TỔNG HỢP Ý KIẾN (2 cơ quan)",
        f"{settings.base_url}/app/dossiers/{view['id']}",
    ):
        assert expected in body
    assert (await _deliver(engine, settings, clock))["sent"] == 0
    assert len(smtp.inbox.to(AN_MAIL)) == 1


async def test_assigning_emails_the_assignee_but_not_who_takes_it_on_themselves(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """An takes the dossier (no mail), hands it to Bình (mail, in her language); from then
    on Bình, not An, hears when the consultations are complete."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    _give_email(engine, AN, AN_MAIL, "vi")
    _give_email(engine, BINH, BINH_MAIL, "en")
    act(h, d["id"], "assign", {"assignee": AN})
    await _deliver(engine, settings, clock)
    assert smtp.inbox.to(AN_MAIL) == []

    act(h, d["id"], "assign", {"assignee": BINH})
    await _deliver(engine, settings, clock)
    [assigned] = smtp.inbox.to(BINH_MAIL)
    assert _subject(assigned) == f"[{d['code']}] A dossier has been assigned to you"
    body = _text(assigned)
    link = f"{settings.base_url}/app/dossiers/{d['id']}"
    for expected in (
        f"To: {BINH}",
        f"(assigned by {AN})",
        f"Previous handling officer: {AN}",
        "Operation registration for clean-water projects",
        link,
    ):
        assert expected in body
    assert f'href="{link}"' in _html(assigned)

    b = client("handler2")
    act(b, d["id"], "accept")
    view = act(b, d["id"], "consult", {"agencies": ["BCA"]})
    _answer(client, view, "BCA")
    await _deliver(engine, settings, clock)
    assert [_subject(m) for m in smtp.inbox.to(BINH_MAIL)][1:] == [
        f"[{d['code']}] Every consulted agency has given its opinion"
    ]
    assert smtp.inbox.to(AN_MAIL) == []


async def test_an_answer_before_delivery_skips_that_agencys_request(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """BCA answers before its e-mail went out: that e-mail is skipped, BTC's is sent."""
    view = _consulted(client, ["BCA", "BTC"])
    _answer(client, view, "BCA")
    first = await _deliver(engine, settings, clock)
    assert (first["sent"], first["skipped"], first["failed"]) == (2, 1, 0)  # receipt, BTC
    assert smtp.inbox.to(BCA_MAIL) == []
    [btc] = smtp.inbox.to(BTC_MAIL)
    assert "/reply/" in _text(btc)
    rows = {r.recipient: r for r in _outbox(engine, "consultation_request")}
    assert rows[BCA_MAIL].status == "skipped" and rows[BCA_MAIL].attempts == 0
    assert rows[BCA_MAIL].last_error == "not sent: the consultation is already answered"
    assert rows[BCA_MAIL].claimed_until is None and rows[BCA_MAIL].sent_at is None
    assert rows[BTC_MAIL].status == "sent"
    again = await _deliver(engine, settings, clock)
    assert (again["sent"], again["skipped"]) == (0, 0)


async def test_reminders_for_ended_requests_are_skipped_and_deemed_consent_completes(
    clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """Service layer: a reminder waiting when the agency answers is skipped; silence deemed
    consent for the last open request tells the handler, once, with both outcomes."""
    base = REGISTRY.get("ngo.operation.issue")
    assert base is not None
    registry = ProcedureRegistry(
        (base.model_copy(update={"silence_rule": SilenceRule.deemed_consent}),)
    )
    handler = Actor(AN, "handler")
    create_token(engine, role="handler", name=AN, email=AN_MAIL)
    payload = DossierCreate.model_validate(operation_issue())
    d = create_dossier(engine, payload, handler, now=clock.set(2026, 11, 23, 8), registry=registry)[
        0
    ].id
    handle(engine, d, c.Accept(actor=handler), now=clock.set(2026, 11, 23, 9), registry=registry)
    view = handle(
        engine,
        d,
        c.Consult(actor=handler, agencies=("BCA", "BTC")),
        now=clock.set(2026, 11, 23, 10),
        registry=registry,
    )
    ids = {x.agency: x.id for x in view.consultations}
    assert (await deliver_once(engine, settings, clock=clock)).sent == 3

    assert sweep(engine, clock.set(2026, 12, 4, 9), registry=registry).reminders == 2
    respond(
        engine,
        ids["BCA"],
        c.Respond(actor=Actor("o", "agency", "BCA"), consultation_id=ids["BCA"]),
        now=clock.set(2026, 12, 7, 9),
    )
    reminded = await deliver_once(engine, settings, clock=clock)
    assert (reminded.sent, reminded.skipped) == (1, 1)
    [_, reminder] = smtp.inbox.to(BTC_MAIL)
    assert "Nhắc hạn cho ý kiến" in _subject(reminder)
    assert len(smtp.inbox.to(BCA_MAIL)) == 1  # the request only, not the reminder
    assert smtp.inbox.to(AN_MAIL) == []

    assert sweep(engine, clock.set(2026, 12, 9, 0, 0), registry=registry).deemed_consent == 1
    assert (await deliver_once(engine, settings, clock=clock)).sent == 3  # deemed ×2, summary
    [complete] = [m for m in smtp.inbox.to(AN_MAIL) if "Đã có đủ ý kiến" in _subject(m)]
    body = _text(complete)
    assert "Bộ Công an: Đồng ý (ý kiến ngày 07/12/2026)" in body
    assert "Bộ Tài chính: Được coi là đồng ý do không có ý kiến đến hết ngày 08/12/2026" in body
    assert len(_outbox(engine, "consultations_complete")) == 1
