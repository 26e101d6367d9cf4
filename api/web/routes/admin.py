"""Pages of the admin area: users, API tokens, agencies, calendar, procedure versions, audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from api.routes.calendar import OverrideBody, YearDecisionBody
from api.routes.users import TokenId
from api.web.page import Page, check_csrf, page_for
from flows.calendar import local_date
from flows.errors import InvalidInput
from flows.service import agencies, calendar_admin, procedures, users
from flows.service.admin_audit import list_admin_events
from flows.service.calendar_admin import DecidedDay
from flows.service.registry import registry_of
from models.admin_audit import AdminEvent
from models.schemas import TokenCreate, UserCreate, UserUpdate

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
Admin = Annotated[Page, page_for("admin")]
Text = Annotated[str, Form(max_length=2000)]
Model = TypeVar("Model", bound=BaseModel)

ENTITIES = ("user", "token", "agency", "calendar", "procedure")
NOTICES = {
    "user-created": ("Đã tạo người dùng.", "The user was created."),
    "role-changed": (
        "Đã đổi vai trò; các phiên đăng nhập của người này đã kết thúc.",
        "The role was changed; their sessions have ended.",
    ),
    "disabled": (
        "Đã khóa tài khoản: không đăng nhập được, token không còn dùng được.",
        "The account is disabled: no sign-in, and its tokens stop working.",
    ),
    "enabled": ("Đã mở lại tài khoản.", "The account is enabled again."),
    "password-reset": (
        "Đã đặt lại mật khẩu; các phiên đăng nhập đã kết thúc.",
        "The password was reset; their sessions have ended.",
    ),
    "token-revoked": (
        "Đã thu hồi token; token không còn dùng được.",
        "The token is revoked and no longer works.",
    ),
    "agency-created": ("Đã thêm cơ quan.", "The agency was added."),
    "agency-updated": ("Đã cập nhật cơ quan.", "The agency was updated."),
    "agency-deactivated": (
        "Đã ngừng lấy ý kiến cơ quan này.",
        "The agency is deactivated: it is no longer consulted.",
    ),
    "agency-activated": ("Đã kích hoạt lại cơ quan.", "The agency is active again."),
    "override-set": (
        "Đã lưu ngày điều chỉnh; thời hạn tính từ nay theo lịch mới.",
        "The day was saved; deadlines computed from now on follow it.",
    ),
    "override-removed": ("Đã xóa ngày điều chỉnh.", "The override was removed."),
    "year-recorded": (
        "Đã lưu quyết định của năm; thời hạn tính từ nay theo lịch mới.",
        "The year's decision was saved; deadlines computed from now on follow it.",
    ),
    "version-published": (
        "Đã ban hành phiên bản mới; hồ sơ đang giải quyết giữ phiên bản cũ.",
        "The new version is published; running dossiers keep theirs.",
    ),
}


@dataclass(frozen=True)
class EventRow:
    """An audit event as shown: the changed fields as (field, before, after)."""

    event: AdminEvent
    changes: list[tuple[str, str, str]]

    @property
    def values_only(self) -> bool:
        """A creation or a removal: there is only one side to show."""
        return self.event.before is None or self.event.after is None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _row(event: AdminEvent) -> EventRow:
    """The fields whose values differ; of a creation or removal, those that have a value."""
    before, after = event.before or {}, event.after or {}
    if event.before is None or event.after is None:
        keys = [key for key, value in (after or before).items() if value not in (None, "")]
    else:
        keys = [
            key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)
        ]
    return EventRow(event, [(key, _shown(before.get(key)), _shown(after.get(key))) for key in keys])


def _rows(events: list[AdminEvent]) -> list[EventRow]:
    return [_row(event) for event in events]


def _notice(page: Page, done: str) -> str:
    vi, en = NOTICES.get(done, ("", ""))
    return en if page.lang == "en" else vi


def _validated(model: type[Model], values: dict[str, Any]) -> Model:
    """The form's values as the API's model, or InvalidInput naming each wrong field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in exc.errors())
        ) from exc


def _title(page: Page, vi: str, en: str) -> str:
    return f"{en} · Administration" if page.lang == "en" else f"{vi} · Quản trị"


