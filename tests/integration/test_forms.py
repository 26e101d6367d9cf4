"""The one-stop forms over real HTTP: HTML and PDF with the right dates, text read back."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import select

from config.settings import Settings
from flows.documents.render import RenderError
from models.db import read_session
from models.outbox import Outbox
from notifications import delivery
from notifications.delivery import deliver_once
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client, SmtpServer
from tests.integration.helpers import act, answer_all, ok, operation_issue

APPLICANT = "contact@savetherivers.example.org"
COMMITTEE = "ỦY BAN CÔNG TÁC VỀ CÁC TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI"


def pdf_text(content: bytes) -> str:
    """The PDF's text, spaces and line breaks collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def get_pdf(c: httpx.Client, path: str) -> str:
    answer = c.get(path, params={"format": "pdf"})
    assert answer.status_code == 200, (answer.status_code, answer.text)
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline; filename=")
    assert answer.content.startswith(b"%PDF-")
    return pdf_text(answer.content)


def get_html(c: httpx.Client, path: str) -> str:
    answer = c.get(path, params={"format": "html"})
    assert answer.status_code == 200, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    return answer.text


def received(c: httpx.Client, clock: Clock, **overrides: Any) -> dict[str, Any]:
    """A dossier received at the clock's time, with one uploaded document."""
    d: dict[str, Any] = ok(c.post("/dossiers", json=operation_issue(**overrides)), 201)
    files = {"file": ("Điều lệ tổ chức.pdf", b"%PDF-1.4 charter", "application/pdf")}
    ok(c.post(f"/dossiers/{d['id']}/documents", files=files), 201)
    return d


