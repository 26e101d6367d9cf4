"""Notification templates: every message renders in vi and en, escapes HTML, keeps the contract."""

from __future__ import annotations

import html
import re
from typing import Any

import jinja2
import pytest
from jinja2 import meta, nodes

from flows.documents.forms import MESSAGE_FORMS, TITLES, TITLES_EN
from notifications.render import (
    LANGUAGES,
    MESSAGES,
    TEMPLATES,
    Rendered,
    environment,
    render,
    vn_time,
)
from notifications.samples import SAMPLES, VARIANTS

SHARED = {"_layout.html.j2", "_layout.txt.j2", "_macros.html.j2"}
RAW = "<Quảng Trị>"
ESCAPED = "&lt;Quảng Trị&gt;"


def _contexts(name: str) -> list[tuple[str, dict[str, Any]]]:
    """The sample of a message, then each of its variants."""
    return [("sample", SAMPLES[name])] + [
        (f"variant{i}", ctx) for i, ctx in enumerate(VARIANTS.get(name, []))
    ]


CASES = [
    pytest.param(name, lang, ctx, id=f"{name}-{lang}-{label}")
    for name in MESSAGES
    for lang in LANGUAGES
    for label, ctx in _contexts(name)
]
WITH_SUBJECT = [name for name in MESSAGES if RAW in SAMPLES[name].get("subject", "")]
WITH_PROCEDURE = [name for name in MESSAGES if "procedure_title_vi" in SAMPLES[name]]


def _both(rendered: Rendered) -> list[str]:
    return [rendered.text, rendered.html]


