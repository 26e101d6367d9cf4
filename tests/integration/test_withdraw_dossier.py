"""Withdrawing a dossier: the applicant receives form 05 by e-mail, from the receiving agency."""

from __future__ import annotations

import io
from email.message import EmailMessage
from typing import Any

from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import select

from config.settings import Settings
from models.db import write_session
from models.outbox import Outbox
from notifications.delivery import deliver_once
from tests.conftest import Clock
from tests.integration.conftest import Client, SmtpServer
from tests.integration.helpers import act, ok, operation_issue

APPLICANT = "contact@savetherivers.example.org"
DONOR = "grants@cleanwater.example.org"
AID: dict[str, Any] = {
    "procedure": "aid.project.appraise",
    "applicant": {"name": "Clean Water Partners", "country": "Norway", "email": DONOR},
    "subject": "Clean water for Gio Linh",
    "donor": "Clean Water Partners",
    "donor_is_foreign_ngo": True,
    "amount": "250000",
    "currency": "USD",
    "sector": "water",
    "province": "Quảng Trị",
    "touches_security_defence_religion": False,
    "kind": "technical_assistance",
    "duration_months": 24,
}


def pdf_text(content: bytes) -> str:
    """The PDF's text, spaces and line breaks collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def subject(mail: EmailMessage) -> str:
    """The Subject header unfolded (a long one is folded on the wire)."""
    return " ".join(str(mail["Subject"]).split())


def plain(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def stop_notice(smtp: SmtpServer, recipient: str, code: str) -> tuple[EmailMessage, str]:
    """The form 05 e-mail sent to `recipient`, and the text of its PDF."""
    found = [
        (mail, part)
        for mail in smtp.inbox.to(recipient)
        for part in mail.iter_attachments()
        if part.get_filename() == f"{code}-mau-05.pdf"
    ]
    assert len(found) == 1, [subject(m) for m in smtp.inbox.to(recipient)]
    [(mail, attachment)] = found
    assert attachment.get_content_type() == "application/pdf"
    assert len(list(mail.iter_attachments())) == 1
    return mail, pdf_text(attachment.get_content())


async def test_withdrawing_sends_form_05_to_the_applicant(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """The applicant (English) receives the notice of stopping with its PDF, which gives the
    Committee as the issuing body, the time of the stop and the reason."""
    h = client("handler")
    d = ok(
        h.post("/dossiers", json=operation_issue(home_registration_valid_until="2031-12-31")), 201
    )
    act(h, d["id"], "accept")
    clock.set(2026, 12, 2, 14, 15)
    act(h, d["id"], "withdraw", {"reason": "Tổ chức thay đổi kế hoạch hoạt động"})
    assert (await deliver_once(engine, settings, clock=clock)).sent == 2  # receipt, stop

    mail, text = stop_notice(smtp, APPLICANT, d["code"])
    assert subject(mail) == f"[{d['code']}] Notice of stopping the processing of the dossier"
    assert "Committee for Foreign NGO Affairs" in plain(mail)
    assert "14:15 02/12/2026" in plain(mail) and "Tổ chức thay đổi" in plain(mail)
    for phrase in (
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "ỦY BAN CÔNG TÁC VỀ CÁC TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI",
        "thông báo dừng giải quyết hồ sơ nêu trên kể từ 14 giờ 15 phút, ngày 02/12/2026",
        "Tổ chức thay đổi kế hoạch hoạt động",
        "Kính gửi: Save the Rivers Foundation",
    ):
        assert phrase in text, (phrase, text)
    assert "dừng giải quyết" in text
    assert (await deliver_once(engine, settings, clock=clock)).sent == 0  # once only


async def test_a_provincial_dossier_speaks_for_the_department_of_finance(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """An aid appraisal received by Sở Tài chính: its receipt and its notice of stopping name
    the department as sender, in the e-mails and in the forms, and never the Committee."""
    h = client("handler")
    d = ok(
        h.post("/dossiers", json={**AID, "applicant": {**AID["applicant"], "language": "vi"}}), 201
    )
    assert d["code"].startswith("STC-QT-")
    act(h, d["id"], "accept")
    clock.set(2026, 11, 30, 9, 30)
    act(h, d["id"], "withdraw", {"reason": "Nhà tài trợ thay đổi kế hoạch."})
    assert (await deliver_once(engine, settings, clock=clock)).sent == 2

    mails = smtp.inbox.to(DONOR)
    assert {subject(m).removeprefix(f"[{d['code']}] ") for m in mails} == {
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Thông báo dừng giải quyết hồ sơ",
    }
    for mail in mails:
        assert "Sở Tài chính tỉnh Quảng Trị" in plain(mail)
        assert "Sở Tài chính tỉnh Quảng Trị" in html(mail)
        for body in (plain(mail), html(mail)):
            assert "Ủy ban công tác" not in body and "Committee" not in body
            assert "Quý tổ chức" in body
    [receipt] = [m for m in mails if "hẹn trả kết quả" in subject(m)]
    assert (
        "Thời hạn giải quyết: 20 ngày làm việc, kể từ ngày làm việc tiếp theo ngày tiếp nhận "
        "hồ sơ đầy đủ, hợp lệ" in plain(receipt)
    )
    _, text = stop_notice(smtp, DONOR, d["code"])
    for phrase in (
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ",
        "SỞ TÀI CHÍNH TỈNH QUẢNG TRỊ",
        "Quảng Trị, ngày 30 tháng 11 năm 2026",
        "09 giờ 30 phút, ngày 30/11/2026",
        "Nhà tài trợ thay đổi kế hoạch.",
    ):
        assert phrase in text, (phrase, text)
    assert "dừng giải quyết" in text and "ỦY BAN CÔNG TÁC" not in text


async def test_a_message_queued_before_senders_were_written_names_its_sender(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """An outbox row written without the sender keys is still delivered, from the body that
    received the dossier, not a fixed one."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=AID), 201)
    act(h, d["id"], "withdraw", {"reason": "Nhà tài trợ rút đề nghị"})
    with write_session(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.template == "stopped")).one()
        row.context = {
            k: v
            for k, v in row.context.items()
            if k not in {"sender_vi", "sender_en", "applicant_is_agency", "total_working_days"}
        }
        session.add(row)
    assert (await deliver_once(engine, settings, clock=clock)).sent == 1
    mail, text = stop_notice(smtp, DONOR, d["code"])
    assert "Sở Tài chính tỉnh Quảng Trị" in plain(mail) and "SỞ TÀI CHÍNH" in text
