"""The one-stop forms laid out as Vietnamese administrative documents (no database)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2 import StrictUndefined
from pypdf import PdfReader

from flows.calendar import WorkingCalendar
from flows.documents import forms
from flows.documents.render import (
    STATIC_DIR,
    environment,
    long_date,
    render_html,
    render_pdf,
    static_file,
    vn_time,
)
from flows.errors import NotFound
from flows.procedures import REGISTRY
from flows.procedures.agencies import REFERENCE_AGENCIES
from models.schemas import (
    Applicant,
    ConsultationPublic,
    DecisionPublic,
    DocumentPublic,
    DossierPublic,
    HistoryItem,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES = {a["code"]: a["name_vi"] for a in REFERENCE_AGENCIES}
CODE = "UBCT-PCPNN-20261123-0001"
CALENDAR = WorkingCalendar()


def words(html: str) -> str:
    """The page's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def item(
    when: datetime,
    actor: str,
    role: str,
    action: str,
    before: str | None,
    after: str,
    *events: dict[str, Any],
) -> HistoryItem:
    return HistoryItem(
        at=when,
        actor=actor,
        actor_role=role,
        action=action,
        from_status=before,
        to_status=after,
        details={"events": list(events)} if events else {},
        chain_intact=True,
    )


def consultation(agency: str, answered: datetime | None) -> ConsultationPublic:
    return ConsultationPublic(
        id=f"c-{agency}",
        dossier_id="d1",
        dossier_code=CODE,
        procedure="ngo.operation.issue",
        subject="Clean water",
        applicant_name="Save the Rivers Foundation",
        agency=agency,
        status="answered" if answered else "requested",
        requested_at=at(2026, 11, 25, 9, 0),
        due_date=date(2026, 12, 9),
        working_days=10,
        reminded_at=None,
        overdue_at=None,
        answered_at=answered,
        answered_by=None,
        answered_late=None,
        opinion="agree" if answered else None,
        comments="",
    )


def dossier(**changes: Any) -> DossierPublic:
    base: dict[str, Any] = {
        "id": "d1",
        "code": CODE,
        "procedure": "ngo.operation.issue",
        "procedure_version": 1,
        "status": "in_review",
        "applicant": Applicant(
            name="Save the Rivers Foundation",
            country="Norway",
            email="contact@savetherivers.example.org",
        ),
        "subject": "Clean water",
        "fields": {"provinces": ["Quảng Trị"], "activity_fields": ["Nước sạch"]},
        "received_at": at(2026, 11, 23, 9, 0),
        "received_by": "Nguyễn Văn An",
        "accepted_at": at(2026, 11, 23, 10, 30),
        "due_date": date(2027, 1, 6),
        "legal_due_date": date(2027, 1, 6),
        "working_days_used": 0,
        "working_days_left": 30,
        "is_overdue": False,
        "suspended": False,
        "missing": [],
        "assignee": None,
        "extended": False,
        "consultations": [],
        "proposal": None,
        "decision": None,
        "completed_at": None,
        "allowed_actions": [],
        "version": 3,
    }
    base.update(changes)
    return DossierPublic(**base)


RECEIVED = item(at(2026, 11, 23, 9, 0), "Nguyễn Văn An", "handler", "receive", None, "received")
ACCEPTED = item(
    at(2026, 11, 23, 10, 30),
    "Nguyễn Văn An",
    "handler",
    "accept",
    "received",
    "in_review",
    {"event": "DossierAccepted", "due_date": "2027-01-06"},
)


def sources(
    d: DossierPublic | None = None, history: list[HistoryItem] | None = None, code: str = ""
) -> forms.FormSources:
    procedure = REGISTRY.get(code or "ngo.operation.issue")
    assert procedure is not None
    return forms.FormSources(
        dossier=d or dossier(),
        history=history if history is not None else [RECEIVED, ACCEPTED],
        procedure=procedure,
        agencies=AGENCIES,
        documents=[
            DocumentPublic(
                id="doc1",
                name="Điều lệ tổ chức.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                uploaded_at=at(2026, 11, 23, 9, 5),
                uploaded_by="Nguyễn Văn An",
            ),
            DocumentPublic(
                id="doc2",
                name="Bổ sung sau khi tiếp nhận.pdf",
                content_type="application/pdf",
                size=10,
                sha256="1" * 64,
                uploaded_at=at(2026, 11, 30, 9, 5),
                uploaded_by="Nguyễn Văn An",
            ),
        ],
        calendar=CALENDAR,
        now=at(2026, 12, 14, 9, 0),
    )


