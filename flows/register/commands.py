"""Changing the register: corrections, what NGOs send, acts on certificates, inspections."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.calendar import local_date
from flows.engine.state import Actor
from flows.errors import Forbidden, InvalidInput, NotAllowed, NotFound
from flows.register import obligations as ob
from flows.register.documents import store
from flows.register.risk import current_scorecard, reassess
from flows.register.scorecard import DEFAULT, Scorecard
from flows.register.views import inspection_view, obligation_views, report_view
from flows.service.calendar import load_calendar
from flows.service.reference import reference
from flows.service.written import Upload
from models.certificate import Certificate, CertificateEvent
from models.db import read_session, write_session
from models.dossier import Dossier
from models.inspection import Inspection
from models.ngo import Ngo
from models.ngo_report import NgoReport
from models.obligation import Obligation
from models.register_schemas import (
    CertificateAct,
    InspectionPublic,
    InspectionRecord,
    NgoUpdate,
    ObligationFulfil,
    ObligationPublic,
    ReportCreate,
    ReportPublic,
)
from models.risk import RiskScorecard

# From which statuses each act may be taken (Decree 58/2022 Art 7), and where it leads.
ACTS = {
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
    "terminate": (("active", "suspended"), "terminated"),
    "revoke": (("active", "suspended"), "revoked"),
}


def _ngo(session: Session, ngo_id: str) -> Ngo:
    ngo = session.get(Ngo, ngo_id, with_for_update=True)
    if ngo is None:
        raise NotFound(f"no NGO {ngo_id} in the register")
    return ngo


def update_ngo(engine: Engine, ngo_id: str, change: NgoUpdate, now: datetime) -> None:
    """Correct names, home registration and contacts."""
    with write_session(engine) as session:
        ngo = _ngo(session, ngo_id)
        for name, value in change.model_dump(exclude_unset=True).items():
            setattr(ngo, name, str(value) if name == "contact_email" and value else value)
        ngo.updated_at = now
        session.add(ngo)


def fulfil_obligation(
    engine: Engine,
    obligation_id: str,
    body: ObligationFulfil,
    actor: Actor,
    now: datetime,
    upload: Upload | None = None,
) -> ObligationPublic:
    """Record what was received (with the file, if one came with the form, in the same
    transaction); the NGO is re-scored (a late one counts)."""
    with write_session(engine) as session:
        document_id = body.document_id
        if upload is not None:
            owner = session.get(Obligation, obligation_id)
            if owner is None:
                raise NotFound(f"no obligation {obligation_id}")
            document_id = store(
                session,
                owner.ngo_id,
                actor,
                name=upload.name,
                content_type=upload.content_type,
                content=upload.content,
                now=now,
            ).id
        o = ob.fulfil(
            session,
            obligation_id,
            received_on=body.received_at,
            note=body.note,
            document_ref=body.document_ref,
            document_id=document_id,
            by=actor.name,
            now=now,
        )
        reassess(session, o.ngo_id, now, f"{o.kind} received")
        return obligation_views(session, [o])[0]


def record_report(
    engine: Engine, ngo_id: str, body: ReportCreate, actor: Actor, now: datetime
) -> ReportPublic:
    """A report received; an annual one meets that year's annual-report obligation."""
    if body.received_at > local_date(now):
        raise InvalidInput("received_at is in the future")
    with write_session(engine) as session:
        _ngo(session, ngo_id)
        if body.aid_dossier_id is not None:
            aid = session.get(Dossier, body.aid_dossier_id)
            if aid is None or aid.ngo_id != ngo_id or not aid.procedure.startswith("aid."):
                raise InvalidInput(f"{body.aid_dossier_id} is not an aid dossier of this NGO")
        met: Obligation | None = None
        if body.kind == "annual":
            met = session.exec(
                select(Obligation).where(
                    Obligation.ngo_id == ngo_id,
                    Obligation.kind == "annual_report",
                    Obligation.period_year == body.period_year,
                    col(Obligation.status).in_(("open", "overdue")),
                )
            ).first()
            if met is not None:
                ob.fulfil(
                    session,
                    met.id,
                    received_on=body.received_at,
                    note=body.note,
                    document_ref=f"Form 05 {body.period_year}",
                    document_id=None,
                    by=actor.name,
                    now=now,
                )
        report = NgoReport(
            id=str(uuid.uuid4()),
            ngo_id=ngo_id,
            kind=body.kind,
            period_year=body.period_year,
            received_on=body.received_at,
            projects=body.projects,
            funds_disbursed=body.funds_disbursed,
            currency=body.currency,
            provinces=body.provinces,
            aid_dossier_id=body.aid_dossier_id,
            obligation_id=met.id if met else None,
            note=body.note,
            recorded_by=actor.name,
            recorded_at=now,
        )
        session.add(report)
        session.flush()
        reassess(session, ngo_id, now, f"{body.kind} report received")
        return report_view(report, None if met is None else not met.met_late)


