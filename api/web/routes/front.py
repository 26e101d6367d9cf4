"""The front door: `/`, sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from api.web.page import AnyPage, check_csrf, lifetime_of
from flows.service.users import authenticate

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _safe_next(target: str) -> str:
    """Only a path on this site (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else ""


@router.get("/")
def front(page: AnyPage) -> RedirectResponse:
    """Signed in: the user's home page; otherwise the sign-in form."""
    return page.redirect(page.home())


@router.get("/app")
def app_home(page: AnyPage) -> RedirectResponse:
    """The same as `/`."""
    return page.redirect(page.home())


@router.get("/app/login", response_class=HTMLResponse)
def login_form(page: AnyPage, next: str = "") -> HTMLResponse:
    """The sign-in form (a signed-in user goes home)."""
    if page.user is not None:
        return page.redirect(_safe_next(next) or page.home())  # type: ignore[return-value]
    return page.render(
        "app/login.html",
        title=page.lang == "en" and "Sign in" or "Đăng nhập",
        next=_safe_next(next),
        username="",
        message="",
    )


@router.post("/app/login", response_class=HTMLResponse)
def login(
    page: AnyPage,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """Check the password; lock the account after repeated failures."""
    result = authenticate(page.engine, username, password, page.now)
    if result.user is None:
        en = page.lang == "en"
        if result.locked:
            message = (
                "Too many failed attempts: this account is locked for 15 minutes."
                if en
                else "Đăng nhập sai nhiều lần: tài khoản bị khóa 15 phút."
            )
        else:
            message = (
                "Wrong username or password." if en else "Tên đăng nhập hoặc mật khẩu không đúng."
            )
        return page.render(
            "app/login.html",
            status_code=401,
            title="Sign in" if en else "Đăng nhập",
            next=_safe_next(next),
            username=username,
            message=message,
        )
    page.sign_in(result.user, lifetime_of(page.request))
    return page.redirect(_safe_next(next) or page.home())  # type: ignore[return-value]


@router.post("/app/logout")
def logout(page: AnyPage) -> RedirectResponse:
    """Sign out and return to the sign-in form."""
    page.sign_out()
    return page.redirect("/app/login")