@router.get("/app/admin", response_class=HTMLResponse)
def index(page: Admin) -> Response:
    """Links to every administration page and the latest changes."""
    return page.render(
        "app/admin/index.html",
        title=_title(page, "Tổng quan", "Overview"),
        rows=_rows(list_admin_events(page.engine, limit=10)),
    )


# --- users -------------------------------------------------------------------------------


def _users_page(
    page: Page,
    *,
    status_code: int = 200,
    message: str = "",
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    return page.render(
        "app/admin/users.html",
        status_code=status_code,
        title=_title(page, "Người dùng", "Users"),
        accounts=users.list_users(page.engine),
        agencies=agencies.list_agencies(page.engine, active=True),
        roles=users.ROLES,
        message=message,
        notice=_notice(page, done),
        form=form
        or {
            "username": "",
            "display_name": "",
            "role": "handler",
            "agency": "",
            "email": "",
            "language": "vi",
        },
    )


@router.get("/app/admin/users", response_class=HTMLResponse)
def users_list(page: Admin, done: str = "") -> Response:
    """Every user, and the form to add one."""
    return _users_page(page, done=done)


@router.post("/app/admin/users", response_class=HTMLResponse)
def user_create(
    page: Admin,
    username: Text = "",
    display_name: Text = "",
    role: Text = "",
    agency: Text = "",
    email: Text = "",
    language: Text = "vi",
    password: Text = "",
) -> Response:
    """Add a user with an initial password; a taken username is a 409 page."""
    form = {
        "username": username.strip(),
        "display_name": display_name.strip(),
        "role": role,
        "agency": agency,
        "email": email.strip(),
        "language": language,
    }
    try:
        data = _validated(UserCreate, {**form, "agency": agency or None, "password": password})
        created = users.create_user(page.engine, data, page.actor, page.now)
    except InvalidInput as exc:
        return _users_page(page, status_code=422, message=exc.detail, form=form)
    return page.redirect(f"/app/admin/users/{created.username}?done=user-created")


def _user_page(
    page: Page, username: str, *, status_code: int = 200, message: str = "", done: str = ""
) -> Response:
    return page.render(
        "app/admin/user.html",
        status_code=status_code,
        title=_title(page, "Người dùng", "User"),
        account=users.get_user(page.engine, username),
        tokens=users.list_tokens(page.engine, username),
        agencies=agencies.list_agencies(page.engine, active=True),
        roles=users.ROLES,
        message=message,
        notice=_notice(page, done),
        now=page.now,
    )


@router.get("/app/admin/users/{username}", response_class=HTMLResponse)
def user_show(username: str, page: Admin, done: str = "") -> Response:
    """One user, with the forms to change role, disable and reset the password."""
    return _user_page(page, username, done=done)


def _change_user(page: Page, username: str, values: dict[str, Any], done: str) -> Response:
    """Apply one change to a user and go back to their page, or show it again with why not."""
    try:
        users.update_user(
            page.engine, username, _validated(UserUpdate, values), page.actor, page.now
        )
    except InvalidInput as exc:
        return _user_page(page, username, status_code=422, message=exc.detail)
    return page.redirect(f"/app/admin/users/{username}?done={done}")


@router.post("/app/admin/users/{username}/role", response_class=HTMLResponse)
def user_role(username: str, page: Admin, role: Text = "", agency: Text = "") -> Response:
    """Change the role (and agency); ends the user's sessions."""
    return _change_user(page, username, {"role": role, "agency": agency or None}, "role-changed")


@router.post("/app/admin/users/{username}/disable", response_class=HTMLResponse)
def user_disable(username: str, page: Admin) -> Response:
    """Disable the account: no sign-in, sessions and tokens stop working."""
    return _change_user(page, username, {"active": False}, "disabled")


@router.post("/app/admin/users/{username}/enable", response_class=HTMLResponse)
def user_enable(username: str, page: Admin) -> Response:
    """Enable the account again."""
    return _change_user(page, username, {"active": True}, "enabled")


@router.post("/app/admin/users/{username}/password", response_class=HTMLResponse)
def user_password(
    username: str, page: Admin, password: Text = "", password_confirm: Text = ""
) -> Response:
    """Set a new password; ends the user's sessions."""
    if password != password_confirm:
        message = (
            "The two passwords differ."
            if page.lang == "en"
            else "Hai mật khẩu nhập không giống nhau."
        )
        return _user_page(page, username, status_code=422, message=message)
    return _change_user(page, username, {"password": password}, "password-reset")


# --- tokens ------------------------------------------------------------------------------


def _tokens_page(
    page: Page, *, status_code: int = 200, message: str = "", done: str = ""
) -> Response:
    return page.render(
        "app/admin/tokens.html",
        status_code=status_code,
        title=_title(page, "Token API", "API tokens"),
        tokens=users.list_tokens(page.engine),
        accounts=[u for u in users.list_users(page.engine) if u.active],
        message=message,
        notice=_notice(page, done),
        now=page.now,
    )


@router.get("/app/admin/tokens", response_class=HTMLResponse)
def tokens_list(page: Admin, done: str = "") -> Response:
    """Every token's metadata, and the form to create one."""
    return _tokens_page(page, done=done)


@router.post("/app/admin/tokens", response_class=HTMLResponse)
def token_create(
    page: Admin, username: Text = "", name: Text = "", expires_days: Text = ""
) -> Response:
    """A new token for a user; its secret is shown on this answer only."""
    try:
        data = _validated(
            TokenCreate,
            {
                "username": username,
                "name": name.strip() or "api",
                "expires_days": expires_days.strip() or None,
            },
        )
        created = users.create_token_for(
            page.engine,
            data.username,
            name=data.name,
            expires_days=data.expires_days,
            actor=page.actor,
            now=page.now,
        )
    except InvalidInput as exc:
        return _tokens_page(page, status_code=422, message=exc.detail)
    return page.render(
        "app/admin/token_created.html",
        status_code=201,
        title=_title(page, "Token mới", "New token"),
        token=created,
    )


@router.post("/app/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def token_revoke(token_id: TokenId, page: Admin) -> Response:
    """Revoke a token at once."""
    users.revoke_token(page.engine, token_id, page.actor, page.now)
    return page.redirect("/app/admin/tokens?done=token-revoked")


# --- agencies ----------------------------------------------------------------------------


def _agencies_page(
    page: Page,
    *,
    status_code: int = 200,
    message: str = "",
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    return page.render(
        "app/admin/agencies.html",
        status_code=status_code,
        title=_title(page, "Cơ quan", "Agencies"),
        agencies=agencies.list_agencies(page.engine),
        message=message,
        notice=_notice(page, done),
        form=form or {"code": "", "name_vi": "", "name_en": "", "email": ""},
    )


@router.get("/app/admin/agencies", response_class=HTMLResponse)
def agencies_list(page: Admin, done: str = "") -> Response:
    """The agency registry, and the form to add an agency."""
    return _agencies_page(page, done=done)


@router.post("/app/admin/agencies", response_class=HTMLResponse)
def agency_create(
    page: Admin, code: Text = "", name_vi: Text = "", name_en: Text = "", email: Text = ""
) -> Response:
    """Add an agency; an existing code is a 409 page."""
    form = {
        "code": code.strip().upper(),
        "name_vi": name_vi.strip(),
        "name_en": name_en.strip(),
        "email": email.strip(),
    }
    try:
        agencies.create_agency(
            page.engine, _validated(agencies.AgencyCreate, form), actor=page.actor, now=page.now
        )
    except InvalidInput as exc:
        return _agencies_page(page, status_code=422, message=exc.detail, form=form)
    return page.redirect(f"/app/admin/agencies/{form['code']}?done=agency-created")


def _agency_page(
    page: Page, code: str, *, status_code: int = 200, message: str = "", done: str = ""
) -> Response:
    return page.render(
        "app/admin/agency.html",
        status_code=status_code,
        title=_title(page, "Cơ quan", "Agency"),
        agency=agencies.get_agency(page.engine, code),
        message=message,
        notice=_notice(page, done),
    )


@router.get("/app/admin/agencies/{code}", response_class=HTMLResponse)
def agency_show(code: str, page: Admin, done: str = "") -> Response:
    """One agency, with the forms to rename, re-address and (de)activate it."""
    return _agency_page(page, code, done=done)


def _change_agency(page: Page, code: str, values: dict[str, Any], done: str) -> Response:
    try:
        agencies.update_agency(
            page.engine,
            code,
            _validated(agencies.AgencyUpdate, values),
            actor=page.actor,
            now=page.now,
        )
    except InvalidInput as exc:
        return _agency_page(page, code, status_code=422, message=exc.detail)
    return page.redirect(f"/app/admin/agencies/{code}?done={done}")


@router.post("/app/admin/agencies/{code}", response_class=HTMLResponse)
def agency_update(
    code: str, page: Admin, name_vi: Text = "", name_en: Text = "", email: Text = ""
) -> Response:
    """Rename or re-address an agency; its consultations are untouched."""
    return _change_agency(
        page,
        code,
        {"name_vi": name_vi.strip(), "name_en": name_en.strip(), "email": email.strip()},
        "agency-updated",
    )


def _lines(text: str) -> list[str]:
    """One entry per line, blanks dropped, each once in the order given."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


@router.post("/app/admin/agencies/{code}/mapping", response_class=HTMLResponse)
def agency_mapping(
    code: str, page: Admin, provinces: Text = "", activity_fields: Text = ""
) -> Response:
    """Which provinces' People's Committee, and which activity fields' ministry, it is.

    Configuration of the required consultations (Decree 58/2022 Art 11): new dossiers of those
    provinces or fields consult this agency; dossiers already accepted keep their list.
    """
    return _change_agency(
        page,
        code,
        {"provinces": _lines(provinces), "activity_fields": _lines(activity_fields)},
        "agency-updated",
    )


@router.post("/app/admin/agencies/{code}/deactivate", response_class=HTMLResponse)
def agency_deactivate(code: str, page: Admin) -> Response:
    """No new consultations of this agency; its history stays."""
    return _change_agency(page, code, {"active": False}, "agency-deactivated")


@router.post("/app/admin/agencies/{code}/activate", response_class=HTMLResponse)
def agency_activate(code: str, page: Admin) -> Response:
    """The agency can be consulted again."""
    return _change_agency(page, code, {"active": True}, "agency-activated")


# --- calendar ----------------------------------------------------------------------------


def _calendar_page(
    page: Page,
    *,
    year: int | None = None,
    status_code: int = 200,
    message: str = "",
    done: str = "",
    form: dict[str, str] | None = None,
    decision: dict[str, str] | None = None,
) -> Response:
    shown = year or local_date(page.now).year
    return page.render(
        "app/admin/calendar.html",
        status_code=status_code,
        title=_title(page, "Lịch làm việc", "Working-day calendar"),
        overrides=calendar_admin.list_overrides(page.engine),
        calendar_year=calendar_admin.calendar_year(page.engine, shown),
        message=message,
        notice=_notice(page, done),
        form=form or {"day": "", "kind": "holiday", "note": "", "source": ""},
        decision=decision or {"year": str(shown), "source": "", "days": ""},
    )


def _decided_days(text: str) -> list[dict[str, str]]:
    """Lines `YYYY-MM-DD holiday|working_day [name]` as the API's days, or InvalidInput."""
    days = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2:
            raise InvalidInput(f"days, line {number}: give a date and holiday or working_day")
        days.append({"day": parts[0], "kind": parts[1], "note": parts[2] if len(parts) > 2 else ""})
    return days


@router.get("/app/admin/calendar", response_class=HTMLResponse)
def calendar_list(page: Admin, done: str = "", year: int | None = None) -> Response:
    """The year's days off and days worked with their sources, overrides, and the forms."""
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput("year: between 2000 and 2100")
    return _calendar_page(page, year=year, done=done)


@router.post("/app/admin/calendar", response_class=HTMLResponse)
def calendar_set(
    page: Admin, day: Text = "", kind: Text = "", note: Text = "", source: Text = ""
) -> Response:
    """Make a day a holiday or a working day (replacing an earlier override of that day)."""
    form = {"day": day.strip(), "kind": kind, "note": note.strip(), "source": source.strip()}
    try:
        body = _validated(
            OverrideBody, {"kind": kind, "note": form["note"], "source": form["source"]}
        )
        try:
            when = date.fromisoformat(form["day"])
        except ValueError as exc:
            raise InvalidInput("day: give a date (YYYY-MM-DD)") from exc
        calendar_admin.set_override(
            page.engine,
            when,
            body.kind,
            body.note,
            source=body.source,
            actor=page.actor,
            now=page.now,
        )
    except InvalidInput as exc:
        return _calendar_page(page, status_code=422, message=exc.detail, form=form)
    return page.redirect(f"/app/admin/calendar?year={when.year}&done=override-set")


@router.post("/app/admin/calendar/years", response_class=HTMLResponse)
def calendar_year_decision(
    page: Admin, year: Text = "", source: Text = "", days: Text = ""
) -> Response:
    """Record a year's decision: several days with one source document, all or none."""
    decision = {"year": year.strip(), "source": source.strip(), "days": days}
    try:
        if not decision["year"].isdigit() or not 2000 <= int(decision["year"]) <= 2100:
            raise InvalidInput("year: between 2000 and 2100")
        body = _validated(
            YearDecisionBody, {"source": decision["source"], "days": _decided_days(days)}
        )
        calendar_admin.record_year(
            page.engine,
            int(decision["year"]),
            [DecidedDay(d.day, d.kind, d.note) for d in body.days],
            body.source,
            actor=page.actor,
            now=page.now,
        )
    except InvalidInput as exc:
        shown = int(decision["year"]) if decision["year"].isdigit() else None
        return _calendar_page(
            page, year=shown, status_code=422, message=exc.detail, decision=decision
        )
    return page.redirect(f"/app/admin/calendar?year={decision['year']}&done=year-recorded")


@router.post("/app/admin/calendar/{day}/delete", response_class=HTMLResponse)
def calendar_delete(day: date, page: Admin) -> Response:
    """Remove an override: the day follows the shipped data or holidays.VN again."""
    calendar_admin.delete_override(page.engine, day, actor=page.actor, now=page.now)
    return page.redirect(f"/app/admin/calendar?year={day.year}&done=override-removed")


# --- procedure versions ------------------------------------------------------------------


@router.get("/app/admin/procedures", response_class=HTMLResponse)
def procedures_list(page: Admin) -> Response:
    """The latest version of every procedure."""
    return page.render(
        "app/admin/procedures.html",
        title=_title(page, "Thủ tục", "Procedures"),
        procedures=registry_of(page.engine).latest(),
    )


def _procedure_page(
    page: Page,
    code: str,
    *,
    status_code: int = 200,
    message: str = "",
    done: str = "",
    changes: str = "{}",
    note: str = "",
) -> Response:
    return page.render(
        "app/admin/procedure.html",
        status_code=status_code,
        title=_title(page, "Phiên bản thủ tục", "Procedure versions"),
        code=code,
        versions=procedures.versions(page.engine, code),
        publications=procedures.publications(page.engine, code),
        publishable=sorted(procedures.PUBLISHABLE),
        message=message,
        notice=_notice(page, done),
        changes=changes,
        note=note,
    )


@router.get("/app/admin/procedures/{code}", response_class=HTMLResponse)
def procedure_show(code: str, page: Admin, done: str = "") -> Response:
    """Every version of one procedure, and the form to publish a new one."""
    return _procedure_page(page, code, done=done)


@router.post("/app/admin/procedures/{code}/versions", response_class=HTMLResponse)
def procedure_publish(
    code: str, page: Admin, changes: Annotated[str, Form(max_length=20000)] = "", note: Text = ""
) -> Response:
    """Publish a new version from the latest one plus the changes (a JSON object)."""
    try:
        try:
            parsed = json.loads(changes or "{}")
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"changes: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
        if not isinstance(parsed, dict):
            raise InvalidInput('changes: give a JSON object, e.g. {"total_working_days": 25}')
        procedures.publish_version(page.engine, code, parsed, note.strip(), page.actor, page.now)
    except InvalidInput as exc:
        return _procedure_page(
            page, code, status_code=422, message=exc.detail, changes=changes, note=note
        )
    return page.redirect(f"/app/admin/procedures/{code}?done=version-published")


# --- audit -------------------------------------------------------------------------------


@router.get("/app/admin/audit", response_class=HTMLResponse)
def audit(page: Admin, entity: str = "") -> Response:
    """Every administrative change, newest first, optionally of one kind."""
    chosen = entity if entity in ENTITIES else ""
    return page.render(
        "app/admin/audit.html",
        title=_title(page, "Nhật ký quản trị", "Administration log"),
        rows=_rows(list_admin_events(page.engine, entity=chosen or None, limit=500)),
        entities=ENTITIES,
        entity=chosen,
    )
