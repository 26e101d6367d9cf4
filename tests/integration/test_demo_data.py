"""`serve --demo` data: one user per role and agency, who can sign in; tokens do not pile up."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import select

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
