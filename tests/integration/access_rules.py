"""Who may call each route of the app, and on which of the shared objects of world.py."""

# Every route (method + path template) has a rule here; test_access_matrix.py fails for a route
# without one, and for a rule whose route is gone. A rule names the roles that may call it and
# how its objects are scoped:
# - dossiers, certificates, users, tokens, agencies and procedures are not scoped: a role that
#   may read them sees every one; an id that does not exist is 404;
# - consultations are scoped (`own_agency`): an agency sees only its own requests, another
#   agency's is 404 exactly like one that does not exist; handlers, leaders and managers see all;
# - the agency reply page (`/reply/{token}`) needs no sign-in: the signed link is the credential,
#   a forged one is 404 and records nothing.
# Pages (`page=True`) use the session cookie and a CSRF token instead of a bearer token:
# anonymous callers are sent to the sign-in form, a wrong role gets a 403 page.
# Mutating routes are called with bodies that fail validation, on throwaway objects (a user, a
# token, an agency, a calendar day), or on a dossier that is already decided (every action on it
# is 409), so the matrix never changes the shared objects in ways that depend on its order.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.integration.conftest import PASSWORD
from tests.integration.helpers import operation_issue

ROLES = ("handler", "leader", "manager", "agency", "admin", "anonymous")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
DOSSIER_READERS = frozenset({"handler", "leader", "manager"})
DOSSIER_ACTORS = frozenset({"handler", "leader"})
DOCUMENT_READERS = DOSSIER_READERS | {"admin"}  # forms, decisions, registers, certificates
CONSULTATION_READERS = DOSSIER_READERS | {"agency"}
MONITORS = frozenset({"manager", "admin"})
HANDLER = frozenset({"handler"})
RECORDERS = frozenset({"handler", "manager"})  # record what NGOs send, inspections
LEADER = frozenset({"leader"})
AGENCY = frozenset({"agency"})
ADMIN = frozenset({"admin"})

NO_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Send:
    """What a request carries: a JSON body, a form (pages add their CSRF token), a PDF part."""

    json: Any = None
    form: Mapping[str, str] | None = None
    file: str | None = None


@dataclass(frozen=True)
class Rule:
    """Who may call a route, on which objects, with what."""

    roles: frozenset[str]
    page: bool = False
    send: Send = Send()
    # Sent when probing an object the caller may not see: a valid body, so that a 404 (and
    # not a 422 for the body) proves the object was looked up and hidden.
    probe: Send | None = None
    params: Mapping[str, str] = field(default_factory=dict)  # path param → World attribute
    query: Mapping[str, str] = field(default_factory=dict)
    own_agency: bool = False  # an agency sees only its own consultations


def api(roles: frozenset[str], **kwargs: Any) -> Rule:
    """A bearer-token route."""
    return Rule(roles, **kwargs)


def page(roles: frozenset[str], **kwargs: Any) -> Rule:
    """A page: session cookie and CSRF token."""
    return Rule(roles, page=True, **kwargs)


FILE = Send(file="file")
NO_FILE = Send(form={})
EMPTY_FORM = Send(form={})
AGENCY_CODE = {"code": "agency"}
PROCEDURE_CODE = {"code": "procedure"}
CLOSED = {"dossier_id": "closed_dossier"}
NGO_FILE = {"document_id": "ngo_document"}


def action(roles: frozenset[str], body: dict[str, Any]) -> Rule:
    """A dossier action, on the decided dossier (409 for the roles that may act, with a valid
    body so that the engine's own role check answers the others with 403)."""
    return api(roles, send=Send(json=body), params=CLOSED)


