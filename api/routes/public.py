"""Public pages, without sign-in: NGOs holding a valid certificate, and a dossier's status for
whoever knows its code and the applicant's e-mail. HTML by default, JSON on request."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from api.deps import EngineDep, NowDep
from api.errors import error_body
from api.lookup_limit import LookupLimit
from api.web.templates import templates
from flows.calendar import local_date
from flows.register.public import PublicNgo, PublicStatus, public_ngos, public_status

router = APIRouter(tags=["public"])

MAX_Q = 200
MAX_CODE = 60
MAX_EMAIL = 320
# One answer for a code that does not exist and for a wrong e-mail: nothing tells them apart.
NOT_FOUND_DETAIL = "no dossier matches this code and e-mail"

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "switch": "English",
        "ngos_title": "Tổ chức phi chính phủ nước ngoài được cấp phép hoạt động",
        "ngos_intro": "Các tổ chức đang có giấy đăng ký còn hiệu lực và các khoản viện trợ đã "
        "được phê duyệt.",
        "search": "Tên tổ chức hoặc quốc gia",
        "find": "Tìm",
        "none": "Không có tổ chức nào.",
        "no_match": "Không có tổ chức nào khớp.",
        "country": "Quốc gia",
        "certificates": "Giấy đăng ký",
        "valid": "Hiệu lực",
        "provinces": "Địa bàn",
        "aid": "Khoản viện trợ đã được phê duyệt",
        "no_aid": "Chưa có khoản viện trợ nào được phê duyệt.",
        "approved": "phê duyệt ngày",
        "status_title": "Tra cứu tình trạng hồ sơ",
        "status_intro": "Nhập mã hồ sơ (ghi trên giấy tiếp nhận) và địa chỉ thư điện tử của tổ "
        "chức đã nộp hồ sơ.",
        "code": "Mã hồ sơ",
        "email": "Thư điện tử của tổ chức",
        "look_up": "Tra cứu",
        "not_found": "Không tìm thấy hồ sơ khớp với mã hồ sơ và địa chỉ thư điện tử đã nhập. "
        "Vui lòng kiểm tra lại.",
        "procedure": "Thủ tục",
        "status": "Tình trạng",
        "received": "Ngày tiếp nhận",
        "appointment": "Ngày hẹn trả kết quả",
        "completed": "Ngày có kết quả",
        "both": "Vui lòng nhập cả mã hồ sơ và địa chỉ thư điện tử.",
        "too_long": "Nội dung nhập quá dài hoặc có ký tự không hợp lệ.",
        "bad_lang": "Ngôn ngữ là vi (tiếng Việt) hoặc en (English).",
        "other_ngos": "Tổ chức được cấp phép",
        "other_status": "Tra cứu tình trạng hồ sơ",
        "sign_in": "Đăng nhập (cán bộ)",
        "slow_down": "Quý vị đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại "
        "sau ít phút.",
    },
    "en": {
        "switch": "Tiếng Việt",
        "ngos_title": "Foreign NGOs registered to operate",
        "ngos_intro": "Organisations holding a valid certificate, and their approved aid.",
        "search": "Name or country",
        "find": "Search",
        "none": "No organisation.",
        "no_match": "No organisation matches.",
        "country": "Country",
        "certificates": "Certificates",
        "valid": "Valid",
        "provinces": "Provinces",
        "aid": "Approved aid",
        "no_aid": "No approved aid.",
        "approved": "approved on",
        "status_title": "Look up a dossier's status",
        "status_intro": "Enter the dossier code (on the receipt) and the e-mail address of the "
        "organisation that filed it.",
        "code": "Dossier code",
        "email": "The organisation's e-mail",
        "look_up": "Look up",
        "not_found": "No dossier matches this code and e-mail address. Please check them.",
        "procedure": "Procedure",
        "status": "Status",
        "received": "Received on",
        "appointment": "Appointment date",
        "completed": "Decided on",
        "both": "Please enter both the dossier code and the e-mail address.",
        "too_long": "What was entered is too long or has characters that are not allowed.",
        "bad_lang": "The language is vi (Tiếng Việt) or en (English).",
        "other_ngos": "Registered NGOs",
        "other_status": "Dossier status",
        "sign_in": "Staff sign-in",
        "slow_down": "Too many lookups in a short time. Please try again in a few minutes.",
    },
}


def _page() -> dict[str, Any]:
    """An HTML page's content entry (a fresh dict: FastAPI fills these in place)."""
    return {"text/html": {"schema": {"type": "string"}}}


