"""Agency reply pages: a signed e-mail link opens a confirmation page; only POST records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.deps import EngineDep, NowDep
from api.web.templates import templates
from flows.calendar import local_date
from flows.engine.commands import Respond
from flows.engine.state import Actor
from flows.errors import Conflict, DossierError, NotAllowed
from flows.procedures import REGISTRY
from flows.procedures.schema import Opinion
from flows.service.consultations import get_consultation
from flows.service.handle import respond
from flows.service.reply_links import ExpiredLink, verify
from models.agency import Agency
from models.db import read_session

router = APIRouter(tags=["agency reply pages"])

MAX_COMMENTS = 10_000  # as the API's answer (ResponseBody.comments)

TEXT: dict[str, dict[str, Any]] = {
    "vi": {
        "switch": "English",
        "title": "Trả lời đề nghị lấy ý kiến",
        "intro": "Vui lòng xem thông tin hồ sơ và gửi ý kiến của cơ quan. Ý kiến chỉ được ghi "
        "nhận khi bấm nút Gửi ý kiến.",
        "agency": "Cơ quan",
        "dossier": "Mã hồ sơ",
        "procedure": "Thủ tục",
        "applicant": "Tổ chức đề nghị",
        "subject": "Nội dung",
        "due": "Hạn trả lời",
        "done": "Đã ghi nhận ý kiến",
        "done_text": "Cảm ơn. Ý kiến của cơ quan về hồ sơ {code} đã được ghi nhận.",
        "closed": "Đường dẫn đã được sử dụng",
        "closed_text": "Đề nghị này đã được trả lời hoặc đã đóng; không ghi nhận thêm ý kiến.",
        "expired": "Đường dẫn đã hết hạn",
        "expired_text": "Đường dẫn này đã hết hạn. Vui lòng liên hệ cơ quan đầu mối.",
        "invalid": "Đường dẫn không hợp lệ",
        "invalid_text": "Đường dẫn không đúng hoặc đã bị thay đổi. Không có gì được ghi nhận.",
        "bad_form": "Ý kiến không hợp lệ",
        "bad_form_text": "Vui lòng chọn một ý kiến.",
        "long_text": "Ý kiến dài quá 10.000 ký tự; vui lòng rút gọn.",
        "bad_lang": "Ngôn ngữ không hợp lệ",
        "bad_lang_text": "Ngôn ngữ là vi (tiếng Việt) hoặc en (English).",
    },
    "en": {
        "switch": "Tiếng Việt",
        "title": "Answer a request for your opinion",
        "intro": "Please review the dossier and give your agency's opinion. Nothing is recorded "
        "until you press Send opinion.",
        "agency": "Agency",
        "dossier": "Dossier code",
        "procedure": "Procedure",
        "applicant": "Applicant",
        "subject": "Subject",
        "due": "Answer due",
        "done": "Opinion recorded",
        "done_text": "Thank you. Your agency's opinion on dossier {code} has been recorded.",
        "closed": "This link has been used",
        "closed_text": "This request was already answered or closed; nothing more is recorded.",
        "expired": "This link has expired",
        "expired_text": "This link has expired. Please contact the receiving agency.",
        "invalid": "This link is not valid",
        "invalid_text": "The link is wrong or was altered. Nothing was recorded.",
        "bad_form": "Invalid opinion",
        "bad_form_text": "Please choose an opinion.",
        "long_text": "The comments are longer than 10,000 characters; please shorten them.",
        "bad_lang": "Unknown language",
        "bad_lang_text": "The language is vi (Tiếng Việt) or en (English).",
    },
}

# Checked in the route, so that a wrong value is a readable page rather than a JSON error.
Lang = Annotated[str, Query(max_length=10, description="vi or en")]
PAGE = {"text/html": {"schema": {"type": "string"}}}
# Errors here are pages for the agency officer; only a malformed request gets a JSON 422.
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "the link is wrong or was altered (a page)", "content": PAGE},
    409: {"description": "the request was already answered or closed (a page)", "content": PAGE},
    410: {"description": "the link has expired (a page)", "content": PAGE},
    422: {
        "description": "an unknown language or opinion, or comments too long (a page); "
        "a malformed request (JSON)",
        "content": {**PAGE, "application/json": {}},
    },
}


def _page(
    request: Request, lang: str, title_key: str, text_key: str, kind: str, status: int, **fmt: str
) -> HTMLResponse:
    t = TEXT[lang]
    return templates.TemplateResponse(
        request,
        "message.html",
        {
            "lang": lang,
            "title": t[title_key],
            "kind": kind,
            "text": t[text_key].format(**fmt),
            "detail": "",
        },
        status_code=status,
    )


def _resolve(request: Request, token: str, now: Any) -> str:
    """The consultation id of a genuine, unexpired link."""
    secret = request.app.state.settings.resolved_secret_key()
    return verify(token, secret, local_date(now)).consultation_id


def _error_page(request: Request, lang: str, exc: DossierError) -> HTMLResponse:
    if isinstance(exc, ExpiredLink):
        return _page(request, lang, "expired", "expired_text", "error", 410)
    if isinstance(exc, NotAllowed | Conflict):
        return _page(request, lang, "closed", "closed_text", "error", 409)
    # A forged, malformed or unknown link shows nothing: the same 404 page for all of them.
    return _page(request, lang, "invalid", "invalid_text", "error", 404)


def _bad_lang(request: Request, lang: str) -> HTMLResponse | None:
    """The 422 page for a language other than vi or en (shown in Vietnamese)."""
    if lang in TEXT:
        return None
    return _page(request, "vi", "bad_lang", "bad_lang_text", "error", 422)


@router.get("/reply/{token}", response_class=HTMLResponse, responses=ERRORS)
def reply_page(
    token: str, request: Request, engine: EngineDep, now: NowDep, lang: Lang = "vi"
) -> HTMLResponse:
    """The confirmation page with the dossier summary and the opinion form (records nothing)."""
    if (wrong := _bad_lang(request, lang)) is not None:
        return wrong
    try:
        cid = _resolve(request, token, now)
        c = get_consultation(engine, Actor("reply-link", "manager"), cid)
    except DossierError as exc:
        return _error_page(request, lang, exc)
    if c.status not in ("requested", "overdue"):
        return _page(request, lang, "closed", "closed_text", "error", 409)
    with read_session(engine) as session:
        agency = session.get(Agency, c.agency)
        agency_name = (
            agency.name_vi if agency and lang == "vi" else (agency.name_en if agency else c.agency)
        )
    procedure = REGISTRY.get(c.procedure)
    title = (
        "" if procedure is None else (procedure.title_vi if lang == "vi" else procedure.title_en)
    )
    return templates.TemplateResponse(
        request,
        "reply.html",
        {
            "lang": lang,
            "t": TEXT[lang],
            "title": TEXT[lang]["title"],
            "c": c,
            "token": token,
            "agency_name": agency_name,
            "procedure_title": title,
        },
    )


@router.post("/reply/{token}", response_class=HTMLResponse, responses=ERRORS)
def reply_submit(
    token: str,
    request: Request,
    engine: EngineDep,
    now: NowDep,
    opinion: Annotated[str, Form(json_schema_extra={"maxLength": 40})] = "",
    comments: Annotated[str, Form(json_schema_extra={"maxLength": MAX_COMMENTS})] = "",
    lang: Lang = "vi",
) -> HTMLResponse:
    """Record the agency's opinion once; a used, expired or forged link records nothing."""
    if (wrong := _bad_lang(request, lang)) is not None:
        return wrong
    try:
        cid = _resolve(request, token, now)
        c = get_consultation(engine, Actor("reply-link", "manager"), cid)
        if len(comments) > MAX_COMMENTS:
            return _page(request, lang, "bad_form", "long_text", "error", 422)
        try:
            command = Respond(
                actor=Actor(f"{c.agency} (e-mail link)", "agency", c.agency),
                consultation_id=cid,
                opinion=Opinion(opinion),
                comments=comments,
            )
        except (ValueError, ValidationError):
            return _page(request, lang, "bad_form", "bad_form_text", "error", 422)
        done = respond(engine, cid, command, now=now)
    except DossierError as exc:
        return _error_page(request, lang, exc)
    return _page(request, lang, "done", "done_text", "ok", 200, code=done.dossier_code)