def test_receipt_extension_and_control_slip_print_with_their_dates(
    client: Client, clock: Clock
) -> None:
    """Forms 01, 04 and 06 as HTML and PDF: titles, receiving body, applicant, dates in
    dd/mm/yyyy, times as HH giờ MM phút, and early / on time / late on each hand-off."""
    h, leader = client("handler"), client("leader")
    d = received(h, clock)  # Monday 23/11/2026 09:00, Hà Nội
    forms = f"/dossiers/{d['id']}/forms"
    assert h.get(f"{forms}/01").status_code == 404  # not accepted yet
    assert h.get(f"{forms}/04").status_code == 404
    assert h.get(f"/dossiers/{d['id']}/decision").status_code == 404
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in get_html(h, f"{forms}/06")
    assert client("BCA").get(f"{forms}/06").status_code == 403
    assert h.get(f"{forms}/06", params={"format": "docx"}).status_code == 422
    assert h.get(f"{forms}/07").status_code == 404

    clock.set(2026, 11, 23, 10, 30)
    accepted = act(h, d["id"], "accept")
    # 30 working days from the working day after Monday 23/11/2026: Tuesday 24/11 is Vietnam
    # Cultural Day (holidays.VN from 2026) and Friday 1/1/2027 New Year's Day, so the count
    # runs 25–27/11 (3), 30/11–4/12 (8), 7–11/12 (13), 14–18/12 (18), 21–25/12 (23),
    # 28–31/12 (27), 4/1 (28), 5/1 (29), 6/1/2027 (30): Wednesday 06/01/2027.
    assert accepted["due_date"] == "2027-01-06"

    receipt = get_pdf(h, f"{forms}/01")
    for phrase in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        COMMITTEE,
        "Hà Nội, ngày 23 tháng 11 năm 2026",
        "Save the Rivers Foundation",
        "Điều lệ tổ chức.pdf",
        "Thời hạn giải quyết: 30 ngày làm việc, kể từ ngày làm việc tiếp theo ngày tiếp nhận "
        "hồ sơ đầy đủ, hợp lệ",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 23/11/2026",
        "Ngày tiếp nhận hồ sơ hợp lệ: 23/11/2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 10 giờ 30 phút, ngày 06/01/2027",
        "NGƯỜI TIẾP NHẬN",
        "Nguyễn Văn An",
    ):
        assert phrase in receipt, (phrase, receipt)
    assert (
        f'filename="{d["code"]}-mau-01.pdf"'
        in h.get(f"{forms}/01", params={"format": "pdf"}).headers["content-disposition"]
    )
    page = get_html(h, f"{forms}/01")
    assert "/static/vendor/fonts/noto-serif/noto-serif-vietnamese-400-normal.woff2" in page
    font = h.get("/static/vendor/fonts/noto-serif/noto-serif-vietnamese-400-normal.woff2")
    assert font.status_code == 200 and font.content[:4] == b"wOF2"  # served by the app

    clock.set(2026, 11, 25, 9, 0)
    view = act(h, d["id"], "consult", {"agencies": ["BCA", "BTC", "BNV"]})
    ids = {c["agency"]: c["id"] for c in view["consultations"]}
    assert {c["due_date"] for c in view["consultations"]} == {"2026-12-09"}  # 10 WD
    for agency, day in (("BCA", 1), ("BTC", 9), ("BNV", 10)):  # early, on the day, late
        clock.set(2026, 12, day, 15, 0)
        ok(client(agency).post(f"/consultations/{ids[agency]}/response", json={"opinion": "agree"}))

    clock.set(2026, 12, 11, 9, 0)
    act(h, d["id"], "extend", {"reason": "Chờ thống nhất ý kiến của Bộ Nội vụ", "working_days": 5})
    letter = get_pdf(h, f"{forms}/04")
    for phrase in (
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        COMMITTEE,
        "Kính gửi: Save the Rivers Foundation",
        "Hà Nội, ngày 11 tháng 12 năm 2026",
        "Ngày hẹn trả kết quả giải quyết hồ sơ: 06/01/2027",
        "Chờ thống nhất ý kiến của Bộ Nội vụ",
        # Five working days after the old date: 7, 8, 11, 12 and 13 January 2027.
        "10 giờ 30 phút, ngày 13/01/2027",
        "THỦ TRƯỞNG CƠ QUAN",
    ):
        assert phrase in letter, (phrase, letter)
    assert "VĂN BẢN XIN LỖI" in get_html(h, f"{forms}/04")

    # The other agencies the law requires (NHNN, UBND-QT, UBND-HUE, BNNMT), answered at once.
    answer_all(client, act(h, d["id"], "consult"))
    act(h, d["id"], "propose", {"outcome": "approve", "validity_years": 3})
    clock.set(2026, 12, 14, 9, 0)
    signed = act(leader, d["id"], "sign")
    number = signed["decision"]["certificate_number"]

    slip = get_pdf(client("manager"), f"{forms}/06")
    for phrase in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        COMMITTEE,
        "Save the Rivers Foundation",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "09/12/2026",  # the agencies' due date
        "10 giờ 30 phút, ngày 23/11/2026",  # acceptance, handed on
    ):
        assert phrase in slip, (phrase, slip)
    page = get_html(h, f"{forms}/06")
    assert page.count('class="mark-early"') >= 2  # intake within 2 WD, BCA's early answer
    assert page.count('class="mark-on_time"') == 1  # BTC on its due date
    assert page.count('class="mark-late"') >= 2  # BNV a day late; signature after extension

    decision = get_pdf(h, f"/dossiers/{d['id']}/decision")
    assert "BỘ NGOẠI GIAO" in decision and "Save the Rivers Foundation" in decision
    assert number and number in "".join(decision.split()), (number, decision)
    assert "từ ngày 14/12/2026 đến hết ngày 13/12/2029" in decision
    assert "GIẤY ĐĂNG KÝ HOẠT ĐỘNG" in get_html(leader, f"/dossiers/{d['id']}/decision")
    assert client("BCA").get(f"/dossiers/{d['id']}/decision").status_code == 403