def test_a_document_date_writes_zeros_as_decree_30_does() -> None:
    """A zero before days under 10 and months 1 and 2 only; times as HH giờ MM phút."""
    assert long_date(date(2027, 1, 6)) == "ngày 06 tháng 01 năm 2027"
    assert long_date(date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert long_date(date(2026, 11, 23)) == "ngày 23 tháng 11 năm 2026"
    assert vn_time(datetime(2026, 11, 23, 3, 30, tzinfo=ZoneInfo("UTC"))) == (
        "10 giờ 30 phút, ngày 23/11/2026"
    )


def test_receipt_has_the_layout_and_wording_of_form_01() -> None:
    """Issuing body, national motto, number and date, exact title, statutory period,
    appointment date and hour, the documents received by then, signature and recipients."""
    receipt = forms.build_form("01", sources())
    page = render_html(receipt)
    html = words(page)
    assert "ỦY BAN CÔNG TÁC VỀ CÁC TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI" in html
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html
    assert f"Số: {CODE}/TNHS" in html
    assert "Hà Nội, ngày 23 tháng 11 năm 2026" in html
    assert "<h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>" in page
    assert (
        "Thời hạn giải quyết: 30 ngày làm việc, kể từ ngày làm việc tiếp theo ngày tiếp "
        "nhận hồ sơ đầy đủ, hợp lệ" in html
    )
    assert "Ngày tiếp nhận hồ sơ hợp lệ: 23/11/2026" in html
    assert "Thời gian trả kết quả giải quyết hồ sơ: 10 giờ 30 phút, ngày 06/01/2027" in html
    assert "Điều lệ tổ chức.pdf" in html and "Bổ sung sau khi tiếp nhận" not in html
    assert "NGƯỜI TIẾP NHẬN" in html and "Nguyễn Văn An" in html and "Nơi nhận:" in html
    assert "/static/vendor/fonts/noto-serif/noto-serif-vietnamese-400-normal.woff2" in html
    assert receipt.filename == f"{CODE}-mau-01.pdf"


def test_a_provincial_department_writes_under_its_peoples_committee() -> None:
    procedure = REGISTRY.get("province.opinion")
    assert procedure is not None
    d = dossier(procedure="province.opinion", code="SNGV-QT-20261123-0001")
    receipt = forms.build_form("01", sources(d, code="province.opinion"))
    assert receipt.letterhead.parent == "Ủy ban nhân dân tỉnh Quảng Trị"
    assert receipt.letterhead.body == "Sở Ngoại vụ tỉnh Quảng Trị"
    assert receipt.letterhead.place == "Quảng Trị"
    html = words(render_html(receipt))
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ" in html and "SỞ NGOẠI VỤ TỈNH QUẢNG TRỊ" in html
    assert "Thời hạn giải quyết: 10 ngày làm việc" in html


def test_a_form_applies_only_once_its_event_happened() -> None:
    received = dossier(accepted_at=None, due_date=None, status="received")
    assert forms.applicable_forms(received, [RECEIVED]) == ["06"]
    with pytest.raises(NotFound, match="form 01"):
        forms.build_form("01", sources(received, [RECEIVED]))
    with pytest.raises(NotFound, match="form 04"):
        forms.build_form("04", sources())
    with pytest.raises(NotFound, match="01 to 06"):
        forms.build_form("07", sources())
    extended = item(
        at(2027, 1, 5, 15, 0),
        "Nguyễn Văn An",
        "handler",
        "extend",
        "in_review",
        "in_review",
        {
            "event": "Extended",
            "reason": "Chờ ý kiến của Bộ Nội vụ",
            "working_days": 5,
            "previous_due_date": "2027-01-06",
            "due_date": "2027-01-13",
        },
    )
    history = [RECEIVED, ACCEPTED, extended]
    assert forms.applicable_forms(dossier(extended=True), history) == ["01", "04", "06"]
    letter = forms.build_form("04", sources(dossier(extended=True), history))
    html = words(render_html(letter))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in html
    assert "Chờ ý kiến của Bộ Nội vụ" in html and "10 giờ 30 phút, ngày 13/01/2027" in html
    assert "THỦ TRƯỞNG CƠ QUAN" in html and "Hà Nội, ngày 05 tháng 01 năm 2027" in html


def test_control_slip_marks_each_hand_off_against_its_deadline() -> None:
    """Intake against its 2 WD, each agency against its due date, the signature against the
    appointment date (and late once extended)."""
    d = dossier(
        status="approved",
        extended=True,
        due_date=date(2027, 1, 13),
        consultations=[
            consultation("BCA", at(2026, 12, 1, 9, 0)),
            consultation("BTC", at(2026, 12, 9, 16, 0)),
            consultation("BNV", at(2026, 12, 10, 9, 0)),
        ],
    )
    requested = [
        {
            "event": "ConsultationRequested",
            "consultation_id": f"c-{a}",
            "agency": a,
            "due_date": "2026-12-09",
            "working_days": 10,
        }
        for a in ("BCA", "BTC", "BNV")
    ]

    def answer(agency: str, when: datetime) -> HistoryItem:
        return item(
            when,
            f"Officer {agency}",
            "agency",
            "respond",
            "in_review",
            "in_review",
            {"event": "ConsultationAnswered", "consultation_id": f"c-{agency}", "agency": agency},
        )

    history = [
        RECEIVED,
        ACCEPTED,
        item(
            at(2026, 11, 25, 9, 0),
            "Nguyễn Văn An",
            "handler",
            "consult",
            "in_review",
            "in_review",
            *requested,
        ),
        answer("BCA", at(2026, 12, 1, 9, 0)),
        answer("BTC", at(2026, 12, 9, 16, 0)),
        answer("BNV", at(2026, 12, 10, 9, 0)),
        item(
            at(2026, 12, 11, 9, 0),
            "Nguyễn Văn An",
            "handler",
            "extend",
            "in_review",
            "in_review",
            {"event": "Extended", "due_date": "2027-01-13"},
        ),
        item(
            at(2026, 12, 11, 10, 0),
            "Nguyễn Văn An",
            "handler",
            "propose",
            "in_review",
            "awaiting_decision",
            {"event": "DecisionProposed", "proposed_by": "Nguyễn Văn An"},
        ),
        item(
            at(2026, 12, 14, 9, 0),
            "Lê Minh Cường",
            "leader",
            "sign",
            "awaiting_decision",
            "approved",
            {"event": "DecisionSigned", "timeliness": "late"},
        ),
    ]
    slip = forms.build_control_slip(sources(d, history))
    assert isinstance(slip, forms.ControlSlip)
    rows = {r.step: r for r in slip.rows}
    accept = rows["Tiếp nhận hồ sơ hợp lệ"]
    # 2 WD from Monday 23/11: Tuesday 24/11 is Vietnam Cultural Day, so 25 and 26/11.
    assert (accept.deadline, accept.timeliness) == (date(2026, 11, 26), "early")
    answers = [r for r in slip.rows if r.step == "Cơ quan trả lời"]
    assert [(r.timeliness, r.deadline) for r in answers] == [
        ("early", date(2026, 12, 9)),
        ("on_time", date(2026, 12, 9)),
        ("late", date(2026, 12, 9)),
    ]
    assert answers[0].sender.startswith("Bộ Công an") and answers[0].receiver == "Nguyễn Văn An"
    assert rows["Lấy ý kiến cơ quan liên quan"].receiver == "Bộ Công an; Bộ Tài chính; Bộ Nội vụ"
    assert rows["Trình dự thảo quyết định"].receiver == "Lê Minh Cường"
    sign = rows["Ký quyết định"]
    assert (sign.deadline, sign.timeliness) == (date(2027, 1, 13), "late")
    assert sign.receiver == "Save the Rivers Foundation"
    html = words(render_html(slip))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in html
    assert "Trước hạn" in html and "Đúng hạn" in html and "Quá hạn" in html
    assert "15 giờ 00 phút" not in html and "09 giờ 00 phút, ngày 25/11/2026" in html


def _signed(outcome: str, **changes: Any) -> DossierPublic:
    return dossier(
        status={"approve": "approved", "refuse": "refused"}[outcome],
        decision=DecisionPublic(
            outcome=outcome,
            reasons="Hồ sơ không đáp ứng Điều 10" if outcome == "refuse" else "",
            validity_years=3 if outcome == "approve" else None,
            valid_from=date(2026, 12, 14) if outcome == "approve" else None,
            valid_until=date(2029, 12, 13) if outcome == "approve" else None,
            certificate_number=f"{CODE}/GĐK" if outcome == "approve" else None,
            signed_by="Lê Minh Cường",
            signed_at=at(2026, 12, 14, 9, 0),
            on_time=True,
            timeliness="early",
            working_days_used=15,
        ),
        **changes,
    )


def test_a_certificate_names_the_ngo_its_validity_fields_and_provinces() -> None:
    document = forms.build_decision(sources(_signed("approve")))
    html = words(render_html(document))
    assert "BỘ NGOẠI GIAO" in html and f"Số: {CODE}/GĐK" in html
    assert "GIẤY ĐĂNG KÝ HOẠT ĐỘNG CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI" in html
    assert "từ ngày 14/12/2026 đến hết ngày 13/12/2029" in html
    assert "Nước sạch" in html and "Quảng Trị" in html and "Lê Minh Cường" in html
    assert document.filename == f"{CODE}-quyet-dinh.pdf"


def test_only_an_applicant_is_told_of_the_right_to_complain_or_sue() -> None:
    refusal = words(render_html(forms.build_decision(sources(_signed("refuse")))))
    assert "Hồ sơ không đáp ứng Điều 10" in refusal
    assert "quyền khiếu nại, khởi kiện" in refusal
    opinion = words(
        render_html(
            forms.build_decision(
                sources(_signed("refuse", procedure="province.opinion"), code="province.opinion")
            )
        )
    )
    assert "VĂN BẢN CHO Ý KIẾN" in opinion and "không đồng ý" in opinion
    assert "khiếu nại" not in opinion
    with pytest.raises(NotFound, match="no signed decision"):
        forms.build_decision(sources())


def test_the_forms_escape_what_people_typed() -> None:
    d = dossier(applicant=Applicant(name="<b>NGO</b>", country="X", email="a@b.example.org"))
    html = render_html(forms.build_form("01", sources(d)))
    assert "&lt;b&gt;NGO&lt;/b&gt;" in html and "<b>NGO</b>" not in html
    assert environment().undefined is StrictUndefined


def test_pdfs_load_nothing_but_the_apps_static_files() -> None:
    font = STATIC_DIR / "vendor/fonts/noto-serif/noto-serif-latin-400-normal.woff2"
    assert static_file(font.as_uri()) == font.resolve()
    assert static_file("https://fonts.googleapis.com/css?family=Noto+Serif") is None
    assert static_file("file:///etc/passwd") is None
    assert static_file(STATIC_DIR.as_uri() + "/../../pyproject.toml") is None
    assert static_file(STATIC_DIR.as_uri() + "/vendor/fonts/none.woff2") is None


def test_the_pdf_embeds_noto_serif_and_its_vietnamese_text_reads_back() -> None:
    pdf = render_pdf(forms.build_form("01", sources()))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for phrase in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN CÔNG TÁC VỀ CÁC TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI",
        "10 giờ 30 phút, ngày 06/01/2027",
        "Ngày tiếp nhận hồ sơ hợp lệ: 23/11/2026",
    ):
        assert phrase in text, (phrase, text)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("Noto-Serif" in name for name in fonts), fonts