class PublicNgoPage(BaseModel):
    """The NGOs holding a certificate valid today."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "name": "Save the Rivers Foundation",
                            "name_vi": "Quỹ Sông Xanh",
                            "country": "Norway",
                            "certificates": [
                                {
                                    "number": "123/GĐK-UBCT",
                                    "type": "operation",
                                    "valid_from": "2026-11-23",
                                    "valid_until": "2029-11-22",
                                    "provinces": ["Quảng Trị", "Huế"],
                                }
                            ],
                            "aid": [],
                        }
                    ],
                    "total": 1,
                }
            ]
        }
    )

    items: list[PublicNgo]
    total: int


STATUS_EXAMPLE = {
    "code": "UBCT-PCPNN-20261123-0001",
    "procedure_title_vi": "Cấp giấy đăng ký hoạt động",
    "procedure_title_en": "Operation registration",
    "status": "in_review",
    "status_vi": "Đang giải quyết",
    "status_en": "Under review",
    "received_on": "2026-11-23",
    "appointment_date": "2027-01-06",
    "completed_on": None,
}

Lang = Annotated[
    str,
    Query(description="vi (default) or en", json_schema_extra={"maxLength": 10}, examples=["en"]),
]


def wants_json(request: Request) -> bool:
    """Whether the caller asked for JSON rather than a page (a browser asks for HTML)."""
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _clean(text: str | None, limit: int) -> str | None:
    """The text stripped, or None when too long or holding control characters."""
    value = (text or "").strip()
    if len(value) > limit or not all(ch.isprintable() for ch in value):
        return None
    return value


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "en" if lang == "vi" else "vi"))
    return f"{request.url.path}?{urlencode(params)}"


def _render(
    request: Request, template: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": TEXT[lang],
            "switch_url": _switch_url(request, lang),
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _invalid(request: Request, lang: str, key: str, template: str, **context: Any) -> Response:
    """422: a JSON error for JSON callers, else the page with the message (TEXT[lang][key])."""
    if wants_json(request):
        detail = TEXT["en"][key]
        return JSONResponse(
            error_body("invalid_input", detail, errors=[{"loc": ["query"], "msg": detail}]),
            status_code=422,
        )
    return _render(request, template, lang, 422, problem=TEXT[lang][key], **context)


NGOS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": PublicNgoPage,
        "description": "the NGOs (a page, or JSON with `Accept: application/json`)",
        "content": _page(),
    },
    422: {
        "description": "a search text too long or not printable, or an unknown language",
        "content": {**_page(), "application/json": {}},
    },
}


@router.get("/public/ngos", responses=NGOS_RESPONSES)
def ngos(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    q: Annotated[
        str | None,
        Query(
            description="Part of the name or the country.",
            json_schema_extra={"maxLength": MAX_Q},
            examples=["Norway"],
        ),
    ] = None,
    lang: Lang = "vi",
) -> Response:
    """NGOs holding a certificate valid today, with their approved aid; no sign-in."""
    shown = lang if lang in TEXT else "vi"
    context: dict[str, Any] = {"title": TEXT[shown]["ngos_title"], "items": [], "q": ""}
    if lang not in TEXT:
        return _invalid(request, shown, "bad_lang", "public/ngos.html", **context)
    text = _clean(q, MAX_Q)
    if text is None:
        return _invalid(request, shown, "too_long", "public/ngos.html", **context)
    found = public_ngos(engine, local_date(now), text or None)
    if wants_json(request):
        body = PublicNgoPage(items=found, total=len(found))
        return JSONResponse(body.model_dump(mode="json"))
    return _render(
        request, "public/ngos.html", shown, **{**context, "items": found, "q": text, "problem": ""}
    )


def _limit(request: Request) -> LookupLimit:
    """The app's lookup limit, made on first use from its settings."""
    state = request.app.state
    if getattr(state, "public_lookups", None) is None:
        state.public_lookups = LookupLimit(state.settings.public_lookups_per_10_minutes)
    limit: LookupLimit = state.public_lookups
    return limit


