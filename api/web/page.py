"""The page request: who is signed in, the language, CSRF, and rendering with cookies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import Engine

from api.deps import EngineDep, NowDep
from api.errors import Unauthorized
from api.web import session as cookies
from api.web.labels import HOME
from api.web.templates import templates
from flows.engine.state import Actor
from flows.errors import Forbidden
from flows.service.inbox import waiting_count
from flows.service.users import actor_of, session_user
from models.user import User


class SignInRequired(Unauthorized):
    """A page needs a signed-in user: the browser is sent to the sign-in form."""

    code = "sign_in_required"


class CsrfFailed(Forbidden):
    """A form arrived without this browser's CSRF token."""

    code = "csrf_failed"


@dataclass
class Page:
    """Everything a page route needs about the request it answers."""

    request: Request
    engine: Engine
    now: datetime
    lang: str
    user: User | None
    session: cookies.PageSession | None
    csrf_seed: str
    set_cookies: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The secret that signs cookies."""
        key: str = self.request.app.state.secret_key
        return key

    @property
    def actor(self) -> Actor:
        """The signed-in user as the engine's actor."""
        if self.user is None:
            raise SignInRequired("sign in first")
        return actor_of(self.user)

    @property
    def scope(self) -> str:
        """Idempotency scope of this browser session."""
        return f"session:{self.session.sid if self.session else ''}"

    @property
    def csrf(self) -> str:
        """The token this page's forms carry."""
        return cookies.csrf_token(
            self.key, self.csrf_seed, self.session.sid if self.session else ""
        )

    def home(self) -> str:
        """The signed-in user's home page."""
        return HOME.get(self.user.role, "/app/login") if self.user else "/app/login"

    def sign_in(self, user: User, lifetime: timedelta) -> None:
        """Start a new session (a new id and a new CSRF binding) for the user."""
        assert user.id is not None
        self.user = user
        self.session = cookies.PageSession.new(user.id, user.session_epoch, self.now, lifetime)
        self.set_cookies[cookies.SESSION_COOKIE] = (self.session.encode(self.key), None)
        self.csrf_seed = cookies.new_csrf_seed()
        self.set_cookies[cookies.CSRF_COOKIE] = (self.csrf_seed, None)
        if cookies.LANG_COOKIE not in self.request.cookies:
            self.lang = user.language

    def sign_out(self) -> None:
        """Forget the session."""
        self.user, self.session = None, None
        self.set_cookies[cookies.SESSION_COOKIE] = ("", 0)

    def _finish(self, response: HTMLResponse | RedirectResponse) -> Any:
        # Secure behind HTTPS: the request's scheme (uvicorn honours X-Forwarded-Proto from a
        # trusted proxy) or a public https base URL.
        base_url: str = self.request.app.state.settings.base_url
        secure = self.request.url.scheme == "https" or base_url.startswith("https://")
        for name, (value, max_age) in self.set_cookies.items():
            if max_age == 0:
                response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure)
            else:
                response.set_cookie(
                    name,
                    value,
                    max_age=max_age,
                    path="/",
                    httponly=True,
                    samesite="lax",
                    secure=secure,
                )
        response.headers["Cache-Control"] = "no-store"
        return response

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render one template with the layout's context; cookies ride along."""
        user = self.user
        badge = waiting_count(self.engine, actor_of(user), self.now) if user else 0
        ctx = {
            "lang": self.lang,
            "user": user,
            "csrf": self.csrf,
            "badge": badge,
            "path": self.request.url.path,
            "switch_lang_url": self.switch_lang_url(),
            "has_mail": getattr(self.request.app.state, "mail_dir", None) is not None,
            **context,
        }
        response = templates.TemplateResponse(self.request, template, ctx, status_code=status_code)
        return self._finish(response)  # type: ignore[no-any-return]

    def switch_lang_url(self) -> str:
        """This page in the other language."""
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        params.append(("lang", "en" if self.lang == "vi" else "vi"))
        return f"{self.request.url.path}?{urlencode(params)}"

    def redirect(self, url: str) -> RedirectResponse:
        """See other (303), so a form's POST becomes a GET of the next page."""
        return self._finish(RedirectResponse(url, status_code=303))  # type: ignore[no-any-return]


def lifetime_of(request: Request) -> timedelta:
    """How long an idle page session lasts."""
    minutes: int = request.app.state.settings.session_minutes
    return timedelta(minutes=minutes)


def load_page(request: Request, engine: EngineDep, now: NowDep) -> Page:
    """The page context, signed in or not; renews the idle expiry of a live session."""
    key: str = request.app.state.secret_key
    page = Page(request, engine, now, "vi", None, None, "")
    seed = request.cookies.get(cookies.CSRF_COOKIE)
    if not seed or not cookies.csrf_seed_ok(seed):
        seed = cookies.new_csrf_seed()
        page.set_cookies[cookies.CSRF_COOKIE] = (seed, None)
    page.csrf_seed = seed
    raw = request.cookies.get(cookies.SESSION_COOKIE)
    found = cookies.PageSession.decode(raw, key, now) if raw else None
    if found is not None:
        user = session_user(engine, found.user_id, found.epoch)
        if user is not None:
            page.user, page.session = user, found.renewed(now, lifetime_of(request))
            page.set_cookies[cookies.SESSION_COOKIE] = (page.session.encode(key), None)
    elif raw:
        page.set_cookies[cookies.SESSION_COOKIE] = ("", 0)
    wanted = request.query_params.get("lang")
    if wanted in ("vi", "en"):
        page.lang = wanted
        page.set_cookies[cookies.LANG_COOKIE] = (wanted, 365 * 24 * 3600)
    elif request.cookies.get(cookies.LANG_COOKIE) in ("vi", "en"):
        page.lang = request.cookies[cookies.LANG_COOKIE]
    elif page.user is not None:
        page.lang = page.user.language
    request.state.page = page
    return page


AnyPage = Annotated[Page, Depends(load_page)]


def signed_in(page: AnyPage) -> Page:
    """A page for signed-in users only (others go to the sign-in form)."""
    if page.user is None:
        raise SignInRequired("sign in first")
    return page


UserPage = Annotated[Page, Depends(signed_in)]


def page_for(*roles: str) -> Any:
    """A page dependency that lets only the given roles through (403 page otherwise)."""

    def check(page: UserPage) -> Page:
        assert page.user is not None
        if page.user.role not in roles:
            raise Forbidden(f"this page is for: {', '.join(roles)}")
        return page

    return Depends(check)


async def check_csrf(request: Request, page: AnyPage) -> None:
    """Every state-changing form must carry this browser's CSRF token (403 otherwise)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if page.user is None and request.url.path != "/app/login":
        raise SignInRequired("your session has ended; sign in again")
    form = await request.form()
    token = form.get("csrf_token")
    sid = page.session.sid if page.session else ""
    if not cookies.csrf_ok(
        page.key,
        request.cookies.get(cookies.CSRF_COOKIE),
        sid,
        token if isinstance(token, str) else None,
    ):
        raise CsrfFailed(
            "the form has expired or did not come from this site; reload the page and try again"
        )


def login_url(next_path: str) -> str:
    """The sign-in form, returning to a page afterwards."""
    return f"/app/login?next={quote(next_path, safe='/')}"