def test_supplement_refusal_and_stop_letters_say_what_and_why() -> None:
    """Form 02 lists each missing item, 03 gives the reason, 05 why the dossier stopped."""
    asked = item(
        at(2026, 11, 23, 11, 0),
        "Nguyễn Văn An",
        "handler",
        "request-supplement",
        "received",
        "awaiting_supplement",
        {
            "event": "SupplementRequested",
            "missing": ["Bản sao điều lệ có chứng thực", "Kế hoạch ngân sách"],
            "note": "Bản sao chưa được chứng thực",
            "during_review": False,
        },
    )
    refused = item(
        at(2026, 11, 30, 9, 0),
        "Nguyễn Văn An",
        "handler",
        "reject-intake",
        "awaiting_supplement",
        "rejected_at_intake",
        {"event": "IntakeRejected", "reason": "Không bổ sung trong thời hạn"},
    )
    d = dossier(status="rejected_at_intake", accepted_at=None, due_date=None)
    src = sources(d, [RECEIVED, asked, refused])
    assert forms.applicable_forms(d, src.history) == ["02", "03", "06"]
    request = words(render_html(forms.build_form("02", src)))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in request
    assert "Bản sao điều lệ có chứng thực" in request and "Kế hoạch ngân sách" in request
    assert "Lý do: Bản sao chưa được chứng thực" in request
    refusal = words(render_html(forms.build_form("03", src)))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in refusal
    assert (
        "Không bổ sung trong thời hạn" in refusal and "Hà Nội, ngày 30 tháng 11 năm 2026" in refusal
    )
    # A message written at the request carries the request, even once the dossier moved on.
    assert forms.build_form("02", src, as_of=at(2026, 11, 23, 11, 0)).number == "02"
    with pytest.raises(NotFound):
        forms.build_form("03", src, as_of=at(2026, 11, 23, 11, 0))

    withdrawn = item(
        at(2026, 12, 2, 14, 15),
        "Nguyễn Văn An",
        "handler",
        "withdraw",
        "in_review",
        "withdrawn",
        {"event": "Withdrawn", "reason": "Tổ chức thay đổi kế hoạch hoạt động"},
    )
    stopped = sources(dossier(status="withdrawn"), [RECEIVED, ACCEPTED, withdrawn])
    notice = words(render_html(forms.build_form("05", stopped)))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in notice
    assert "14 giờ 15 phút, ngày 02/12/2026" in notice
    assert "Tổ chức thay đổi kế hoạch hoạt động" in notice
    slip = forms.build_control_slip(stopped)
    assert slip.rows[-1].sender == "Save the Rivers Foundation"
    assert [f.number for f in forms.available_forms(_signed("approve"), [RECEIVED, ACCEPTED])] == [
        "01",
        "06",
        "decision",
    ]
