"""Finding a dossier's NGO in the register, creating it on a first application."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlmodel import Session, col, select

from flows.procedures.fields import fold
from flows.procedures.schema import ProcedureDefinition
from models.certificate import Certificate
from models.ngo import Ngo


def match_key(name: str, country: str) -> str:
    """How the register recognises an NGO: folded name and country."""
    return f"{fold(name)}|{fold(country)}"


def find_or_create(
    session: Session, name: str, country: str, email: str | None, now: datetime
) -> tuple[Ngo, bool]:
    """The NGO of that name and country, created if new; and whether it was created."""
    key = match_key(name, country)
    found = session.exec(select(Ngo).where(Ngo.match_key == key)).first()
    if found is not None:
        if email and not found.contact_email:
            found.contact_email = email
            session.add(found)
        return found, False
    ngo = Ngo(
        id=str(uuid.uuid4()),
        name=name,
        match_key=key,
        country=country,
        contact_email=email,
        created_at=now,
        updated_at=now,
    )
    session.add(ngo)
    session.flush()
    return ngo, True


def find_by_name(session: Session, name: str) -> Ngo | None:
    """The one NGO of that name whatever its country (None when none or several)."""
    rows = session.exec(
        select(Ngo).where(col(Ngo.match_key).startswith(f"{fold(name)}|")).limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def ngo_for_dossier(
    session: Session,
    procedure: ProcedureDefinition,
    fields: dict[str, Any],
    applicant: Any,
    concerned: Certificate | None,
    now: datetime,
) -> tuple[Ngo | None, bool]:
    """The NGO a new dossier is about: the certificate's, the applicant (certificate
    procedures), the donor (aid from a foreign NGO) or the NGO a province gives its opinion on."""
    if concerned is not None and concerned.ngo_id:
        return session.get(Ngo, concerned.ngo_id), False
    if procedure.code.startswith("ngo."):
        return find_or_create(session, applicant.name, applicant.country, str(applicant.email), now)
    if procedure.code.startswith("aid.") and fields.get("donor_is_foreign_ngo"):
        return find_by_name(session, str(fields.get("donor", ""))), False
    if fields.get("ngo_name"):
        return find_by_name(session, str(fields["ngo_name"])), False
    return None, False


def rename(session: Session, ngo_id: str | None, name: str, now: datetime) -> None:
    """An amendment changed the NGO's name: the register follows (and finds it by it)."""
    ngo = session.get(Ngo, ngo_id) if ngo_id else None
    if ngo is None:
        return
    key = match_key(name, ngo.country)
    if session.exec(select(Ngo.id).where(Ngo.match_key == key, Ngo.id != ngo.id)).first():
        return  # another entry already holds that name: keep both as they are
    ngo.name, ngo.match_key, ngo.updated_at = name, key, now
    session.add(ngo)


def record_home_registration(
    session: Session, ngo_id: str | None, fields: dict[str, Any], now: datetime
) -> None:
    """A signed certificate confirms the home-country registration's validity it relied on."""
    value = fields.get("home_registration_valid_until")
    ngo = session.get(Ngo, ngo_id) if ngo_id else None
    if ngo is None or not value:
        return
    ngo.home_registration_valid_until = (
        value if isinstance(value, date) else date.fromisoformat(str(value))
    )
    ngo.updated_at = now
    session.add(ngo)


def certificate_places(details: Mapping[str, Any]) -> list[str]:
    """Where a certificate lets its NGO work: an operation certificate's provinces, an office's
    city (`office_province` as filed, `city` in older rows), a legacy project office's province."""
    places = [details.get(k) for k in ("office_province", "city", "province")]
    return [str(p) for p in [*(details.get("provinces") or []), *places] if p]


def link_imported(
    connection: Connection, people: Sequence[tuple[str, str, str, str]], now: datetime
) -> dict[str, str]:
    """NGO ids for imported certificate dossiers, by (dossier id, name, country, e-mail): found
    by folded name and country, created when new (in the import's transaction)."""
    wanted: dict[str, tuple[str, str, str]] = {}
    for _, name, country, email in people:
        wanted.setdefault(match_key(name, country), (name, country, email))
    found: dict[str, str] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):  # bounded IN lists
        part = keys[start : start + 500]
        for key, ngo_id in connection.execute(
            select(col(Ngo.match_key), col(Ngo.id)).where(col(Ngo.match_key).in_(part))
        ):
            found[key] = ngo_id
    made = {key: str(uuid.uuid4()) for key in wanted if key not in found}
    new: list[dict[str, Any]] = [
        {
            "id": made[key],
            "name": name,
            "match_key": key,
            "country": country,
            "contact_email": email or None,
            "risk_score": 0,
            "risk_group": "low",
            "risk_reasons": [],
            "created_at": now,
            "updated_at": now,
        }
        for key, (name, country, email) in wanted.items()
        if key in made
    ]
    if new:
        connection.execute(insert(Ngo), new)
    found.update(made)
    return {dossier_id: found[match_key(name, country)] for dossier_id, name, country, _ in people}
