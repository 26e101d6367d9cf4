"""Handler pages: the worklist, receiving a dossier, the dossier page and each action's form."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.actions import ACTIONS, ActionBody
from api.background import after_commit
from api.paging import Offset
from api.routes.dossiers import attachment
from api.uploads import OneFile
from api.web import schema_form
from api.web.page import Page, check_csrf, page_for
from api.web.routes.register import dossier_ngo
from api.web.templates import fmt_size
from flows.documents.forms import available_forms
from flows.engine.rules import must_forward
from flows.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAllowed,
    NotFound,
    PreconditionFailed,
    TooLarge,
)
from flows.procedures import fields_model
from flows.procedures.schema import (
    TERMINAL_STATUSES,
    Outcome,
    ProcedureDefinition,
    Role,
    Status,
    Transition,
)
from flows.service import documents, views
from flows.service.agencies import list_agencies
from flows.service.handle import handle
from flows.service.idempotency import IdempotencyKey
from flows.service.intake import create_dossier
from flows.service.registry import registry_of
from flows.service.users import list_users
from models.schemas import Applicant, DossierCreate, DossierPublic

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Reader = Annotated[Page, page_for("handler", "leader", "manager")]
Actor = Annotated[Page, page_for("handler", "leader")]
Receiver = Annotated[Page, page_for("handler")]

PAGE_SIZE = 50
NOT_ON_BUTTONS = ("respond",)  # an agency's answer has its own pages


async def read_form(request: Request) -> FormData:
    """The submitted form (already parsed, and cached, by the CSRF check)."""
    return await request.form()


Submitted = Annotated[FormData, Depends(read_form)]


def _definition(page: Page, code: str, version: int | None = None) -> ProcedureDefinition:
    """A procedure of this database's registry, or NotFound."""
    definition = registry_of(page.engine).get(code, version)
    if definition is None:
        raise NotFound(f"no procedure {code}")
    return definition


def _en(page: Page, vi: str, en: str) -> str:
    """Text in the page's language."""
    return en if page.lang == "en" else vi


def days_tone(dossier: DossierPublic, definition: ProcedureDefinition | None) -> str:
    """late when overdue, warn within the at-risk working days, ok otherwise."""
    if dossier.is_overdue:
        return "late"
    left = dossier.working_days_left
    threshold = definition.at_risk_working_days if definition is not None else 3
    return "warn" if left is not None and left <= threshold else "ok"


@dataclass(frozen=True)
class Row:
    """One worklist line: the dossier, its procedure and how its clock looks."""

    dossier: DossierPublic
    procedure: ProcedureDefinition | None

    @property
    def tone(self) -> str:
        """The colour of its working days left."""
        return days_tone(self.dossier, self.procedure)


@router.get("/app/worklist", response_class=HTMLResponse)
def worklist(
    page: Reader,
    status: Annotated[str, Query(max_length=40)] = "",
    procedure: Annotated[str, Query(max_length=80)] = "",
    assignee: Annotated[str, Query(max_length=120)] = "",
    overdue: bool | None = None,
    at_risk: bool | None = None,
    step_overdue: bool | None = None,
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Offset = 0,
) -> HTMLResponse:
    """Dossiers soonest due first, filtered, with their working days left coloured."""
    found = views.list_dossiers(
        page.engine,
        page.now,
        status=status or None,
        procedure=procedure or None,
        assignee=assignee or None,
        overdue=overdue or None,
        at_risk=at_risk or None,
        step_overdue=step_overdue or None,
        q=q.strip() or None,
        limit=PAGE_SIZE,
        offset=offset,
    )
    registry = registry_of(page.engine)
    rows = [
        Row(dossier, registry.get(dossier.procedure, dossier.procedure_version))
        for dossier in found.items
    ]
    filters = {
        "status": status,
        "procedure": procedure,
        "assignee": assignee,
        "overdue": "true" if overdue else "",
        "at_risk": "true" if at_risk else "",
        "step_overdue": "true" if step_overdue else "",
        "q": q,
    }
    kept = {k: v for k, v in filters.items() if v}

    def link(to: int) -> str:
        """This worklist from another offset."""
        return "/app/worklist?" + urlencode({**kept, **({"offset": to} if to else {})})

    return page.render(
        "app/worklist.html",
        title=_en(page, "Danh sách hồ sơ", "Worklist"),
        rows=rows,
        total=found.total,
        offset=offset,
        page_size=PAGE_SIZE,
        filters=filters,
        filtered=bool(kept),
        statuses=[s.value for s in Status],
        procedures=registry.latest(),
        handlers=_handlers(page),
        previous_url=link(max(offset - PAGE_SIZE, 0)) if offset else "",
        next_url=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < found.total else "",
    )


