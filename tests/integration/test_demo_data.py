"""`serve --demo` data: one user per role and agency, who can sign in; tokens do not pile up."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import select

from flows.calendar import local_date
from flows.register.queries import get_ngo, list_ngos
from flows.service.users import authenticate, resolve_token
from models.db import read_session
from models.token import ApiToken
from models.types import utcnow
from ngo_review.demo import load_demo


def test_demo_users_sign_in_and_restarts_reuse_their_tokens(engine: Engine) -> None:
    """Every role and agency has a user; a second start prints the same tokens, adds none."""
    first = load_demo(engine, utcnow(), secret_key="k" * 32, password="demo-password-2026")
    with read_session(engine) as session:
        count = session.exec(select(func.count()).select_from(ApiToken)).one()
    again = load_demo(engine, utcnow(), secret_key="k" * 32, password="demo-password-2026")
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(ApiToken)).one() == count
    assert [u.token for u in again] == [u.token for u in first]
    assert {u.role for u in first} == {"handler", "leader", "manager", "agency", "admin"}
    assert {"bca", "btc", "bnv", "nhnn", "byt"} <= {u.username for u in first}
    for user in first:
        signed = authenticate(engine, user.username, "demo-password-2026")
        assert signed.user is not None and signed.user.role == user.role
        found = resolve_token(engine, user.token, utcnow())
        assert found is not None and found[0].username == user.username


def test_the_demo_register_has_an_ngo_with_its_obligations_and_a_plan(engine: Engine) -> None:
    """The approved demo dossier's NGO: certificate, obligations (the bank notice met), and
    the year's proposed inspection."""
    now = utcnow()
    load_demo(engine, now, secret_key="k" * 32, password="demo-password-2026")
    page = list_ngos(engine)
    holders = [n for n in page.items if n.certificates]
    assert len(holders) == 1
    detail = get_ngo(engine, holders[0].id)
    kinds = {o.kind: o.status for o in detail.obligations}
    assert kinds["bank_account_notice"] == "met"
    assert {"activity_plan_to_provinces", "annual_report", "renewal"} <= set(kinds)
    assert [i.plan_year for i in detail.inspections] == [local_date(now).year]