def _words(body: str) -> str:
    """A body's words without tags, spaces collapsed (a phrase may cross a tag)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def test_samples_cover_every_message() -> None:
    assert set(SAMPLES) == set(MESSAGES)
    assert set(VARIANTS) <= set(MESSAGES)


@pytest.mark.parametrize(("name", "lang", "ctx"), CASES)
def test_every_message_renders(name: str, lang: str, ctx: dict[str, Any]) -> None:
    r = render(name, lang, ctx)
    assert r.subject
    assert "\n" not in r.subject
    assert r.text.strip()
    assert r.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in r.html
    title = re.search(r"<title>(.*?)</title>", r.html, re.S)
    assert title is not None and html.unescape(title[1]) == r.subject
    for body in _both(r):
        assert "ngo-review" in body
        assert "None" not in body
        assert "{{" not in body and "{%" not in body
    code = ctx.get("dossier_code", "")
    if code:
        assert r.subject.startswith(f"[{code}]")
        assert all(code in body for body in _both(r))
    else:
        assert not r.subject.startswith("[")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", WITH_SUBJECT)
def test_html_escapes_the_subject_and_text_keeps_it(name: str, lang: str) -> None:
    r = render(name, lang, SAMPLES[name])
    assert ESCAPED in r.html
    assert RAW not in r.html
    assert RAW in r.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_digest_escapes_dossier_subjects(lang: str) -> None:
    r = render("daily_digest", lang, SAMPLES["daily_digest"])
    assert "&lt;Đà Nẵng&gt;" in r.html and "<Đà Nẵng>" not in r.html
    assert "<Đà Nẵng>" in r.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", WITH_PROCEDURE)
def test_procedure_title_in_the_message_language(name: str, lang: str) -> None:
    ctx = SAMPLES[name]
    r = render(name, lang, ctx)
    other = "en" if lang == "vi" else "vi"
    for body in _both(r):
        assert ctx[f"procedure_title_{lang}"] in body
        assert ctx[f"procedure_title_{other}"] not in body


@pytest.mark.parametrize(
    ("lang", "received"),
    [("vi", "09 giờ 00 phút, ngày 23/11/2026"), ("en", "09:00 23/11/2026")],
)
def test_receipt_shows_dates(lang: str, received: str) -> None:
    r = render("receipt", lang, SAMPLES["receipt"])
    for body in _both(r):
        assert "07/01/2027" in body  # appointment date
        assert received in body  # received, in Hà Nội time
        assert "25/11/2026" in body  # accepted as complete and valid


def test_receipt_vietnamese_wording() -> None:
    r = render("receipt", "vi", SAMPLES["receipt"])
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in r.subject
    assert "Kính gửi" in r.text
    assert "Ủy ban công tác về các tổ chức phi chính phủ nước ngoài" in r.html
    for body in _both(r):
        assert "Ngày tiếp nhận hồ sơ hợp lệ" in _words(body)
        assert (
            "Thời hạn giải quyết: 30 ngày làm việc, kể từ ngày làm việc tiếp theo ngày tiếp "
            "nhận hồ sơ đầy đủ, hợp lệ" in _words(body)
        )
        assert "Thông tư số 03/2025/TT-VPCP" in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_supplement_lists_every_item_and_the_note(lang: str) -> None:
    ctx = SAMPLES["supplement_request"]
    r = render("supplement_request", lang, ctx)
    for body in _both(r):
        for item in ctx["missing"]:
            assert item in body
        assert ctx["note"] in body
    assert r.html.count("<li") == len(ctx["missing"])


@pytest.mark.parametrize(
    ("lang", "stopped", "not_started", "note"),
    [
        ("vi", "tạm dừng", "chưa được chấp nhận là đầy đủ, hợp lệ", "Ghi chú"),
        ("en", "suspended", "not yet been accepted as complete and valid", "Note:"),
    ],
)
def test_supplement_clock(lang: str, stopped: str, not_started: str, note: str) -> None:
    at_intake = render("supplement_request", lang, SAMPLES["supplement_request"])
    in_review = render("supplement_request", lang, VARIANTS["supplement_request"][0])
    for body in _both(at_intake):
        assert not_started in body
        assert stopped not in body
    for body in _both(in_review):
        assert stopped in body
        assert not_started not in body
        assert note not in body  # empty note: no note line


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["consultation_request", "consultation_reminder"])
def test_consultation_has_the_reply_link(name: str, lang: str) -> None:
    ctx = SAMPLES[name]
    r = render(name, lang, ctx)
    assert ctx["reply_url"] in r.text.splitlines()  # on its own line
    assert f'href="{ctx["reply_url"]}"' in r.html
    for body in _both(r):
        assert ctx["agency_name"] in body
        assert "10/12/2026" in body  # due date
        assert "09/01/2027" in body  # link valid until


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["consultation_overdue", "deemed_consent"])
def test_agency_follow_ups_name_the_agency_and_due_date(name: str, lang: str) -> None:
    r = render(name, lang, SAMPLES[name])
    assert "Bộ Công an" in r.subject
    for body in _both(r):
        assert "Bộ Công an" in body
        assert "10/12/2026" in body


@pytest.mark.parametrize(
    ("lang", "not_an_answer"),
    [
        ("vi", "không phải ý kiến trả lời"),
        ("en", "not an answer given by"),
    ],
)
def test_deemed_consent_is_a_system_outcome(lang: str, not_an_answer: str) -> None:
    r = render("deemed_consent", lang, SAMPLES["deemed_consent"])
    assert all(not_an_answer in body for body in _both(r))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_decision_approve_shows_the_certificate(lang: str) -> None:
    ctx = SAMPLES["decision"]
    r = render("decision", lang, ctx)
    for body in _both(r):
        assert ctx["certificate_number"] in body
        assert "08/12/2026" in body
        assert "07/12/2029" in body


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("variant", [0, 1], ids=["refuse", "forward"])
def test_decision_refuse_and_forward_show_reasons_only(lang: str, variant: int) -> None:
    ctx = VARIANTS["decision"][variant]
    r = render("decision", lang, ctx)
    approved = render("decision", lang, SAMPLES["decision"])
    assert r.subject != approved.subject
    for body in _both(r):
        assert ctx["reasons"] in body
        assert SAMPLES["decision"]["certificate_number"] not in body
        assert "07/12/2029" not in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_extension_apologises_with_both_dates(lang: str) -> None:
    ctx = SAMPLES["extension"]
    r = render("extension", lang, ctx)
    for body in _both(r):
        assert ctx["reason"] in body
        assert "06/01/2027" in body
        assert "13/01/2027" in body


def test_extension_without_a_previous_date() -> None:
    ctx = {**SAMPLES["extension"], "previous_due_date": None}
    for lang in LANGUAGES:
        r = render("extension", lang, ctx)
        assert "13/01/2027" in r.text and "06/01/2027" not in r.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dossier_at_risk_and_late(lang: str) -> None:
    at_risk = render("dossier_at_risk", lang, SAMPLES["dossier_at_risk"])
    late = render("dossier_late", lang, SAMPLES["dossier_late"])
    assert "3" in at_risk.subject
    for body in [*_both(at_risk), *_both(late)]:
        assert "06/01/2027" in body


@pytest.mark.parametrize(
    ("lang", "unassigned", "none_lines"),
    [
        (
            "vi",
            "chưa phân công",
            [
                "Không có hồ sơ quá hạn",
                "Không có hồ sơ sắp đến hạn",
                "Không có cơ quan chậm cho ý kiến",
            ],
        ),
        ("en", "not assigned", ["No dossier is past", "No dossier is close", "No agency is late"]),
    ],
)
def test_daily_digest_sections(lang: str, unassigned: str, none_lines: list[str]) -> None:
    full = render("daily_digest", lang, SAMPLES["daily_digest"])
    empty = render("daily_digest", lang, VARIANTS["daily_digest"][0])
    assert "09/12/2026" in full.subject and "10/12/2026" in empty.subject
    for body in _both(full):
        for row in (
            "UBCT-PCPNN-20261020-0001",
            "UBCT-PCPNN-20261104-0001",
            "Bộ Công an",
            "Trần Thị Bình",
            unassigned,
            "03/12/2026",
            "14/12/2026",
        ):
            assert row in body
        assert not any(line in body for line in none_lines)
    for body in _both(empty):
        assert all(line in body for line in none_lines)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_delivery_dead_reports_the_failure(lang: str) -> None:
    ctx = SAMPLES["delivery_dead"]
    r = render("delivery_dead", lang, ctx)
    for body in _both(r):
        for key in ("outbox_id", "recipient", "template", "last_error"):
            assert ctx[key] in body
        assert "8" in body


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("decision_waiting", "decision_url"),
        ("consultations_complete", "dossier_url"),
        ("dossier_assigned", "dossier_url"),
    ],
)
def test_waiting_work_links_to_the_page_where_it_is_done(name: str, key: str, lang: str) -> None:
    ctx = SAMPLES[name]
    r = render(name, lang, ctx)
    assert ctx[key] in r.text.splitlines()  # on its own line
    assert f'href="{ctx[key]}"' in r.html


@pytest.mark.parametrize(
    ("lang", "approve", "refuse", "no_date", "submitted"),
    [
        ("vi", "CHẤP THUẬN", "KHÔNG CHẤP THUẬN", "Ngày hẹn trả kết quả", "15 giờ 00 phút, ngày"),
        ("en", "APPROVE", "REFUSE", "Appointment date", "15:00 25/11/2026"),
    ],
)
def test_decision_waiting_shows_the_proposal(
    lang: str, approve: str, refuse: str, no_date: str, submitted: str
) -> None:
    ctx = SAMPLES["decision_waiting"]
    r = render("decision_waiting", lang, ctx)
    refused = render("decision_waiting", lang, VARIANTS["decision_waiting"][0])
    forwarded = render("decision_waiting", lang, VARIANTS["decision_waiting"][1])
    assert len({r.subject, refused.subject, forwarded.subject}) == 3
    for body in _both(r):
        assert ctx["proposed_by"] in body and approve in body
        assert "07/01/2027" in body  # appointment date
        assert submitted in body and "25/11/2026" in body  # submitted
    for body in _both(refused):
        assert refuse in body and VARIANTS["decision_waiting"][0]["reasons"] in body
        assert no_date not in body  # no appointment date: no line for it


@pytest.mark.parametrize(
    ("lang", "conditions", "deemed", "late"),
    [
        ("vi", "Đồng ý có điều kiện", "không phải ý kiến trả lời", "quá hạn"),
        ("en", "Agree with conditions", "not an answer given by", "late"),
    ],
)
def test_consultations_complete_summarises_every_answer(
    lang: str, conditions: str, deemed: str, late: str
) -> None:
    r = render("consultations_complete", lang, SAMPLES["consultations_complete"])
    for body in _both(r):
        for expected in (
            "Bộ Công an",
            "Bộ Tài chính",
            conditions,
            deemed,
            "03/12/2026",
            "10/12/2026",
            "07/01/2027",
        ):
            assert expected in body
        assert f"{late})" not in body
    assert "Chỉ hoạt động tại &lt;Quảng Trị&gt; và Huế." in r.html
    assert "Chỉ hoạt động tại <Quảng Trị> và Huế." in r.text
    one = render("consultations_complete", lang, VARIANTS["consultations_complete"][0])
    for body in _both(one):
        assert f"{late})" in body and "Bộ Tài chính" not in body and deemed not in body


@pytest.mark.parametrize(
    ("lang", "by", "previous"),
    [
        ("vi", "người phân công: Lê Minh Cường", "Chuyên viên thụ lý trước đó: Nguyễn Văn An"),
        ("en", "assigned by Lê Minh Cường", "Previous handling officer: Nguyễn Văn An"),
    ],
)
def test_dossier_assigned_names_the_assignee_and_who_assigned(
    lang: str, by: str, previous: str
) -> None:
    r = render("dossier_assigned", lang, SAMPLES["dossier_assigned"])
    bare = render("dossier_assigned", lang, VARIANTS["dossier_assigned"][0])
    assert by in r.text and previous in r.text
    for body in _both(r):
        assert "Trần Thị Bình" in body and "07/01/2027" in body
    for body in _both(bare):
        assert "Trần Thị Bình" in body
        assert "Lê Minh Cường" not in body and "Nguyễn Văn An" not in body


@pytest.mark.parametrize("name", MESSAGES)
def test_vi_and_en_differ(name: str) -> None:
    vi = render(name, "vi", SAMPLES[name])
    en = render(name, "en", SAMPLES[name])
    assert vi.subject != en.subject
    assert vi.text != en.text
    assert vi.html != en.html


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert render("receipt", "fr", SAMPLES["receipt"]) == render(
        "receipt", "vi", SAMPLES["receipt"]
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", MESSAGES)
def test_missing_context_key_raises(name: str, lang: str) -> None:
    key = {
        "daily_digest": "overdue_dossiers",
        "delivery_dead": "outbox_id",
        "obligation_reminder": "ngo_name",
        "obligation_overdue": "ngo_name",
    }.get(name, "dossier_code")
    ctx = {k: v for k, v in SAMPLES[name].items() if k != key}
    with pytest.raises(jinja2.UndefinedError):
        render(name, lang, ctx)


def test_missing_date_key_raises_undefined_error() -> None:
    ctx = {k: v for k, v in SAMPLES["receipt"].items() if k != "due_date"}
    with pytest.raises(jinja2.UndefinedError):
        render("receipt", "vi", ctx)


def test_unknown_template_raises() -> None:
    with pytest.raises(ValueError, match="unknown message template"):
        render("no_such_message", "vi", SAMPLES["receipt"])


def test_every_template_file_belongs_to_a_known_message() -> None:
    pattern = re.compile(r"^(?P<name>\w+)\.(?P<lang>\w+)\.(?:txt|html)\.j2$")
    found = {p.name for p in TEMPLATES.iterdir() if p.is_file()}
    strays = []
    for filename in found - SHARED:
        match = pattern.match(filename)
        if not match or match["name"] not in MESSAGES or match["lang"] not in LANGUAGES:
            strays.append(filename)
    assert strays == []
    expected = {
        f"{name}.{lang}.{kind}.j2"
        for name in MESSAGES
        for lang in LANGUAGES
        for kind in ("txt", "html")
    }
    assert expected <= found


@pytest.mark.parametrize("filename", sorted(p.name for p in TEMPLATES.glob("*.j2")))
def test_templates_never_bypass_autoescape(filename: str) -> None:
    source = (TEMPLATES / filename).read_text(encoding="utf-8")
    assert not re.search(r"\|\s*safe\b", source)
    assert "autoescape" not in source
    assert "Markup" not in source


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize("kind", ["txt", "html"])
def test_templates_use_only_contract_keys(name: str, lang: str, kind: str) -> None:
    """Also covers branches no sample reaches: every variable must be a key the outbox sends."""
    env = environment()
    source = (TEMPLATES / f"{name}.{lang}.{kind}.j2").read_text(encoding="utf-8")
    tree = env.parse(source)
    used = meta.find_undeclared_variables(tree)
    macros = env.parse((TEMPLATES / "_macros.html.j2").read_text(encoding="utf-8"))
    # Names the template sets for its blocks (`lang`, `addressee`, ...) are its own.
    own = {
        n.target.name
        for n in tree.body
        if isinstance(n, nodes.Assign) and isinstance(n.target, nodes.Name)
    }
    allowed = own | {m.name for m in macros.find_all(nodes.Macro)}
    allowed = allowed.union(*(ctx.keys() for _, ctx in _contexts(name)))
    assert used <= allowed


def test_vietnamese_times_read_hours_and_minutes() -> None:
    """HH giờ MM phút, ngày dd/mm/yyyy, in Hà Nội time, as a Vietnamese letter writes it."""
    assert vn_time("2026-11-23T02:00:00+00:00") == "09 giờ 00 phút, ngày 23/11/2026"
    assert vn_time(None) == ""
    r = render("supplement_request", "vi", SAMPLES["supplement_request"])
    for body in _both(r):
        assert "Thời gian nhận hồ sơ" in body and "09 giờ 00 phút, ngày 23/11/2026" in body


@pytest.mark.parametrize("filename", sorted(p.name for p in TEMPLATES.glob("*.j2")))
def test_no_template_names_a_fixed_sender(filename: str) -> None:
    """The sender is the procedure's receiving agency from the registry, never a fixed name."""
    source = (TEMPLATES / filename).read_text(encoding="utf-8")
    for fixed in ("Ủy ban công tác", "Ủy ban", "Committee"):
        assert fixed not in source, (filename, fixed)