RULES: dict[str, Rule] = {
    # The public surface.
    "GET /health": api(EVERYONE),
    "GET /reply/{token}": api(EVERYONE),
    "GET /public/ngos": api(EVERYONE),
    "GET /public/status": api(EVERYONE),
    "POST /reply/{token}": api(EVERYONE, send=Send(form={"opinion": ""})),
    # Reference data: any signed-in role reads, administrators change.
    "GET /procedures": api(SIGNED_IN),
    "GET /procedures/{code}/versions": api(SIGNED_IN, params=PROCEDURE_CODE),
    "POST /procedures/{code}/versions": api(ADMIN, send=Send(json={}), params=PROCEDURE_CODE),
    "POST /procedures/{code}/migrate": api(ADMIN, send=Send(json={}), params=PROCEDURE_CODE),
    "GET /agencies": api(SIGNED_IN),
    "GET /agencies/{code}": api(SIGNED_IN, params=AGENCY_CODE),
    "POST /agencies": api(ADMIN, send=Send(json={})),
    "PATCH /agencies/{code}": api(
        ADMIN,
        send=Send(json={"email": "not an address"}),
        probe=Send(json={"name_en": "Nobody"}),
        params=AGENCY_CODE,
    ),
    "GET /calendar/overrides": api(SIGNED_IN),
    "GET /calendar/{year}": api(SIGNED_IN),
    "POST /calendar/years/{year}": api(ADMIN, send=Send(json={})),
    "PUT /calendar/overrides/{day}": api(ADMIN, send=Send(json={})),
    "DELETE /calendar/overrides/{day}": api(ADMIN),
    # Dossiers: handlers receive, handlers and leaders act, managers read; every dossier.
    "POST /dossiers": api(HANDLER, send=Send(json=operation_issue())),
    "GET /dossiers": api(DOSSIER_READERS),
    "GET /dossiers/{dossier_id}": api(DOSSIER_READERS),
    "GET /dossiers/{dossier_id}/history": api(DOSSIER_READERS),
    "GET /dossiers/{dossier_id}/documents": api(DOSSIER_READERS),
    "GET /dossiers/{dossier_id}/documents/{document_id}/content": api(DOSSIER_READERS),
    "POST /dossiers/{dossier_id}/documents": api(DOSSIER_ACTORS, send=NO_FILE, probe=FILE),
    "POST /dossiers/{dossier_id}/actions/accept": action(HANDLER, {}),
    "POST /dossiers/{dossier_id}/actions/request-supplement": action(HANDLER, {"missing": ["x"]}),
    "POST /dossiers/{dossier_id}/actions/receive-supplement": action(HANDLER, {}),
    "POST /dossiers/{dossier_id}/actions/reject-intake": action(HANDLER, {"reason": "x"}),
    "POST /dossiers/{dossier_id}/actions/assign": action(
        DOSSIER_ACTORS, {"assignee": "Matrix handler"}
    ),
    "POST /dossiers/{dossier_id}/actions/consult": action(HANDLER, {}),
    "POST /dossiers/{dossier_id}/actions/propose": action(HANDLER, {"outcome": "approve"}),
    "POST /dossiers/{dossier_id}/actions/sign": action(LEADER, {}),
    "POST /dossiers/{dossier_id}/actions/return": action(LEADER, {"comment": "x"}),
    "POST /dossiers/{dossier_id}/actions/extend": action(
        HANDLER, {"reason": "x", "working_days": 1}
    ),
    "POST /dossiers/{dossier_id}/actions/withdraw": action(HANDLER, {"reason": "x"}),
    "GET /dossiers/{dossier_id}/forms/{number}": api(DOCUMENT_READERS),
    "GET /dossiers/{dossier_id}/decision": api(DOCUMENT_READERS, params=CLOSED),
    "GET /reports/register": api(DOCUMENT_READERS),
    # Consultations: an agency only its own; handlers, leaders and managers all of them.
    "GET /consultations": api(CONSULTATION_READERS, own_agency=True),
    "GET /consultations/{consultation_id}": api(CONSULTATION_READERS, own_agency=True),
    "GET /consultations/{consultation_id}/documents": api(CONSULTATION_READERS, own_agency=True),
    "GET /consultations/{consultation_id}/documents/{document_id}/content": api(
        CONSULTATION_READERS, own_agency=True
    ),
    "POST /consultations/{consultation_id}/response": api(
        AGENCY,
        send=Send(json={"opinion": "maybe"}),
        probe=Send(json={"opinion": "agree"}),
        own_agency=True,
    ),
    "POST /consultations/{consultation_id}/documents": api(
        AGENCY | HANDLER, send=NO_FILE, probe=FILE, own_agency=True
    ),
    "POST /consultations/{consultation_id}/record-answer": api(
        HANDLER,
        send=Send(json={}),
        probe=Send(
            json={"opinion": "agree", "letter_number": "1/BCA", "letter_date": "2026-11-23"}
        ),
    ),
    "GET /certificates": api(DOCUMENT_READERS),
    "GET /certificates/{certificate_id}": api(DOCUMENT_READERS),
    "POST /certificates/{certificate_id}/acts": api(
        LEADER,
        send=Send(json={"act": "annul"}),
        probe=Send(json={"act": "suspend", "reason": "x", "legal_basis": "Art 7"}),
    ),
    # The NGO register: read like documents; what NGOs send is recorded by handlers, managers.
    "GET /ngos": api(DOCUMENT_READERS),
    "GET /ngos/{ngo_id}": api(DOCUMENT_READERS),
    "PATCH /ngos/{ngo_id}": api(
        RECORDERS, send=Send(json={"contact_email": "not an address"}), probe=Send(json={})
    ),
    "POST /ngos/{ngo_id}/documents": api(RECORDERS, send=NO_FILE, probe=FILE),
    "GET /ngos/{ngo_id}/documents/{document_id}/content": api(DOCUMENT_READERS, params=NGO_FILE),
    "POST /ngos/{ngo_id}/reports": api(
        RECORDERS,
        send=Send(json={}),
        probe=Send(json={"kind": "annual", "period_year": 2026, "received_at": "2026-11-23"}),
    ),
    "GET /obligations": api(DOCUMENT_READERS),
    "POST /obligations/{obligation_id}/fulfil": api(
        RECORDERS, send=Send(json={}), probe=Send(json={"received_at": "2026-11-23"})
    ),
    "GET /inspections": api(DOCUMENT_READERS),
    "POST /inspections/plan": api(frozenset({"manager"}), send=Send(json={})),
    "POST /inspections/{inspection_id}/record": api(
        RECORDERS,
        send=Send(json={}),
        probe=Send(json={"inspected_on": "2026-11-23", "inspectors": "Đoàn kiểm tra"}),
    ),
    "GET /risk/scorecard": api(DOCUMENT_READERS),
    "POST /risk/scorecard": api(ADMIN, send=Send(json={})),
    # Administration.
    "GET /users": api(ADMIN),
    "POST /users": api(ADMIN, send=Send(json={})),
    "GET /users/{username}": api(ADMIN),
    "PATCH /users/{username}": api(ADMIN, send=Send(json={"role": "nobody"}), probe=Send(json={})),
    "GET /tokens": api(ADMIN),
    "POST /tokens": api(ADMIN, send=Send(json={})),
    "DELETE /tokens/{token_id}": api(ADMIN),
    "GET /admin/events": api(ADMIN),
    "POST /imports/dossiers": api(ADMIN, send=NO_FILE),
    # Monitoring and reports.
    "GET /metrics/summary": api(MONITORS),
    "GET /metrics/by-month": api(MONITORS),
    "GET /metrics/by-agency": api(MONITORS),
    "GET /metrics/bottlenecks": api(MONITORS),
    "GET /metrics/at-risk": api(MONITORS),
    "GET /reports/dossiers.csv": api(DOCUMENT_READERS),
    "GET /reports/dossiers.xlsx": api(DOCUMENT_READERS),
    "GET /reports/register.xlsx": api(DOCUMENT_READERS),
    "GET /reports/metrics.xlsx": api(MONITORS),
    "GET /reports/decree58": api(MONITORS),
    # The embedded mail sink shows agency reply links: administrators' pages only.
    "GET /mail": page(ADMIN),
    "GET /mail/{key}": page(ADMIN),
    "GET /mail/{key}/html": page(ADMIN),
    # Pages: the front door.
    "GET /": page(EVERYONE),
    "GET /app": page(EVERYONE),
    "GET /app/login": page(EVERYONE),
    "POST /app/login": page(
        EVERYONE, send=Send(form={"username": "handler", "password": PASSWORD})
    ),
    "POST /app/logout": page(SIGNED_IN, send=EMPTY_FORM),
    # Handlers' and leaders' pages.
    "GET /app/worklist": page(DOSSIER_READERS),
    "GET /app/dossiers/new": page(HANDLER),
    "GET /app/dossiers/new/{code}": page(HANDLER, params=PROCEDURE_CODE),
    "POST /app/dossiers/new/{code}": page(HANDLER, send=EMPTY_FORM, params=PROCEDURE_CODE),
    "GET /app/dossiers/{dossier_id}": page(DOSSIER_READERS),
    "POST /app/dossiers/{dossier_id}/documents": page(DOSSIER_ACTORS, send=NO_FILE, probe=FILE),
    "GET /app/dossiers/{dossier_id}/documents/{document_id}": page(DOSSIER_READERS),
    "GET /app/dossiers/{dossier_id}/actions/{action}": page(DOSSIER_ACTORS),
    "POST /app/dossiers/{dossier_id}/actions/{action}": page(
        DOSSIER_ACTORS, send=Send(form={"assignee": "Matrix handler"}), params=CLOSED
    ),
    "GET /app/dossiers/{dossier_id}/forms/{number}": page(DOSSIER_READERS),
    "GET /app/dossiers/{dossier_id}/decision": page(DOSSIER_READERS, params=CLOSED),
    "GET /app/decisions": page(LEADER | {"manager"}),
    "GET /app/decisions/{dossier_id}": page(LEADER | {"manager"}),
    "POST /app/decisions/{dossier_id}/sign": page(LEADER, send=EMPTY_FORM, params=CLOSED),
    "POST /app/decisions/{dossier_id}/return": page(LEADER, send=EMPTY_FORM, params=CLOSED),
    # Agencies' pages: their own requests only.
    "GET /app/consultations": page(AGENCY, own_agency=True),
    "GET /app/consultations/{consultation_id}": page(AGENCY, own_agency=True),
    "POST /app/consultations/{consultation_id}": page(
        AGENCY, send=EMPTY_FORM, probe=Send(form={"opinion": "agree"}), own_agency=True
    ),
    "GET /app/consultations/{consultation_id}/documents/{document_id}": page(
        AGENCY, own_agency=True
    ),
    "POST /app/consultations/{consultation_id}/record-answer": page(HANDLER, send=EMPTY_FORM),
    # The register's pages: read like documents; handlers and managers record what NGOs send.
    "GET /app/ngos": page(DOCUMENT_READERS),
    "GET /app/ngos/{ngo_id}": page(DOCUMENT_READERS),
    "GET /app/ngos/{ngo_id}/documents/{document_id}": page(DOCUMENT_READERS, params=NGO_FILE),
    "POST /app/ngos/{ngo_id}/edit": page(
        RECORDERS, send=Send(form={"contact_email": "not an address"}), probe=EMPTY_FORM
    ),
    "POST /app/ngos/{ngo_id}/obligations/{obligation_id}/fulfil": page(RECORDERS, send=EMPTY_FORM),
    "POST /app/ngos/{ngo_id}/reports": page(RECORDERS, send=EMPTY_FORM),
    "POST /app/ngos/{ngo_id}/inspections/{inspection_id}/record": page(RECORDERS, send=EMPTY_FORM),
    "POST /app/ngos/{ngo_id}/certificates/{certificate_id}/act": page(LEADER, send=EMPTY_FORM),
    "GET /app/obligations": page(DOCUMENT_READERS),
    "GET /app/inspections": page(DOCUMENT_READERS),
    "POST /app/inspections/plan": page(frozenset({"manager"}), send=EMPTY_FORM),
    # Managers' pages and downloads.
    "GET /app/dashboard": page(MONITORS),
    "GET /app/reports/dossiers.csv": page(DOCUMENT_READERS),
    "GET /app/reports/dossiers.xlsx": page(DOCUMENT_READERS),
    "GET /app/reports/register.xlsx": page(DOCUMENT_READERS),
    "GET /app/reports/metrics.xlsx": page(MONITORS),
    # Administrators' pages, on the throwaway user, token and agency.
    "GET /app/admin": page(ADMIN),
    "GET /app/admin/users": page(ADMIN),
    "POST /app/admin/users": page(ADMIN, send=EMPTY_FORM),
    "GET /app/admin/users/{username}": page(ADMIN),
    "POST /app/admin/users/{username}/role": page(ADMIN, send=EMPTY_FORM),
    "POST /app/admin/users/{username}/disable": page(ADMIN, send=EMPTY_FORM),
    "POST /app/admin/users/{username}/enable": page(ADMIN, send=EMPTY_FORM),
    "POST /app/admin/users/{username}/password": page(ADMIN, send=EMPTY_FORM),
    "GET /app/admin/tokens": page(ADMIN),
    "POST /app/admin/tokens": page(ADMIN, send=EMPTY_FORM),
    "POST /app/admin/tokens/{token_id}/revoke": page(ADMIN, send=EMPTY_FORM),
    "GET /app/admin/agencies": page(ADMIN),
    "POST /app/admin/agencies": page(ADMIN, send=EMPTY_FORM),
    "GET /app/admin/agencies/{code}": page(ADMIN, params=AGENCY_CODE),
    "POST /app/admin/agencies/{code}": page(
        ADMIN, send=Send(form={"email": "not an address"}), params=AGENCY_CODE
    ),
    "POST /app/admin/agencies/{code}/mapping": page(ADMIN, send=EMPTY_FORM, params=AGENCY_CODE),
    "POST /app/admin/agencies/{code}/deactivate": page(ADMIN, send=EMPTY_FORM, params=AGENCY_CODE),
    "POST /app/admin/agencies/{code}/activate": page(ADMIN, send=EMPTY_FORM, params=AGENCY_CODE),
    "GET /app/admin/calendar": page(ADMIN),
    "POST /app/admin/calendar": page(ADMIN, send=EMPTY_FORM),
    "POST /app/admin/calendar/years": page(ADMIN, send=EMPTY_FORM),
    "POST /app/admin/calendar/{day}/delete": page(ADMIN, send=EMPTY_FORM),
    "GET /app/admin/procedures": page(ADMIN),
    "GET /app/admin/procedures/{code}": page(ADMIN, params=PROCEDURE_CODE),
    "POST /app/admin/procedures/{code}/versions": page(
        ADMIN, send=EMPTY_FORM, params=PROCEDURE_CODE
    ),
    "GET /app/admin/audit": page(ADMIN),
    "GET /app/admin/import": page(ADMIN),
    "POST /app/admin/import": page(ADMIN, send=NO_FILE),
}

