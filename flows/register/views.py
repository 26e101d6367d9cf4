"""Register rows as the API shows them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from flows.register.obligations import KINDS
from flows.service.certificates import certificate_view
from models.certificate import Certificate
from models.dossier import Dossier
from models.inspection import Inspection
from models.ngo import Ngo
from models.ngo_report import NgoReport
from models.obligation import Obligation
from models.register_schemas import (
    AidPublic,
    InspectionPublic,
    NgoPublic,
    NgoRisk,
    ObligationPublic,
    ReportPublic,
)


def risk_view(ngo: Ngo) -> NgoRisk:
    """The NGO's current assessment."""
    return NgoRisk(
        score=ngo.risk_score,
        group=ngo.risk_group,
        reasons=ngo.risk_reasons,
        scorecard_version=ngo.risk_scorecard_version,
        assessed_at=ngo.risk_assessed_at,
    )


def _amount(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def aid_view(d: Dossier) -> AidPublic:
    """An aid dossier as the NGO's aid."""
    return AidPublic(
        dossier_id=d.id,
        code=d.code,
        procedure=d.procedure,
        subject=d.subject,
        amount=_amount(d.fields.get("amount")),
        currency=d.fields.get("currency"),
        sector=d.fields.get("sector"),
        province=d.fields.get("province"),
        status=d.status,
        approved_on=d.completed_on if d.status == "approved" else None,
    )


def approved_aid(session: Session, ngo_ids: list[str]) -> dict[str, list[AidPublic]]:
    """Approved aid per NGO."""
    found: dict[str, list[AidPublic]] = {i: [] for i in ngo_ids}
    if not ngo_ids:
        return found
    for d in session.exec(
        select(Dossier)
        .where(
            col(Dossier.ngo_id).in_(ngo_ids),
            col(Dossier.procedure).startswith("aid."),
            Dossier.status == "approved",
        )
        .order_by(col(Dossier.completed_on))
    ).all():
        found[d.ngo_id or ""].append(aid_view(d))
    return found


def ngo_views(session: Session, rows: list[Ngo]) -> list[NgoPublic]:
    """NGOs with their certificates (and history) and approved aid."""
    ids = [n.id for n in rows]
    certs: dict[str, list[Certificate]] = {i: [] for i in ids}
    if ids:
        for c in session.exec(
            select(Certificate)
            .where(col(Certificate.ngo_id).in_(ids))
            .order_by(col(Certificate.number))
        ).all():
            certs[c.ngo_id or ""].append(c)
    aid = approved_aid(session, ids)
    return [
        NgoPublic(
            id=n.id,
            name=n.name,
            name_vi=n.name_vi,
            name_original=n.name_original,
            country=n.country,
            home_registration_number=n.home_registration_number,
            home_registration_valid_until=n.home_registration_valid_until,
            contact_email=n.contact_email,
            contact_phone=n.contact_phone,
            address=n.address,
            certificates=[certificate_view(session, c) for c in certs[n.id]],
            aid=aid[n.id],
            risk=risk_view(n),
        )
        for n in rows
    ]


def obligation_views(session: Session, rows: list[Obligation]) -> list[ObligationPublic]:
    """Obligations with their NGO's name and certificate number."""
    ngo_ids = {o.ngo_id for o in rows}
    cert_ids = {o.certificate_id for o in rows if o.certificate_id}
    names = dict(
        session.exec(select(Ngo.id, Ngo.name).where(col(Ngo.id).in_(ngo_ids))).all()
        if ngo_ids
        else []
    )
    numbers = dict(
        session.exec(
            select(Certificate.id, Certificate.number).where(col(Certificate.id).in_(cert_ids))
        ).all()
        if cert_ids
        else []
    )
    return [
        ObligationPublic(
            id=o.id,
            ngo=o.ngo_id,
            ngo_name=names.get(o.ngo_id, ""),
            kind=o.kind,
            title_vi=KINDS[o.kind].title_vi,
            title_en=KINDS[o.kind].title_en,
            period_year=o.period_year,
            due_date=o.due_date,
            remind_on=o.remind_on,
            status=o.status,
            legal_basis=o.legal_basis,
            certificate_number=numbers.get(o.certificate_id or ""),
            received_on=o.received_on,
            met_late=o.met_late,
            note=o.note,
            document_ref=o.document_ref,
            document_id=o.document_id,
            reminded_at=o.reminded_at,
            overdue_at=o.overdue_at,
        )
        for o in rows
    ]


def report_view(r: NgoReport, on_time: bool | None) -> ReportPublic:
    """A recorded report."""
    return ReportPublic(
        id=r.id,
        ngo=r.ngo_id,
        kind=r.kind,
        period_year=r.period_year,
        received_on=r.received_on,
        projects=r.projects,
        funds_disbursed=r.funds_disbursed,
        currency=r.currency,
        provinces=r.provinces,
        aid_dossier_id=r.aid_dossier_id,
        obligation_id=r.obligation_id,
        on_time=on_time,
        note=r.note,
        recorded_by=r.recorded_by,
        recorded_at=r.recorded_at,
    )


def inspection_view(i: Inspection, ngo: Ngo) -> InspectionPublic:
    """A planned or performed inspection."""
    return InspectionPublic(
        id=i.id,
        ngo=i.ngo_id,
        ngo_name=ngo.name,
        risk_group=ngo.risk_group,
        plan_year=i.plan_year,
        status=i.status,
        reason=i.reason,
        inspected_on=i.inspected_on,
        inspectors=i.inspectors,
        findings=i.findings,
        follow_up_obligation_id=i.follow_up_obligation_id,
    )