APPLICANT_MESSAGES = ["receipt", "intake_rejected", "extension", "stopped"]
SENDER_MESSAGES = APPLICANT_MESSAGES + ["consultation_request", "consultation_reminder"]


@pytest.mark.parametrize("name", SENDER_MESSAGES)
def test_a_provincial_dossier_speaks_for_its_receiving_agency(name: str) -> None:
    """An aid appraisal received by the Department of Finance names it as the sender (header,
    body and signature) and never the Committee."""
    ctx = next(c for c in VARIANTS[name] if c["procedure_code"] == "aid.project.appraise")
    vi, en = render(name, "vi", ctx), render(name, "en", ctx)
    for body in _both(vi):
        assert _words(body).count("Sở Tài chính tỉnh Quảng Trị") >= 2  # header/signature, text
        assert "Ủy ban công tác" not in body
    for body in _both(en):
        assert _words(body).count("Quảng Trị Department of Finance") >= 2
        assert "Committee" not in body


def test_the_decision_of_a_provincial_body_names_it() -> None:
    ctx = VARIANTS["decision"][3]
    assert ctx["procedure_code"] == "aid.project.appraise"
    for body in _both(render("decision", "vi", ctx)):
        assert "Sở Tài chính tỉnh Quảng Trị trân trọng thông báo" in _words(body)
        assert "Ủy ban công tác" not in body