# Path parameters whose World attribute is the same for every route.
PARAM_OBJECTS = {
    "dossier_id": "dossier",
    "document_id": "document",
    "consultation_id": "consultation",
    "certificate_id": "certificate",
    "ngo_id": "ngo",
    "obligation_id": "obligation",
    "inspection_id": "inspection",
    "username": "username",
    "token_id": "token_id",
    "year": "year",
    "day": "day",
    "number": "form_number",
    "action": "page_action",
    "key": "mail_key",
    "token": "reply_token",
}

# What stands for an object that does not exist, and the answer it must get from a role that
# may call the route (parameters that name no object, like a year, have no entry).
MISSING: dict[str, tuple[str, int]] = {
    "dossier": (NO_ID, 404),
    "closed_dossier": (NO_ID, 404),
    "document": (NO_ID, 404),
    "consultation": (NO_ID, 404),
    "certificate": (NO_ID, 404),
    "ngo": (NO_ID, 404),
    "obligation": (NO_ID, 404),
    "inspection": (NO_ID, 404),
    "ngo_document": (NO_ID, 404),
    "username": ("no.such.user", 404),
    "token_id": ("999999", 404),
    "agency": ("NO-SUCH", 404),
    "procedure": ("ngo.no.such", 404),
    "mail_key": ("no-such-message", 404),
    "reply_token": ("x.y", 404),  # a forged link: the same "not found" page, nothing recorded
}
