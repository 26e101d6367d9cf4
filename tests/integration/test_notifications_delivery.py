"""Notifications that never get lost: real SMTP, right people and language, exactly once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from config.settings import Settings
from flows.service import outbox
from models.db import read_session
from models.outbox import Outbox
from notifications.delivery import LEASE, deliver_once
from notifications.render import render
from notifications.sender import build_message, send
from tests.conftest import VN, Clock
from tests.integration.conftest import Browser, Client, SmtpServer
from tests.integration.helpers import act, answer_all, ok, operation_issue

APPLICANT = "contact@savetherivers.example.org"


def _body(msg: object) -> str:
    part = msg.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


def _html(msg: object) -> str:
    part = msg.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    return str(part.get_content())


def _reply_url(msg: object) -> str:
    match = re.search(r"https?://\S+/reply/\S+", _body(msg))
    assert match, _body(msg)
    return match.group(0).rstrip(".,;)")


async def _deliver(engine: Engine, settings: Settings, clock: Clock) -> dict:
    return (await deliver_once(engine, settings, clock=clock)).as_dict()


async def test_issuance_sends_the_right_mail_once(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """Applicant (en), agencies (vi) with reply links, decision; nothing twice."""
    h, leader = client("handler"), client("leader")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "request-supplement", {"missing": ["Certified charter", "Budget plan"]})
    clock.set(2026, 11, 25, 10, 0)
    act(h, d["id"], "receive-supplement")
    act(h, d["id"], "accept")
    view = act(h, d["id"], "consult", {"agencies": ["BCA", "BTC"]})
    assert (await _deliver(engine, settings, clock))["sent"] == 4

    [supplement, receipt] = sorted(
        smtp.inbox.to(APPLICANT), key=lambda m: "Receipt" in str(m["Subject"])
    )
    assert "Certified charter" in _body(supplement) and "Budget plan" in _body(supplement)
    assert d["code"] in str(receipt["Subject"])
    assert "07/01/2027" in _body(receipt)  # appointment date: 30 WD after 25 Nov 2026
    assert "appointment" in _body(receipt).lower()  # English, as the applicant chose
    [bca] = smtp.inbox.to("bca@agencies.example.org")
    assert "Kính gửi" in _body(bca) or "Bộ Công an" in _body(bca)  # agencies read Vietnamese
    assert "09/12/2026" in _body(bca)  # requested 25 Nov: 10 WD later
    url = _reply_url(bca)
    assert url.startswith(settings.base_url) and url in _html(bca).replace("&amp;", "&")

    # The agency answers from the e-mail alone: GET shows, only POST records.
    page = client("nobody").get(url.removeprefix(settings.base_url))
    assert page.status_code == 200 and d["code"] in page.text
    assert ok(h.get(f"/dossiers/{d['id']}"))["consultations"][0]["status"] == "requested"
    done = client("nobody").post(
        url.removeprefix(settings.base_url),
        data={"opinion": "agree", "comments": "Không có ý kiến khác"},
    )
    assert done.status_code == 200
    answered = {c["agency"]: c for c in ok(h.get(f"/dossiers/{d['id']}"))["consultations"]}
    assert answered["BCA"]["status"] == "answered"
    assert answered["BCA"]["answered_by"] == "BCA (e-mail link)"
    again = client("nobody").post(url.removeprefix(settings.base_url), data={"opinion": "object"})
    assert again.status_code == 409 and "đã được trả lời" in again.text
    assert answered["BTC"]["status"] == "requested"

    btc = next(c for c in view["consultations"] if c["agency"] == "BTC")
    ok(client("BTC").post(f"/consultations/{btc['id']}/response", json={"opinion": "agree"}))
    # The other agencies the law requires (BNV, NHNN, UBND-QT, UBND-HUE, BNNMT): one request
    # e-mail each, then their answers, before the proposal.
    others = act(h, d["id"], "consult")
    assert (await _deliver(engine, settings, clock))["sent"] == 5
    answer_all(client, others)
    act(h, d["id"], "propose", {"outcome": "approve", "validity_years": 3})
    clock.set(2026, 12, 8, 9, 0)
    act(leader, d["id"], "sign")
    assert (await _deliver(engine, settings, clock))["sent"] == 1
    [decision] = [m for m in smtp.inbox.to(APPLICANT) if "GĐK" in _body(m)]
    assert "07/12/2029" in _body(decision)

    assert (await _deliver(engine, settings, clock))["sent"] == 0
    ids = [str(m["Message-ID"]) for _, m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 10


async def test_smtp_down_waits_then_delivers_exactly_once(
    client: Client, clock: Clock, engine: Engine, settings: Settings
) -> None:
    """Messages wait with backoff while the server is down, then go once."""
    server = SmtpServer()
    settings.smtp_port = server.port  # nothing listens yet
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    first = await _deliver(engine, settings, clock)
    assert (first["sent"], first["failed"]) == (0, 1)
    with read_session(engine) as s:
        row = s.exec(select(Outbox)).one()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == clock.now + timedelta(seconds=30)
    assert (await _deliver(engine, settings, clock))["failed"] == 0  # backing off
    server.start()
    try:
        clock.advance(seconds=31)
        assert (await _deliver(engine, settings, clock))["sent"] == 1
        clock.advance(hours=1)
        assert (await _deliver(engine, settings, clock))["sent"] == 0
        assert len(server.inbox.to(APPLICANT)) == 1
    finally:
        server.stop()


async def test_dead_after_the_last_attempt_and_admins_alerted(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """A recipient the server refuses every time ends dead; administrators hear of it."""
    h = client("handler")
    bad = operation_issue(applicant={"name": "X", "country": "Y", "email": "refused@example.org"})
    d = ok(h.post("/dossiers", json=bad), 201)
    act(h, d["id"], "accept")
    smtp.stop()  # down for every attempt
    for _ in range(settings.delivery_max_attempts):
        await _deliver(engine, settings, clock)
        clock.advance(hours=2)
    with read_session(engine) as s:
        rows = {r.template: r for r in s.exec(select(Outbox)).all()}
    assert rows["receipt"].status == "dead"
    assert rows["receipt"].attempts == settings.delivery_max_attempts
    assert rows["delivery_dead"].recipient == "ops@admins.example.org"
    smtp.start()
    assert (await _deliver(engine, settings, clock))["sent"] == 1
    [alert] = smtp.inbox.to("ops@admins.example.org")
    assert "refused@example.org" in _body(alert)


async def test_a_killed_deliverer_loses_nothing_and_keeps_message_ids(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """Claimed then killed: after the lease another pass sends, with the same Message-ID."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    [claimed] = outbox.claim(engine, clock.now, 10, LEASE)
    # The process dies after the SMTP server accepted, before recording it.
    rendered = render(claimed.template, claimed.language, claimed.context)
    await send(
        settings,
        build_message(
            sender=settings.mail_from,
            recipient=claimed.recipient,
            rendered=rendered,
            message_id=claimed.message_id,
        ),
    )
    assert (await _deliver(engine, settings, clock))["sent"] == 0  # still leased
    clock.now = clock.now + LEASE + timedelta(seconds=1)
    assert (await _deliver(engine, settings, clock))["sent"] == 1
    copies = smtp.inbox.to(APPLICANT)
    assert len(copies) == 2 and copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert (await _deliver(engine, settings, clock))["sent"] == 0


