"""Each NGO's risk score and group, computed from the register with the scorecard in force."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.calendar import local_date
from flows.procedures.fields import fold
from flows.register.ngos import certificate_places
from flows.register.scorecard import CRITERIA, DEFAULT, Group, Scorecard
from models.certificate import Certificate
from models.consultation import Consultation
from models.dossier import Dossier
from models.inspection import Inspection
from models.ngo import Ngo
from models.obligation import Obligation
from models.risk import RiskAssessment, RiskScorecard

SYSTEM_AUTHOR = "system"


def current_scorecard(session: Session) -> tuple[int, Scorecard]:
    """The highest published version; the shipped default becomes version 1 on first use."""
    row = session.exec(select(RiskScorecard).order_by(col(RiskScorecard.version).desc())).first()
    if row is None:
        return 1, DEFAULT
    return row.version, Scorecard.model_validate(row.criteria)


def _reason(code: str, count: int, points: int, detail: str) -> dict[str, Any]:
    vi, en = CRITERIA[code]
    return {
        "criterion": code,
        "count": count,
        "points": points,
        "title_vi": vi,
        "title_en": en,
        "detail": detail,
    }


def _since(as_of: date, years: int) -> date:
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - years, day=28)


def _obligation_reasons(session: Session, ngo_id: str, since: date) -> list[tuple[str, str]]:
    rows = session.exec(
        select(Obligation).where(
            Obligation.ngo_id == ngo_id,
            col(Obligation.due_date) >= since,
            col(Obligation.status).in_(("met", "overdue")),
        )
    ).all()
    found: list[tuple[str, str]] = []
    for o in rows:
        if o.status == "overdue":
            code = "missing_annual_report" if o.kind == "annual_report" else "overdue_obligation"
            found.append((code, f"{o.kind} {o.period_year or ''} due {o.due_date}".strip()))
        elif o.met_late:
            code = "late_annual_report" if o.kind == "annual_report" else "overdue_obligation"
            found.append(
                (code, f"{o.kind} {o.period_year or ''} due {o.due_date}, received {o.received_on}")
            )
    return found


def _places_and_sectors(session: Session, ngo_id: str) -> tuple[set[str], set[str]]:
    provinces: set[str] = set()
    sectors: set[str] = set()
    for details in session.exec(
        select(Certificate.details).where(
            Certificate.ngo_id == ngo_id, col(Certificate.status).in_(("active", "suspended"))
        )
    ).all():
        provinces.update(certificate_places(details))
        sectors.update(str(f) for f in details.get("activity_fields") or [])
    for fields in session.exec(  # approved aid: its province and sector
        select(Dossier.fields).where(
            Dossier.ngo_id == ngo_id,
            Dossier.status == "approved",
            col(Dossier.procedure).startswith("aid."),
        )
    ).all():
        if fields.get("province"):
            provinces.add(str(fields["province"]))
        if fields.get("sector"):
            sectors.add(str(fields["sector"]))
    return provinces, sectors


def approved_aid_totals(
    session: Session, ngo_id: str, since: date | None = None
) -> dict[str, Decimal]:
    """Approved aid of the NGO per currency (from the aid procedures' dossiers)."""
    query = select(Dossier.fields, col(Dossier.completed_on)).where(
        Dossier.ngo_id == ngo_id,
        Dossier.status == "approved",
        col(Dossier.procedure).startswith("aid."),
    )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for fields, completed_on in session.exec(query).all():
        if since is not None and completed_on is not None and completed_on < since:
            continue
        try:
            totals[str(fields.get("currency", ""))] += Decimal(str(fields.get("amount", 0)))
        except InvalidOperation:
            continue
    return dict(totals)


def assess(
    session: Session, ngo_id: str, as_of: date, card: Scorecard
) -> tuple[int, Group, list[dict[str, Any]]]:
    """Score, group and reasons of one NGO as of a day."""
    since = _since(as_of, card.window_years)
    hits: dict[str, list[str]] = defaultdict(list)
    for code, detail in _obligation_reasons(session, ngo_id, since):
        hits[code].append(detail)
    objections = session.exec(
        select(func.count())
        .select_from(Consultation)
        .join(Dossier, col(Dossier.id) == col(Consultation.dossier_id))
        .where(
            Dossier.ngo_id == ngo_id,
            Consultation.opinion == "object",
            col(Consultation.answered_at).is_not(None),
        )
    ).one()
    hits["consultation_objection"] += ["objection"] * int(objections)
    for currency, total in approved_aid_totals(session, ngo_id, since).items():
        limit = card.large_aid.get(currency)
        if limit is not None and total >= limit:
            hits["large_aid"].append(f"{total:,.0f} {currency} approved")
    provinces, sectors = _places_and_sectors(session, ngo_id)
    sensitive_p = {fold(p) for p in card.sensitive_provinces}
    sensitive_s = {fold(s) for s in card.sensitive_sectors}
    hits["sensitive_province"] += sorted(p for p in provinces if fold(p) in sensitive_p)[:1]
    hits["sensitive_sector"] += sorted(s for s in sectors if fold(s) in sensitive_s)[:1]
    for findings, inspected_on in session.exec(
        select(Inspection.findings, col(Inspection.inspected_on)).where(
            Inspection.ngo_id == ngo_id, Inspection.status == "done"
        )
    ).all():
        if inspected_on is None or inspected_on < since:
            continue
        for finding in findings:
            code = "finding_major" if finding.get("severity") == "major" else "finding_minor"
            hits[code].append(f"{inspected_on}: {finding.get('text', '')}"[:200])
    score = 0
    reasons: list[dict[str, Any]] = []
    for code in CRITERIA:
        details = hits.get(code)
        per = card.points.get(code, 0)
        if not details or per == 0:
            continue
        points = per * len(details)
        cap = card.caps.get(code)
        if cap is not None:
            points = min(points, cap)
        score += points
        reasons.append(_reason(code, len(details), points, "; ".join(details)[:500]))
    group: Group = (
        "high" if score >= card.groups.high else "medium" if score >= card.groups.medium else "low"
    )
    return score, group, reasons


def reassess(session: Session, ngo_id: str, now: datetime, cause: str) -> Ngo:
    """Recompute an NGO's score in the caller's transaction; history keeps each change."""
    ngo = session.get(Ngo, ngo_id)
    assert ngo is not None, ngo_id
    version, card = current_scorecard(session)
    score, group, reasons = assess(session, ngo_id, local_date(now), card)
    changed = (score, group, reasons, version) != (
        ngo.risk_score,
        ngo.risk_group,
        ngo.risk_reasons,
        ngo.risk_scorecard_version,
    )
    ngo.risk_assessed_at = now
    if changed:
        ngo.risk_score, ngo.risk_group, ngo.risk_reasons = score, group, reasons
        ngo.risk_scorecard_version = version
        ngo.updated_at = now
        session.add(
            RiskAssessment(
                ngo_id=ngo_id,
                at=now,
                scorecard_version=version,
                score=score,
                group=group,
                reasons=reasons,
                cause=cause[:80],
            )
        )
    session.add(ngo)
    session.flush()
    return ngo


def extra_agencies(session: Session, ngo: Ngo | None, procedure: str) -> list[str]:
    """Agencies the NGO's risk group adds to a procedure's required consultations."""
    if ngo is None or ngo.risk_group == "low":
        return []
    _, card = current_scorecard(session)
    depth = card.review_depth.get(procedure, {})
    return list(depth.get("high" if ngo.risk_group == "high" else "medium", []))


def rescore_after(
    session: Session, ngo_id: str | None, procedure: str, events: list[Any], now: datetime
) -> None:
    """What a command did that the score counts, counted at once: an agency's objection on one
    of the NGO's dossiers, or its aid approved (amount, sector, province)."""
    if ngo_id is None:
        return
    for ev in events:
        name = getattr(ev, "name", "")
        objection = name == "ConsultationAnswered" and ev.opinion == "object"
        aid = name == "DecisionSigned" and procedure.startswith("aid.") and ev.outcome == "approve"
        if objection or aid:
            session.flush()  # what was just applied is what the assessment counts
            reassess(
                session, ngo_id, now, "consultation objection" if objection else "aid approved"
            )
            return


def is_fresh(ngo: Ngo, now: datetime) -> bool:
    """Assessed today (or after `now`, for a command dated earlier) with the scorecard in force:
    every change that counts re-scores at once, so only the day (the window's edge) can have
    moved since."""
    return ngo.risk_assessed_at is not None and local_date(ngo.risk_assessed_at) >= local_date(now)