def test_messages_about_no_dossier_come_from_the_system() -> None:
    for name in ("daily_digest", "delivery_dead"):
        r = render(name, "vi", SAMPLES[name])
        assert "Hệ thống giải quyết hồ sơ" in r.html


@pytest.mark.parametrize("name", sorted(set(MESSAGE_FORMS) - {"decision"}))
def test_form_messages_carry_the_exact_titles_of_circular_03(name: str) -> None:
    """Subject and heading of a message carrying form 01–05 are that form's title."""
    number = MESSAGE_FORMS[name]
    vi, en = render(name, "vi", SAMPLES[name]), render(name, "en", SAMPLES[name])
    assert vi.subject == f"[{SAMPLES[name]['dossier_code']}] {TITLES[number].capitalize()}"
    assert vi.text.startswith(TITLES[number] + "\n")
    assert f"Mẫu số {number}, Phụ lục I Thông tư số 03/2025/TT-VPCP" in vi.text
    assert en.subject == f"[{SAMPLES[name]['dossier_code']}] {TITLES_EN[number]}"
    assert f"Form {number}, Appendix I of Circular No. 03/2025/TT-VPCP" in en.text


@pytest.mark.parametrize(
    ("lang", "stopped", "why"),
    [
        (
            "vi",
            "thông báo dừng giải quyết hồ sơ nêu trên kể từ 14 giờ 15 phút, ngày 02/12/2026",
            "Quý tổ chức đề nghị rút hồ sơ: The organisation has changed its plans.",
        ),
        (
            "en",
            "stopped processing the dossier above at 14:15 02/12/2026",
            "your organisation asked to withdraw the dossier: "
            "The organisation has changed its plans.",
        ),
    ],
)
def test_stopped_gives_the_time_and_the_reason(lang: str, stopped: str, why: str) -> None:
    r = render("stopped", lang, SAMPLES["stopped"])
    for body in _both(r):
        assert stopped in _words(body)
        assert why in _words(body) and "plans.." not in body