STATUS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": PublicStatus,
        "description": "the form, or the dossier's status when the code and e-mail match "
        "(JSON with `Accept: application/json`)",
        "content": {**_page(), "application/json": {"example": STATUS_EXAMPLE}},
    },
    404: {
        "description": "no dossier has this code with this e-mail: the same answer whether "
        "or not the code exists",
        "content": {
            **_page(),
            "application/json": {"example": error_body("not_found", NOT_FOUND_DETAIL)},
        },
    },
    422: {
        "description": "the code or the e-mail missing (JSON), too long or not printable, or "
        "an unknown language",
        "content": {**_page(), "application/json": {}},
    },
    429: {
        "description": "more lookups from this address than NGO_REVIEW_PUBLIC_LOOKUPS_PER_10_"
        "MINUTES allows (`too_many_requests`): retry after `Retry-After` seconds",
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        },
        "content": {
            **_page(),
            "application/json": {"example": error_body("too_many_requests", "wait")},
        },
    },
}


@router.get("/public/status", responses=STATUS_RESPONSES)
def status(
    request: Request,
    engine: EngineDep,
    code: Annotated[
        str | None,
        Query(
            description="The dossier code, as on the receipt.",
            json_schema_extra={"maxLength": MAX_CODE},
            examples=["UBCT-PCPNN-20261123-0001"],
        ),
    ] = None,
    email: Annotated[
        str | None,
        Query(
            description="The applicant's e-mail address.",
            json_schema_extra={"maxLength": MAX_EMAIL},
            examples=["contact@savetherivers.example.org"],
        ),
    ] = None,
    lang: Lang = "vi",
) -> Response:
    """A dossier's status and appointment date for whoever knows its code and the applicant's
    e-mail; otherwise the same "not found" whether or not the code exists. No sign-in."""
    shown = lang if lang in TEXT else "vi"
    typed_code, typed_email = _clean(code, MAX_CODE), _clean(email, MAX_EMAIL)
    context: dict[str, Any] = {
        "title": TEXT[shown]["status_title"],
        "code": typed_code or "",
        "email": typed_email or "",
        "found": None,
        "not_found": False,
    }
    if lang not in TEXT:
        return _invalid(request, shown, "bad_lang", "public/status.html", **context)
    if typed_code is None or typed_email is None:
        return _invalid(request, shown, "too_long", "public/status.html", **context)
    if not typed_code or not typed_email:
        if not typed_code and not typed_email and not wants_json(request):
            return _render(request, "public/status.html", shown, problem="", **context)  # the form
        return _invalid(request, shown, "both", "public/status.html", **context)
    wait = _limit(request).wait(request.client.host if request.client else "")
    if wait:
        detail = TEXT[shown]["slow_down"]
        if wants_json(request):
            return JSONResponse(
                error_body("too_many_requests", detail),
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
        page = _render(request, "public/status.html", shown, 429, problem=detail, **context)
        page.headers["Retry-After"] = str(wait)
        return page
    found = public_status(engine, typed_code, typed_email)
    if wants_json(request):
        if found is None:
            return JSONResponse(error_body("not_found", NOT_FOUND_DETAIL), status_code=404)
        return JSONResponse(found.model_dump(mode="json"))
    return _render(
        request,
        "public/status.html",
        shown,
        404 if found is None else 200,
        problem="",
        **{**context, "found": found, "not_found": found is None},
    )