def act_on_certificate(
    engine: Engine, certificate_id: str, body: CertificateAct, actor: Actor, now: datetime
) -> None:
    """Suspend, reinstate, terminate or revoke a certificate, with its reason and basis."""
    with write_session(engine) as session:
        cert = session.get(Certificate, certificate_id, with_for_update=True)
        if cert is None:
            raise NotFound(f"no certificate {certificate_id}")
        allowed_from, to = ACTS[body.act]
        if cert.status not in allowed_from:
            allowed = [a for a, (src, _) in ACTS.items() if cert.status in src]
            raise NotAllowed(f"certificate {cert.number} is {cert.status}", allowed)
        decided_on = body.decided_on or local_date(now)
        if decided_on > local_date(now):
            raise InvalidInput("decided_on is in the future: record an act once it is decided")
        cert.status, cert.updated_at = to, now
        session.add(cert)
        session.add(
            CertificateEvent(
                certificate_id=cert.id,
                dossier_id=None,
                action=body.act,
                at=now,
                details={
                    "reason": body.reason,
                    "legal_basis": body.legal_basis,
                    "decision_number": body.decision_number,
                    "decided_on": decided_on.isoformat(),
                    "by": actor.name,
                },
            )
        )
        if to in ("terminated", "revoked"):
            ob.cancel_open(session, cert.id, decided_on)
        if cert.ngo_id:
            reassess(session, cert.ngo_id, now, f"certificate {body.act}")


def _last_inspected(session: Session) -> dict[str, date]:
    found: dict[str, date] = {}
    for ngo_id, day in session.exec(
        select(Inspection.ngo_id, col(Inspection.inspected_on)).where(Inspection.status == "done")
    ).all():
        if day is not None and (ngo_id not in found or day > found[ngo_id]):
            found[ngo_id] = day
    return found


def plan_inspections(
    engine: Engine, year: int, actor: Actor, now: datetime
) -> list[InspectionPublic]:
    """Propose the year's post-checks from the risk groups: each NGO holding a certificate is
    included when its last inspection is older than its group's interval (or it had none)."""
    with write_session(engine) as session:
        _, card = current_scorecard(session)
        holding = select(Certificate.ngo_id).where(
            col(Certificate.status).in_(("active", "suspended"))
        )
        holders = session.exec(
            select(Ngo)
            .where(col(Ngo.id).in_(holding))
            .order_by(col(Ngo.risk_score).desc(), col(Ngo.name))
        ).all()
        last = _last_inspected(session)
        planned = set(
            session.exec(select(Inspection.ngo_id).where(Inspection.plan_year == year)).all()
        )
        made: list[InspectionPublic] = []
        for ngo in holders:
            every = card.inspect_every_years.get(ngo.risk_group)  # type: ignore[call-overload]
            if every is None or ngo.id in planned:
                continue
            seen = last.get(ngo.id)
            if seen is not None and year - seen.year < every:
                continue
            reason = (
                f"risk group {ngo.risk_group} (score {ngo.risk_score}): every {every} year(s); "
                f"last inspected {seen.isoformat() if seen else 'never'}"
            )
            row = Inspection(
                id=str(uuid.uuid4()),
                ngo_id=ngo.id,
                plan_year=year,
                reason=reason,
                planned_at=now,
                planned_by=actor.name,
            )
            session.add(row)
            made.append(inspection_view(row, ngo))
        return made