async def test_forged_expired_and_bad_links_record_nothing(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """Tampered, expired or malformed answers show a clear page, never a 500."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "accept")
    act(h, d["id"], "consult", {"agencies": ["BCA"]})
    await _deliver(engine, settings, clock)
    path = _reply_url(smtp.inbox.to("bca@agencies.example.org")[0]).removeprefix(settings.base_url)
    anon = client("nobody")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    # A forged or malformed link is "not found" like any object the caller may not see (404).
    for bad in (forged, "/reply/garbage", "/reply/x.y"):
        assert anon.get(bad).status_code == 404
        assert anon.post(bad, data={"opinion": "agree"}).status_code == 404
    assert anon.post(path, data={"opinion": "maybe"}).status_code == 422
    assert anon.get(path + "?lang=en").status_code == 200
    assert anon.get(path + "?lang=fr").status_code == 422
    clock.now = datetime(2027, 2, 1, 9, tzinfo=VN)  # due 8 Dec + 30 days has passed
    expired = anon.post(path, data={"opinion": "agree"})
    assert expired.status_code == 410
    assert anon.get(path).status_code == 410
    assert ok(h.get(f"/dossiers/{d['id']}"))["consultations"][0]["status"] == "requested"


def test_mail_pages_show_what_the_sink_received(browser: Browser, settings: Settings) -> None:
    """The embedded sink's Maildir is browsable at /mail by a signed-in administrator."""
    import mailbox

    (settings.var_dir / "mail").parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(settings.var_dir / "mail", create=True)
    box.add(
        b"X-Envelope-To: bca@agencies.example.org\r\nSubject: [X-1] Hello <b>\r\n"
        b"To: bca@agencies.example.org\r\n\r\nBody http://127.0.0.1/reply/abc\r\n"
    )
    box.close()
    admin = browser("admin")
    page = admin.get("/mail")
    assert page.status_code == 200 and "[X-1] Hello &lt;b&gt;" in page.text
    key = re.search(r'href="/mail/([^"]+)"', page.text)
    assert key
    one = admin.get(f"/mail/{key.group(1)}")
    assert one.status_code == 200 and "http://127.0.0.1/reply/abc" in one.text
    assert admin.get("/mail/nope").status_code == 404
