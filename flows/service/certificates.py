"""The certificate registry: signing an approval issues, renews, amends, re-issues or closes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from flows.engine import events as e
from flows.errors import InvalidInput, NotFound
from flows.procedures.schema import Outcome, ProcedureDefinition
from flows.register.ngos import find_or_create, record_home_registration, rename
from flows.register.obligations import create_after_signing
from flows.register.risk import reassess
from flows.service.calendar import load_calendar
from models.certificate import Certificate, CertificateEvent
from models.db import read_session
from models.dossier import Dossier
from models.schemas import CertificateEventPublic, CertificatePublic

CHANGES_ON_CERTIFICATE = ("renew", "amend", "reissue", "close")


def check_certificate(
    session: Session, procedure: ProcedureDefinition, fields: dict[str, Any]
) -> Certificate | None:
    """A renewal, amendment, re-issue or closure must name an active certificate of its type;
    returns that certificate (None for procedures that concern none)."""
    rule = procedure.certificate
    if rule is None or rule.effect not in CHANGES_ON_CERTIFICATE:
        return None
    number = str(fields.get("certificate_number", ""))
    cert = session.exec(select(Certificate).where(Certificate.number == number)).first()
    if cert is None:
        raise InvalidInput(f"no certificate numbered {number!r} in the registry")
    if cert.type != rule.type:
        raise InvalidInput(
            f"certificate {number} is a {cert.type} certificate; "
            f"{procedure.code} concerns {rule.type} ones"
        )
    if cert.status != "active":
        raise InvalidInput(f"certificate {number} is {cert.status}")
    return cert


def apply_certificate(
    session: Session,
    dossier: Dossier,
    procedure: ProcedureDefinition,
    events: list[e.Event],
    now: datetime,
) -> None:
    """Record what a signed approval does to the registry, in the command's transaction."""
    signed = next((ev for ev in events if isinstance(ev, e.DecisionSigned)), None)
    rule = procedure.certificate
    if signed is None or signed.outcome != Outcome.approve or rule is None:
        return
    action = rule.effect.value
    details: dict[str, Any] = {
        "decision_number": signed.certificate_number,
        "valid_from": _iso(signed.valid_from),
        "valid_until": _iso(signed.valid_until),
    }
    if dossier.ngo_id is None:  # e.g. an imported dossier: the register learns its NGO now
        ngo, _ = find_or_create(
            session, dossier.applicant_name, dossier.applicant_country, dossier.applicant_email, now
        )
        dossier.ngo_id = ngo.id
        session.add(dossier)
    if action == "issue":
        assert signed.certificate_number is not None
        cert = Certificate(
            id=str(uuid.uuid4()),
            number=signed.certificate_number,
            type=rule.type,
            ngo_name=dossier.applicant_name,
            country=dossier.applicant_country,
            valid_from=signed.valid_from,
            valid_until=signed.valid_until,
            details=dict(dossier.fields),
            ngo_id=dossier.ngo_id,
            issued_by_dossier=dossier.id,
            updated_at=now,
        )
        session.add(cert)
        session.flush()
    else:
        found = session.exec(
            select(Certificate)
            .where(Certificate.number == dossier.fields.get("certificate_number"))
            .with_for_update()
        ).first()
        if found is None:
            raise NotFound("the certificate concerned is no longer in the registry")
        cert = found
        if action == "renew":
            cert.valid_until = signed.valid_until
        elif action == "amend":
            changes = list(dossier.fields.get("changes", []))
            for change in changes:
                if change.get("what") == "name":
                    cert.ngo_name = change["new_value"]
                    rename(session, cert.ngo_id, cert.ngo_name, now)
            cert.details = {
                **cert.details,
                "amendments": [*cert.details.get("amendments", []), *changes],
            }
            details["changes"] = changes
        elif action == "reissue":
            details["reason"] = dossier.fields.get("reason")
        elif action == "close":
            cert.status = "closed"
            details["reason"] = dossier.fields.get("reason")
        cert.updated_at = now
        session.add(cert)
    cert.ngo_id = cert.ngo_id or dossier.ngo_id
    session.add(
        CertificateEvent(
            certificate_id=cert.id, dossier_id=dossier.id, action=action, at=now, details=details
        )
    )
    record_home_registration(session, cert.ngo_id, dossier.fields, now)
    create_after_signing(session, cert, dossier, action, now, load_calendar(session))
    if cert.ngo_id:
        session.flush()  # the assessment reads the certificate and obligations just written
        reassess(session, cert.ngo_id, now, f"certificate {action}")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def certificate_view(session: Session, cert: Certificate) -> CertificatePublic:
    """A certificate with its history."""
    history = session.exec(
        select(CertificateEvent)
        .where(CertificateEvent.certificate_id == cert.id)
        .order_by(col(CertificateEvent.id))
    ).all()
    return CertificatePublic(
        id=cert.id,
        number=cert.number,
        type=cert.type,
        ngo_name=cert.ngo_name,
        country=cert.country,
        status=cert.status,
        valid_from=cert.valid_from,
        valid_until=cert.valid_until,
        details=cert.details,
        issued_by_dossier=cert.issued_by_dossier,
        history=[
            CertificateEventPublic(
                action=h.action, at=h.at, dossier_id=h.dossier_id, details=h.details
            )
            for h in history
        ],
    )


def list_certificates(
    engine: Engine,
    *,
    status: str | None = None,
    type: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CertificatePublic]:
    """Certificates by number, filtered."""
    query = select(Certificate)
    if status:
        query = query.where(Certificate.status == status)
    if type:
        query = query.where(Certificate.type == type)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Certificate.number).like(like),
                func.lower(Certificate.ngo_name).like(like),
            )
        )
    with read_session(engine) as session:
        rows = session.exec(
            query.order_by(col(Certificate.number)).limit(limit).offset(offset)
        ).all()
        return [certificate_view(session, c) for c in rows]


def get_certificate(engine: Engine, certificate_id: str) -> CertificatePublic:
    """One certificate with its history, or NotFound."""
    with read_session(engine) as session:
        cert = session.get(Certificate, certificate_id)
        if cert is None:
            raise NotFound(f"no certificate {certificate_id}")
        return certificate_view(session, cert)
