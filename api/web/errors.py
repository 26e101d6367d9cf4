"""Errors on pages: a readable page in the user's language, or the sign-in form."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.page import Page, SignInRequired, login_url
from api.web.session import LANG_COOKIE
from api.web.templates import templates

TITLES = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    401: ("Cần đăng nhập", "Sign-in required"),
    403: ("Không có quyền", "Not allowed for your role"),
    404: ("Không tìm thấy", "Not found"),
    405: ("Không hỗ trợ", "Not supported"),
    409: ("Không thực hiện được ở trạng thái hiện tại", "Not possible in the current state"),
    410: ("Đã hết hạn", "Expired"),
    412: ("Hồ sơ đã thay đổi", "The dossier has changed"),
    413: ("Quá lớn", "Too large"),
    415: ("Định dạng không được hỗ trợ", "Unsupported format"),
    422: ("Dữ liệu chưa hợp lệ", "Please check what you entered"),
    500: ("Lỗi hệ thống", "Something went wrong"),
    503: (
        "Hệ thống đang quá tải, vui lòng thử lại sau giây lát",
        "Busy: please try again in a moment",
    ),
}


def wants_page(request: Request) -> bool:
    """Whether this request came from a page (answer with HTML, not JSON)."""
    return request.url.path.startswith("/app") or request.url.path.startswith("/mail")


def error_page(
    request: Request, status: int, detail: str, exc: Exception | None = None
) -> Response:
    """The error as a page; a missing sign-in sends the browser to the sign-in form."""
    page: Page | None = getattr(request.state, "page", None)
    if isinstance(exc, SignInRequired) or (status == 401 and page is not None):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        redirect = RedirectResponse(login_url(target), status_code=303)
        if page is not None:
            return page._finish(redirect)  # type: ignore[no-any-return]
        return redirect
    lang = (
        page.lang
        if page is not None
        else ("en" if request.cookies.get(LANG_COOKIE) == "en" else "vi")
    )
    vi, en = TITLES.get(status, TITLES[400])
    context = {"status": status, "title": en if lang == "en" else vi, "detail": detail}
    if page is not None:
        return page.render("app/error.html", status_code=status, **context)
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "app/error.html",
        {
            "lang": lang,
            "user": None,
            "csrf": "",
            "badge": 0,
            "path": request.url.path,
            "has_mail": False,
            "switch_lang_url": "?lang=" + ("vi" if lang == "en" else "en"),
            **context,
        },
        status_code=status,
    )
    return response
