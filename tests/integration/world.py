"""The real objects each role may and may not see, made once through the API as clients would.

Shared by the access matrix and the fuzzer: both call every route on these objects. The callers
are the conftest users (`USERS`, the `tokens` and `client` fixtures): one per role, the agency
officer being AGENCY_A's, so that AGENCY_B's consultation is the object it may not see.
"""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from config.settings import Settings
from flows.service.reply_links import ReplyLink, sign
from tests.integration.conftest import PASSWORD, Client
from tests.integration.helpers import answer_all, ok, operation_issue

AGENCY_A, AGENCY_B = "BCA", "BTC"
# Role → the USERS key that plays it.
ROLE_USERS = {
    "handler": "handler",
    "leader": "leader",
    "manager": "manager",
    "agency": AGENCY_A,
    "admin": "admin",
}
THROWAWAY_USER = "matrix.throwaway"
THROWAWAY_DAY = "2026-12-31"
# A minimal PDF: what an office sends (the upload allow-list sniffs the content).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class World:
    """Ids of the real objects; attribute names are what access rules refer to."""

    dossier: str  # in review, consulting AGENCY_A and AGENCY_B, with a document
    closed_dossier: str  # approved: every action on it is 409
    document: str
    consultation: str  # AGENCY_A's request: its officer sees it
    other_consultation: str  # AGENCY_B's request: AGENCY_A's officer may not see it
    certificate: str
    username: str  # a throwaway user
    token_id: str  # a throwaway token
    agency: str  # a throwaway agency
    procedure: str
    reply_token: str  # a signed reply link to AGENCY_A's request
    mail_key: str  # a message in the embedded mail sink
    ngo: str  # the certificate's NGO in the register
    obligation: str  # one of its obligations, open
    inspection: str  # its inspection planned for 2027
    ngo_document: str  # a file it sent
    year: str = "2026"
    day: str = THROWAWAY_DAY
    form_number: str = "01"
    page_action: str = "assign"
    static_file: str = "app.css"


def build_world(client: Client, settings: Settings) -> World:
    """A dossier in consultation, a decided one with a certificate, throwaway admin objects."""
    handler, leader, admin = client("handler"), client("leader"), client("admin")

    open_ = ok(handler.post("/dossiers", json=operation_issue()), 201)
    ok(handler.post(f"/dossiers/{open_['id']}/actions/accept", json={}))
    open_ = ok(handler.post(f"/dossiers/{open_['id']}/actions/consult", json={}))
    document = ok(
        handler.post(
            f"/dossiers/{open_['id']}/documents",
            files={"file": ("charter.pdf", PDF, "application/pdf")},
        ),
        201,
    )
    asked = {c["agency"]: c["id"] for c in open_["consultations"]}

    closed = ok(handler.post("/dossiers", json=operation_issue()), 201)
    ok(handler.post(f"/dossiers/{closed['id']}/actions/accept", json={}))
    answer_all(client, ok(handler.post(f"/dossiers/{closed['id']}/actions/consult", json={})))
    ok(
        handler.post(
            f"/dossiers/{closed['id']}/actions/propose",
            json={"outcome": "approve", "validity_years": 3},
        )
    )
    ok(leader.post(f"/dossiers/{closed['id']}/actions/sign", json={}))
    certificates = ok(handler.get("/certificates"))
    [ngo] = ok(handler.get("/ngos"))["items"]
    obligation = ok(handler.get("/obligations", params={"kind": "renewal"}))["items"][0]
    [inspection] = ok(client("manager").post("/inspections/plan", json={"year": 2027}), 201)
    ngo_document = ok(
        handler.post(
            f"/ngos/{ngo['id']}/documents", files={"file": ("bank.pdf", PDF, "application/pdf")}
        ),
        201,
    )

    user = {"username": THROWAWAY_USER, "display_name": "Throwaway", "role": "handler"}
    ok(admin.post("/users", json=user | {"password": PASSWORD}), 201)
    token = ok(admin.post("/tokens", json={"username": THROWAWAY_USER}), 201)
    agency = ok(
        admin.post(
            "/agencies",
            json={
                "code": "MATRIX",
                "name_vi": "Cơ quan thử",
                "name_en": "Throwaway agency",
                "email": "matrix@agencies.example.org",
            },
        ),
        201,
    )
    ok(
        admin.put(
            f"/calendar/overrides/{THROWAWAY_DAY}",
            json={"kind": "holiday", "note": "throwaway", "source": "matrix"},
        )
    )
    return World(
        dossier=open_["id"],
        closed_dossier=closed["id"],
        document=document["id"],
        consultation=asked[AGENCY_A],
        other_consultation=asked[AGENCY_B],
        certificate=certificates[0]["id"],
        username=THROWAWAY_USER,
        token_id=str(token["id"]),
        agency=agency["code"],
        procedure=open_["procedure"],
        reply_token=sign(ReplyLink(asked[AGENCY_A], date(2099, 1, 1)), settings.secret_key),
        mail_key=_mail(settings.var_dir / "mail"),
        ngo=ngo["id"],
        obligation=obligation["id"],
        inspection=inspection["id"],
        ngo_document=ngo_document["id"],
    )


def _mail(mail_dir: Path) -> str:
    """One message in the embedded sink's Maildir, as the sink stores it; its key."""
    mail_dir.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(mail_dir, create=True)
    try:
        return str(
            box.add(
                b"X-Envelope-To: bca@agencies.example.org\r\nSubject: Reply link\r\n"
                b"To: bca@agencies.example.org\r\n\r\nhttp://127.0.0.1/reply/abc\r\n"
            )
        )
    finally:
        box.close()