def _handlers(page: Page) -> list[str]:
    """Display names of the active handlers (who a dossier can be assigned to)."""
    return sorted(
        u.display_name for u in list_users(page.engine) if u.role == Role.handler and u.active
    )


@router.get("/app/dossiers/new", response_class=HTMLResponse)
def intake_choose(page: Receiver) -> HTMLResponse:
    """Choose the procedure of the dossier to receive."""
    return page.render(
        "app/intake_choose.html",
        title=_en(page, "Tiếp nhận hồ sơ", "Receive a dossier"),
        procedures=registry_of(page.engine).latest(),
    )


def applicant_fields() -> list[schema_form.FormField]:
    """The inputs every intake form has: the applicant, then the subject."""
    subject = [
        f for f in schema_form.fields_of(DossierCreate.model_json_schema()) if f.name == "subject"
    ]
    return schema_form.fields_of(Applicant.model_json_schema(), "applicant.") + subject


def _intake_page(
    page: Page,
    definition: ProcedureDefinition,
    raw: schema_form.Raw,
    key: str,
    problems: dict[str, str],
    message: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The intake form of a procedure, with what was typed and what is wrong with it."""
    schema = fields_model(definition).model_json_schema()
    return page.render(
        "app/intake_form.html",
        status_code=status_code,
        title=_en(page, "Tiếp nhận hồ sơ", "Receive a dossier")
        + " · "
        + _en(page, definition.title_vi, definition.title_en),
        procedure=definition,
        fields=schema_form.fields_of(schema),
        applicant_fields=applicant_fields(),
        raw=raw,
        idempotency_key=key,
        problems=problems,
        message=message,
    )


@router.get("/app/dossiers/new/{code}", response_class=HTMLResponse)
def intake_form(code: str, page: Receiver) -> HTMLResponse:
    """A form built from the procedure's own fields, plus the applicant and the subject."""
    definition = _definition(page, code)
    fields = schema_form.fields_of(fields_model(definition).model_json_schema())
    raw = {**schema_form.initial(applicant_fields()), **schema_form.initial(fields)}
    return _intake_page(page, definition, raw, secrets.token_urlsafe(16), {})


@dataclass
class Intake:
    """A submitted intake form read back: the payload, or what is wrong with it."""

    raw: schema_form.Raw
    payload: DossierCreate | None
    problems: dict[str, str]


def read_intake(definition: ProcedureDefinition, form: FormData, lang: str) -> Intake:
    """The typed intake form as a payload, or its problems by input name."""
    # The procedure's own fields are checked by its model, the rest by DossierCreate.
    model = fields_model(definition)
    fields = schema_form.fields_of(model.model_json_schema())
    common = [f.name for f in applicant_fields()]
    raw = schema_form.read(form, [*common, *(f.name for f in fields)])
    values, problems = schema_form.parse(fields, raw, lang)
    for name, text in schema_form.check(model, values, lang).items():
        problems.setdefault(name, text)
    data = {
        "procedure": definition.code,
        "subject": schema_form.text_of(raw, "subject"),
        "applicant": {
            name.removeprefix("applicant."): text
            for name in common
            if name.startswith("applicant.")
            for text in [schema_form.text_of(raw, name).strip()]
            if text
        },
        **values,
    }
    payload: DossierCreate | None = None
    try:
        payload = DossierCreate.model_validate(data)
    except ValidationError as exc:
        for name, text in schema_form.problems_of(exc, lang, common).items():
            problems.setdefault(name, text)
    return Intake(raw, None if problems else payload, problems)


@router.post("/app/dossiers/new/{code}", response_class=HTMLResponse)
def intake(code: str, request: Request, page: Receiver, form: Submitted) -> Response:
    """Receive the dossier; a second submit of the same form gives the same dossier."""
    definition = _definition(page, code)
    typed_key = form.get("idempotency_key")
    key = typed_key[:200] if isinstance(typed_key, str) and typed_key else ""
    key = key or secrets.token_urlsafe(16)
    read = read_intake(definition, form, page.lang)
    if read.payload is None:
        return _intake_page(
            page,
            definition,
            read.raw,
            key,
            read.problems,
            status_code=422,
            message=_en(
                page,
                "Hồ sơ chưa được tiếp nhận: hãy sửa các ô được đánh dấu.",
                "The dossier was not received: please correct the marked fields.",
            ),
        )
    idem = IdempotencyKey.of(f"{page.scope}:new", key, read.payload.model_dump(mode="json"))
    try:
        dossier, _ = create_dossier(
            page.engine,
            read.payload,
            page.actor,
            now=page.now,
            idempotency=idem,
            receiving_agency=request.app.state.receiving_agency,
        )
    except InvalidInput as exc:
        return _intake_page(
            page, definition, read.raw, key, {}, message=exc.detail, status_code=422
        )
    return page.redirect(f"/app/dossiers/{dossier.id}?done=receive")


def buttons(definition: ProcedureDefinition, dossier: DossierPublic, role: str) -> list[Transition]:
    """The transitions this role may take now, in the procedure's order (system ones hidden)."""
    return [
        t
        for t in definition.transitions
        if t.action in dossier.allowed_actions
        and t.action in ACTIONS
        and t.action not in NOT_ON_BUTTONS
        and role in t.roles
        and Role.system not in t.roles
    ]


def _loaded(page: Page, dossier_id: str) -> tuple[DossierPublic, ProcedureDefinition]:
    """The dossier as of now, and the procedure version it runs on."""
    dossier = views.get_dossier(page.engine, dossier_id, page.now)
    return dossier, _definition(page, dossier.procedure, dossier.procedure_version)


@router.get("/app/dossiers/{dossier_id}", response_class=HTMLResponse)
def dossier_page(
    dossier_id: str, page: Reader, done: Annotated[str, Query(max_length=40)] = ""
) -> HTMLResponse:
    """Details, documents, consultations, the timeline and the buttons of allowed actions."""
    dossier, definition = _loaded(page, dossier_id)
    assert page.user is not None
    schema = fields_model(definition).model_json_schema()
    timeline = views.history(page.engine, dossier_id)
    return page.render(
        "app/dossier.html",
        title=dossier.code,
        dossier=dossier,
        procedure=definition,
        tone=days_tone(dossier, definition),
        buttons=buttons(definition, dossier, page.user.role),
        can_upload=page.user.role in ("handler", "leader"),
        closed=Status(dossier.status) in TERMINAL_STATUSES,
        max_upload=page.request.app.state.max_upload_bytes,
        fields=schema_form.fields_of(schema),
        documents=documents.list_documents(page.engine, dossier_id),
        history=timeline,
        forms=available_forms(dossier, timeline),
        agencies={a.code: a for a in list_agencies(page.engine)},
        done=done,
        done_transition=definition.transition(done) if done in ACTIONS else None,
        ngo=dossier_ngo(page.engine, dossier_id),
    )


@router.post("/app/dossiers/{dossier_id}/documents", response_class=HTMLResponse)
def upload(
    dossier_id: str,
    request: Request,
    page: Actor,
    file: Annotated[UploadFile, File()],
    _one: OneFile = None,
) -> RedirectResponse:
    """Attach a file to the dossier (size-limited), then back to the dossier page."""
    limit: int = request.app.state.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(
            _en(
                page,
                f"Tệp lớn hơn giới hạn {fmt_size(limit)}.",
                f"The file is larger than the limit of {fmt_size(limit)}.",
            )
        )
    documents.add_document(
        page.engine,
        dossier_id,
        page.actor,
        name=file.filename or "",
        content_type=file.content_type or "",
        content=content,
        now=page.now,
    )
    return page.redirect(f"/app/dossiers/{dossier_id}?done=upload#documents")


@router.get("/app/dossiers/{dossier_id}/documents/{document_id}")
def download(dossier_id: str, document_id: str, page: Reader) -> Response:
    """One of the dossier's files, as a download."""
    return attachment(*documents.read_document(page.engine, dossier_id, document_id))


def body_model(action: str) -> type[ActionBody]:
    """The body model of an action people take on the pages, or NotFound."""
    if action not in ACTIONS or action in NOT_ON_BUTTONS:
        raise NotFound(f"no action {action!r}")
    return ACTIONS[action][0]


def _fields(model: type[ActionBody]) -> list[schema_form.FormField]:
    """The inputs of an action's body model."""
    return schema_form.fields_of(model.model_json_schema())


def _allowed(
    page: Page, definition: ProcedureDefinition, dossier: DossierPublic, action: str
) -> Transition:
    """The action's transition, if this user may take it on this dossier now."""
    transition = definition.transition(action)
    if transition is None:
        raise NotFound(f"{definition.code} has no action {action!r}")
    assert page.user is not None
    if page.user.role not in transition.roles:
        raise Forbidden(
            _en(
                page,
                "Vai trò của bạn không thực hiện được thao tác này.",
                "Your role may not take this action.",
            )
        )
    if action not in dossier.allowed_actions:
        raise NotAllowed(
            _en(
                page,
                "Thao tác này không thực hiện được ở trạng thái hiện tại của hồ sơ.",
                "This action is not possible in the dossier's current state.",
            ),
            dossier.allowed_actions,
        )
    return transition


def _defaults(
    page: Page, action: str, definition: ProcedureDefinition, dossier: DossierPublic
) -> schema_form.Raw:
    """What an action's form shows at first."""
    raw = schema_form.initial(_fields(body_model(action)))
    if action == "consult":
        asked = {c.agency for c in dossier.consultations if c.status != "cancelled"}
        wanted = dict.fromkeys([*dossier.required_agencies, *definition.default_agencies])
        raw["agencies"] = [a for a in wanted if a not in asked] or list(wanted)
    elif action == "assign":
        raw["assignee"] = [dossier.assignee or (page.user.display_name if page.user else "")]
    return raw


def outcomes(definition: ProcedureDefinition, dossier: DossierPublic) -> list[str]:
    """The outcomes a proposal may have: forwarding only for, and only, flagged aid."""
    if definition.forward is None:
        return [o.value for o in definition.outcomes]
    forward = must_forward(dossier.fields, definition)
    return [o.value for o in definition.outcomes if (o == Outcome.forward) == forward]


def _action_page(
    page: Page,
    dossier_id: str,
    action: str,
    raw: schema_form.Raw | None = None,
    problems: dict[str, str] | None = None,
    message: str = "",
    version: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """An action's form, fresh or with what was typed and what is wrong with it."""
    dossier, definition = _loaded(page, dossier_id)
    transition = _allowed(page, definition, dossier, action)
    return page.render(
        "app/action_form.html",
        status_code=status_code,
        blocked=False,
        title=_en(page, transition.title_vi, transition.title_en) + " · " + dossier.code,
        dossier=dossier,
        procedure=definition,
        action=action,
        transition=transition,
        fields=_fields(body_model(action)),
        raw=raw if raw is not None else _defaults(page, action, definition, dossier),
        problems=problems or {},
        message=message,
        version=version if version is not None else dossier.version,
        agencies=list_agencies(page.engine, active=True) if action == "consult" else [],
        handlers=_handlers(page) if action == "assign" else [],
        outcomes=outcomes(definition, dossier) if action == "propose" else [],
    )


@router.get("/app/dossiers/{dossier_id}/actions/{action}", response_class=HTMLResponse)
def action_form(dossier_id: str, action: str, page: Actor) -> HTMLResponse:
    """The form of one allowed action, built from its body model."""
    body_model(action)
    return _action_page(page, dossier_id, action)


def _version(form: FormData) -> int | None:
    """The dossier version the form was filled in against."""
    value = form.get("version")
    return int(value) if isinstance(value, str) and value.isdigit() else None


@router.post("/app/dossiers/{dossier_id}/actions/{action}", response_class=HTMLResponse)
def act(
    dossier_id: str, action: str, page: Actor, form: Submitted, background: BackgroundTasks
) -> Response:
    """Take the action; back to the dossier page with a notice, or the form with what is wrong."""
    model = body_model(action)
    fields = _fields(model)
    raw = schema_form.read(form, [f.name for f in fields])
    version = _version(form)
    values, problems = schema_form.parse(fields, raw, page.lang)
    for name, text in schema_form.check(model, values, page.lang).items():
        problems.setdefault(name, text)
    if problems:
        return _action_page(
            page,
            dossier_id,
            action,
            raw,
            problems,
            version=version,
            status_code=422,
            message=_en(page, "Hãy sửa các ô được đánh dấu.", "Please correct the marked fields."),
        )
    command = model.model_validate(values).to_command(page.actor)
    try:
        handle(page.engine, dossier_id, command, now=page.now, expected_version=version)
    except (InvalidInput, Conflict) as exc:
        return _action_page(
            page,
            dossier_id,
            action,
            raw,
            {},
            exc.detail,
            version,
            status_code=422 if isinstance(exc, InvalidInput) else 409,
        )
    except (NotAllowed, PreconditionFailed) as exc:
        return page.render(
            "app/action_form.html",
            blocked=True,
            status_code=409 if isinstance(exc, NotAllowed) else 412,
            title=_en(page, "Không thực hiện được", "Not done"),
            dossier_id=dossier_id,
            stale=isinstance(exc, PreconditionFailed),
            message=exc.detail,
        )
    background.add_task(after_commit(page.request))
    return page.redirect(f"/app/dossiers/{dossier_id}?done={action}")
