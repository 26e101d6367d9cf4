"""What anyone may see without signing in: NGOs with a valid certificate and their approved
aid, and a dossier's status to whoever knows its code and the applicant's e-mail."""

from __future__ import annotations

import hmac
from datetime import date

from pydantic import BaseModel
from sqlalchemy import Engine, func
from sqlmodel import col, select

from flows.register.ngos import certificate_places
from flows.register.views import approved_aid
from flows.service.registry import registry_of
from models.certificate import Certificate
from models.db import read_session
from models.dossier import Dossier
from models.ngo import Ngo
from models.register_schemas import AidPublic

# Statuses a member of the public reads (the API's codes are kept for clients).
PUBLIC_STATUS_VI = {
    "received": "Đã tiếp nhận",
    "awaiting_supplement": "Chờ bổ sung hồ sơ",
    "in_review": "Đang giải quyết",
    "awaiting_decision": "Chờ phê duyệt",
    "approved": "Đã có kết quả: chấp thuận",
    "refused": "Đã có kết quả: không chấp thuận",
    "forwarded": "Đã chuyển cấp có thẩm quyền",
    "rejected_at_intake": "Từ chối tiếp nhận",
    "withdrawn": "Đã rút hồ sơ",
}
PUBLIC_STATUS_EN = {
    "received": "Received",
    "awaiting_supplement": "Awaiting documents from the applicant",
    "in_review": "Under review",
    "awaiting_decision": "Awaiting signature",
    "approved": "Decided: approved",
    "refused": "Decided: refused",
    "forwarded": "Forwarded to the competent authority",
    "rejected_at_intake": "Not accepted for processing",
    "withdrawn": "Withdrawn",
}


class PublicCertificate(BaseModel):
    """A valid certificate as the public sees it."""

    number: str
    type: str
    valid_from: date | None
    valid_until: date | None
    provinces: list[str]


class PublicNgo(BaseModel):
    """An NGO holding a valid certificate."""

    name: str
    name_vi: str | None
    country: str
    certificates: list[PublicCertificate]
    aid: list[AidPublic]


class PublicStatus(BaseModel):
    """A dossier's status for its applicant."""

    code: str
    procedure_title_vi: str
    procedure_title_en: str
    status: str
    status_vi: str
    status_en: str
    received_on: date
    appointment_date: date | None
    completed_on: date | None


def public_ngos(engine: Engine, today: date, q: str | None = None) -> list[PublicNgo]:
    """NGOs with a certificate valid today, by name."""
    with read_session(engine) as session:
        query = (
            select(Certificate, Ngo)
            .join(Ngo, col(Ngo.id) == col(Certificate.ngo_id))
            .where(
                Certificate.status == "active",
                col(Certificate.valid_until) >= today,
                col(Certificate.valid_from) <= today,
            )
            .order_by(col(Ngo.name), col(Certificate.number))
        )
        if q:
            like = f"%{q.lower()}%"
            query = query.where(
                func.lower(Ngo.name).like(like) | func.lower(Ngo.country).like(like)
            )
        by_ngo: dict[str, tuple[Ngo, list[PublicCertificate]]] = {}
        for cert, ngo in session.exec(query).all():
            places = certificate_places(cert.details)
            by_ngo.setdefault(ngo.id, (ngo, []))[1].append(
                PublicCertificate(
                    number=cert.number,
                    type=cert.type,
                    valid_from=cert.valid_from,
                    valid_until=cert.valid_until,
                    provinces=places,
                )
            )
        aid = approved_aid(session, list(by_ngo))
        return [
            PublicNgo(
                name=ngo.name,
                name_vi=ngo.name_vi,
                country=ngo.country,
                certificates=certs,
                aid=aid[ngo_id],
            )
            for ngo_id, (ngo, certs) in by_ngo.items()
        ]


def public_status(engine: Engine, code: str, email: str) -> PublicStatus | None:
    """The dossier's status when the code and the applicant's e-mail both match; otherwise
    None, the same whether or not the code exists."""
    with read_session(engine) as session:
        d = session.exec(select(Dossier).where(Dossier.code == code.strip())).first()
    given = email.strip().lower().encode()
    # Compare even when there is no dossier, so both answers take the same path.
    stored = (d.applicant_email if d is not None else "\0").strip().lower().encode()
    if d is None or not hmac.compare_digest(given, stored):
        return None
    registry = registry_of(engine)
    procedure = registry.get(d.procedure, d.procedure_version) or registry.get(d.procedure)
    return PublicStatus(
        code=d.code,
        procedure_title_vi=procedure.title_vi if procedure else d.procedure,
        procedure_title_en=procedure.title_en if procedure else d.procedure,
        status=d.status,
        status_vi=PUBLIC_STATUS_VI.get(d.status, d.status),
        status_en=PUBLIC_STATUS_EN.get(d.status, d.status),
        received_on=d.received_on,
        appointment_date=d.due_date,
        completed_on=d.completed_on,
    )