def list_inspections(engine: Engine, year: int | None, ngo: str | None) -> list[InspectionPublic]:
    """Inspections of a plan year (or of an NGO), highest risk first."""
    with read_session(engine) as session:
        query = select(Inspection, Ngo).join(Ngo, col(Ngo.id) == col(Inspection.ngo_id))
        if year is not None:
            query = query.where(Inspection.plan_year == year)
        if ngo is not None:
            query = query.where(Inspection.ngo_id == ngo)
        rows = session.exec(
            query.order_by(col(Inspection.plan_year).desc(), col(Ngo.risk_score).desc())
        ).all()
        return [inspection_view(i, n) for i, n in rows]


def record_inspection(
    engine: Engine, inspection_id: str, body: InspectionRecord, actor: Actor, now: datetime
) -> InspectionPublic:
    """Record a planned inspection's findings; a remedy deadline becomes an obligation and the
    findings feed the NGO's score."""
    if body.inspected_on > local_date(now):
        raise InvalidInput("inspected_on is in the future")
    if body.follow_up_due is not None and body.follow_up_due < body.inspected_on:
        raise InvalidInput("follow_up_due is before inspected_on")
    with write_session(engine) as session:
        row = session.get(Inspection, inspection_id, with_for_update=True)
        if row is None:
            raise NotFound(f"no inspection {inspection_id}")
        if row.status != "planned":
            raise NotAllowed(f"inspection {inspection_id} is {row.status}", [])
        row.status = "done"
        row.inspected_on = body.inspected_on
        row.inspectors = body.inspectors
        row.findings = [f.model_dump() for f in body.findings]
        row.recorded_by, row.recorded_at = actor.name, now
        if body.follow_up_due is not None:
            calendar = load_calendar(session)
            follow = Obligation(
                id=str(uuid.uuid4()),
                ngo_id=row.ngo_id,
                kind="inspection_follow_up",
                due_date=body.follow_up_due,
                remind_on=calendar.add_working_days(body.follow_up_due, -5),
                legal_basis=ob.KINDS["inspection_follow_up"].legal_basis,
                created_at=now,
            )
            session.add(follow)
            session.flush()
            row.follow_up_obligation_id = follow.id
        session.add(row)
        session.flush()
        ngo = reassess(session, row.ngo_id, now, "inspection recorded")
        return inspection_view(row, ngo)


def publish_scorecard(
    engine: Engine, card: Scorecard, note: str, actor: Actor, now: datetime
) -> int:
    """A new version of the risk criteria; every NGO is re-scored with it."""
    if actor.role != "admin":
        raise Forbidden("only an administrator publishes risk criteria")
    with write_session(engine) as session:
        known = reference(session).agencies
        unknown = sorted(
            {a for depth in card.review_depth.values() for g in depth.values() for a in g}
            - set(known)
        )
        if unknown:
            raise InvalidInput(f"review_depth names unknown agencies: {', '.join(unknown)}")
        version, _ = current_scorecard(session)
        stored = session.exec(select(RiskScorecard.version)).first()
        new = version + 1 if stored is not None else 2
        if stored is None:  # the shipped default was version 1 without a row: keep it
            session.add(
                RiskScorecard(
                    version=1,
                    criteria=DEFAULT.model_dump(mode="json"),
                    note="shipped default",
                    created_by="system",
                    created_at=now,
                )
            )
        session.add(
            RiskScorecard(
                version=new,
                criteria=card.model_dump(mode="json"),
                note=note,
                created_by=actor.name,
                created_at=now,
            )
        )
        session.flush()
        for ngo_id in session.exec(select(Ngo.id)).all():
            reassess(session, ngo_id, now, f"scorecard v{new}")
        return new
