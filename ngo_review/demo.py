"""Demo data: agencies, users who can sign in (with stable tokens), dossiers in every state."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.calendar import local_date
from flows.engine import commands as c
from flows.engine.state import Actor
from flows.procedures.common import STANDING_MEMBERS as CORE_CONSULTED
from flows.procedures.schema import Opinion, Outcome
from flows.register.commands import fulfil_obligation, plan_inspections
from flows.service.admin import CLI, ensure_reference_agencies, find_or_create_user
from flows.service.handle import handle, respond
from flows.service.intake import create_dossier
from flows.service.passwords import hash_password
from flows.service.users import issue_token
from models.consultation import Consultation
from models.db import read_session, write_session
from models.dossier import Dossier
from models.obligation import Obligation
from models.register_schemas import ObligationFulfil
from models.schemas import DossierCreate
from models.token import ApiToken, hash_token

HANDLER = Actor("Nguyễn Văn An", "handler")
HANDLER_2 = Actor("Trần Thị Bình", "handler")
LEADER = Actor("Lê Minh Cường", "leader")
MANAGER = Actor("Phạm Thu Dung", "manager")
ADMIN = Actor("Quản trị hệ thống", "admin")
DEMO_MARK = "demo.ngo-review.example.org"

USERS = (HANDLER, HANDLER_2, LEADER, MANAGER, ADMIN)
# Agency officers of the demo: the standing members and those the demo dossiers must consult.
DEMO_CONSULTED = (*CORE_CONSULTED, "BYT", "BNNMT", "UBND-QT", "UBND-HUE", "UBND-DN")


def _payload(n: int, office: bool = False) -> DossierCreate:
    names = [
        "Save the Rivers Foundation",
        "Helping Hands International",
        "Green Delta Trust",
        "Children First e.V.",
        "Mekong Health Alliance",
        "Open Schools Network",
        "Clean Air Partnership",
        "Rural Water Initiative",
    ]
    name = names[n % len(names)]
    data: dict[str, Any] = {
        "procedure": "ngo.office.issue" if office else "ngo.operation.issue",
        "applicant": {
            "name": name,
            "country": ["Norway", "Germany", "Japan", "USA"][n % 4],
            "email": f"contact{n}@{DEMO_MARK}",
            "language": "en" if n % 2 else "vi",
        },
        "subject": (
            f"Representative office of {name}" if office else f"Operation registration of {name}"
        ),
        "activity_fields": ["health", "water and sanitation"][: 1 + n % 2],
        "home_registration_valid_until": f"{2030 + n % 5}-12-31",
    }
    if office:
        data.update(office_province="Đà Nẵng", office_address="12 Bạch Đằng, Hải Châu")
    else:
        data.update(provinces=["Quảng Trị", "Huế"][: 1 + n % 2])
    return DossierCreate.model_validate(data)


def already_loaded(engine: Engine) -> bool:
    """Whether demo dossiers are already in the database."""
    with read_session(engine) as session:
        row = session.exec(
            select(Dossier).where(Dossier.applicant_email.endswith(DEMO_MARK))
        ).first()
        return row is not None


@dataclass(frozen=True)
class DemoUser:
    """A demo account: sign in with its username and the demo password, or use its token."""

    key: str
    username: str
    display_name: str
    role: str
    token: str


def _demo_token(secret_key: str, username: str) -> str:
    """The same token on every start (derived from the secret key), so none pile up."""
    return hmac.new(
        secret_key.encode(), f"demo-token:{username}".encode(), hashlib.sha256
    ).hexdigest()


def _demo_user(
    session: Session,
    actor: Actor,
    email: str,
    password_hash: str,
    secret_key: str,
    now: datetime,
    username: str | None = None,
) -> DemoUser:
    user = find_or_create_user(
        session,
        role=actor.role,
        name=actor.name,
        agency=actor.agency,
        email=email,
        username=username,
    )
    if not user.password_hash:
        user.password_hash = password_hash
        session.add(user)
    token = _demo_token(secret_key, user.username)
    if (
        session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
        is None
    ):
        issue_token(session, user, name="demo", expires_days=None, now=now, actor=CLI, secret=token)
    key = f"agency: {actor.agency}" if actor.agency else f"{actor.role}: {actor.name}"
    return DemoUser(key, user.username, user.display_name, user.role, token)


def load_demo(engine: Engine, now: datetime, *, secret_key: str, password: str) -> list[DemoUser]:
    """One user per role and agency (demo password, stable tokens); dossiers in every state."""
    ensure_reference_agencies(engine)
    password_hash = hash_password(password)
    with write_session(engine) as session:
        users = [
            _demo_user(session, u, f"user{i}@{DEMO_MARK}", password_hash, secret_key, now)
            for i, u in enumerate(USERS)
        ]
        users += [
            _demo_user(
                session,
                Actor(f"Officer {code}", "agency", code),
                f"{code.lower()}@{DEMO_MARK}",
                password_hash,
                secret_key,
                now,
                username=code.lower(),
            )
            for code in DEMO_CONSULTED
        ]
    if not already_loaded(engine):
        _dossiers(engine, now)
        _register(engine, now)
    return users


def _dossiers(engine: Engine, now: datetime) -> None:
    def new(n: int, days_ago: int, office: bool = False) -> str:
        at = now - timedelta(days=days_ago)
        return create_dossier(engine, _payload(n, office), HANDLER, now=at)[0].id

    def act(dossier_id: str, command: c.Command, days_ago: float) -> None:
        handle(engine, dossier_id, command, now=now - timedelta(days=days_ago))

    new(0, 0)  # received today
    d = new(1, 3)  # awaiting an intake supplement
    act(
        d,
        c.RequestSupplement(
            actor=HANDLER, missing=("Charter, certified copy", "Letter of introduction")
        ),
        2,
    )
    d = new(2, 20)  # in review, consultations out, some answered
    act(d, c.Assign(actor=LEADER, assignee=HANDLER_2.name), 19.9)
    act(d, c.Accept(actor=HANDLER_2), 19)
    act(d, c.Consult(actor=HANDLER_2), 18)  # the standing and the required agencies
    _answer_some(engine, d, now - timedelta(days=5), 3)
    d = new(3, 30)  # in review, suspended for a supplement
    act(d, c.Accept(actor=HANDLER), 29)
    act(d, c.RequestSupplement(actor=HANDLER, missing=("Project budget, signed",)), 10)
    d = new(4, 35, office=True)  # awaiting the leader's signature
    act(d, c.Accept(actor=HANDLER), 34)
    act(d, c.Consult(actor=HANDLER), 33)
    _answer_some(engine, d, now - timedelta(days=20))
    act(d, c.Propose(actor=HANDLER, outcome=Outcome.approve, reasons="All agencies agree"), 3)
    d = new(5, 60)  # approved
    act(d, c.Accept(actor=HANDLER), 59)
    act(d, c.Consult(actor=HANDLER), 58)
    _answer_some(engine, d, now - timedelta(days=50))
    act(d, c.Propose(actor=HANDLER, outcome=Outcome.approve, validity_years=3), 45)
    act(d, c.Sign(actor=LEADER), 44)
    d = new(6, 50)  # refused
    act(d, c.Accept(actor=HANDLER), 49)
    act(d, c.Consult(actor=HANDLER), 48)
    _answer_some(engine, d, now - timedelta(days=42))
    act(
        d,
        c.Propose(
            actor=HANDLER,
            outcome=Outcome.refuse,
            reasons="Activities fall outside the fields allowed by Art 3",
        ),
        40,
    )
    act(d, c.Sign(actor=LEADER), 39)
    d = new(7, 10)  # rejected at intake
    act(d, c.RejectIntake(actor=HANDLER, reason="The NGO is not legally established abroad"), 9)
    d = new(0, 15, office=True)  # withdrawn
    act(d, c.Accept(actor=HANDLER), 14)
    act(d, c.Withdraw(actor=HANDLER, reason="The NGO chose Hà Nội instead"), 5)


def _register(engine: Engine, now: datetime) -> None:
    """The approved NGO sent its bank notice in time; the year's post-checks are proposed."""
    with read_session(engine) as session:
        bank = session.exec(
            select(Obligation).where(Obligation.kind == "bank_account_notice")
        ).first()
    if bank is not None:
        fulfil_obligation(
            engine,
            bank.id,
            ObligationFulfil(
                received_at=bank.due_date - timedelta(days=3),
                document_ref="Công văn số 05/2026/SRF",
                note="Tài khoản tại Vietcombank, chi nhánh Quảng Trị",
            ),
            HANDLER,
            now,
        )
    plan_inspections(engine, local_date(now).year, MANAGER, now)


def _answer_some(engine: Engine, dossier_id: str, at: datetime, count: int | None = None) -> None:
    with read_session(engine) as session:
        rows = session.exec(
            select(Consultation)
            .where(Consultation.dossier_id == dossier_id)
            .order_by(col(Consultation.position))
        ).all()
    for x in rows[:count]:
        respond(
            engine,
            x.id,
            c.Respond(
                actor=Actor(f"Officer {x.agency_code}", "agency", x.agency_code),
                consultation_id=x.id,
                opinion=Opinion.agree,
                comments="No objection.",
            ),
            now=at,
        )