def test_register_lists_the_dossiers_received_in_the_period(client: Client, clock: Clock) -> None:
    """Form 07 for November has the November dossier, not December's, with its dates."""
    h = client("handler")
    november = received(h, clock)
    clock.set(2026, 11, 23, 10, 30)
    act(h, november["id"], "accept")
    clock.set(2026, 12, 1, 9, 0)
    december = received(h, clock, subject="A December dossier")

    period = {"from": "2026-11-01", "to": "2026-11-30"}
    page = h.get("/reports/register", params={**period, "format": "html"})
    assert page.status_code == 200, page.text
    assert november["code"] in page.text and december["code"] not in page.text
    assert "SỔ THEO DÕI HỒ SƠ" in page.text and "06/01/2027" in page.text
    assert "Đang giải quyết, trong hạn" in page.text
    # Its PDF link keeps the period (a bare ?format=pdf would lose it).
    assert f'href="?from={period["from"]}&amp;to={period["to"]}&amp;format=pdf"' in page.text

    answer = client("manager").get("/reports/register", params={**period, "format": "pdf"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert (
        'filename="so-theo-doi-ho-so-20261101-20261130.pdf"'
        in (answer.headers["content-disposition"])
    )
    text = pdf_text(answer.content)
    assert "SỔ THEO DÕI HỒ SƠ" in text and COMMITTEE in text
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in text
    assert november["code"] in "".join(text.split())
    both = h.get("/reports/register", params={"from": "2026-11-01", "to": "2026-12-31"})
    assert november["code"] in both.text and december["code"] in both.text
    backwards = h.get("/reports/register", params={"from": "2026-12-01", "to": "2026-11-01"})
    assert backwards.status_code == 422
    assert client("BCA").get("/reports/register", params=period).status_code == 403


async def test_the_receipt_email_carries_form_01_as_pdf(
    client: Client, clock: Clock, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    """The applicant's receipt e-mail attaches the PDF; a printing failure is one failed
    attempt that is retried, never a lost message, and the Message-ID stays the same."""
    h = client("handler")
    d = received(h, clock)
    clock.set(2026, 11, 23, 10, 30)
    act(h, d["id"], "accept")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RenderError("WeasyPrint is unwell")

    original = delivery.message_attachment
    delivery.message_attachment = broken  # type: ignore[assignment]
    try:
        first = (await deliver_once(engine, settings, clock=clock)).as_dict()
    finally:
        delivery.message_attachment = original
    assert (first["sent"], first["failed"]) == (0, 1)
    with read_session(engine) as s:
        row = s.exec(select(Outbox).where(Outbox.template == "receipt")).one()
    assert (row.status, row.attempts) == ("pending", 1) and "unwell" in (row.last_error or "")
    assert smtp.inbox.messages == []

    clock.advance(seconds=31)
    assert (await deliver_once(engine, settings, clock=clock)).sent == 1
    [mail] = smtp.inbox.to(APPLICANT)
    assert str(mail["Message-ID"]) == row.message_id
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{d['code']}-mau-01.pdf"
    text = pdf_text(attachment.get_content())
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "10 giờ 30 phút, ngày 06/01/2027" in text
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and d["code"] in str(body.get_content())

    clock.set(2026, 12, 11, 9, 0)
    act(h, d["id"], "extend", {"reason": "Chờ ý kiến của Bộ Nội vụ", "working_days": 5})
    assert (await deliver_once(engine, settings, clock=clock)).sent == 1
    [extension] = [m for m in smtp.inbox.to(APPLICANT) if m is not mail]
    [letter] = list(extension.iter_attachments())
    assert letter.get_filename() == f"{d['code']}-mau-04.pdf"
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in pdf_text(
        letter.get_content()
    )


def test_the_dossier_page_lists_the_forms_that_apply(
    browser: Browser, client: Client, clock: Clock
) -> None:
    """Biểu mẫu: HTML and PDF links of the forms the dossier has, served to the signed-in."""
    h = client("handler")
    d = received(h, clock)
    page = browser("handler")
    before = page.get(f"/app/dossiers/{d['id']}")
    assert before.status_code == 200 and "Biểu mẫu" in before.text
    assert f"/app/dossiers/{d['id']}/forms/06?format=pdf" in before.text
    assert f"/app/dossiers/{d['id']}/forms/01" not in before.text
    act(h, d["id"], "accept")
    after = page.get(f"/app/dossiers/{d['id']}").text
    assert f"/app/dossiers/{d['id']}/forms/01?format=html" in after
    pdf = page.get(f"/app/dossiers/{d['id']}/forms/01", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in pdf_text(pdf.content)
    assert page.get(f"/app/dossiers/{d['id']}/forms/04").status_code == 404