def test_a_provinces_opinion_agrees_or_not_and_states_no_right_to_sue() -> None:
    """The answer to the Committee reads đồng ý / không đồng ý, is addressed to a state body
    (Quý cơ quan), and tells it of no right to complain or sue; an applicant is told."""
    opinion = VARIANTS["decision"][2]
    assert opinion["applicant_is_agency"]
    vi, en = render("decision", "vi", opinion), render("decision", "en", opinion)
    assert vi.subject.endswith("không đồng ý") and en.subject.endswith("do not agree")
    for body in _both(vi):
        assert "KHÔNG ĐỒNG Ý" in body.upper() and "chấp thuận" not in body.lower()
        assert "Quý cơ quan" in body and "Quý tổ chức" not in body
        assert "khiếu nại" not in body
    for body in _both(en):
        assert "complaint" not in body and "lawsuit" not in body
    refused = VARIANTS["decision"][0]
    assert all("khiếu nại, khởi kiện" in b for b in _both(render("decision", "vi", refused)))
    waiting = render("decision_waiting", "vi", VARIANTS["decision_waiting"][2])
    assert waiting.subject.endswith("đề xuất đồng ý") and "ĐỒNG Ý" in waiting.text


@pytest.mark.parametrize(
    ("lang", "ask"),
    [
        ("vi", "đề nghị Quý cơ quan nghiên cứu, có ý kiến bằng văn bản"),
        ("en", "give its opinion in writing"),
    ],
)
@pytest.mark.parametrize("name", ["consultation_request", "consultation_reminder"])
def test_a_consultation_asks_for_a_written_opinion(name: str, lang: str, ask: str) -> None:
    for body in _both(render(name, lang, SAMPLES[name])):
        assert ask in _words(body)
