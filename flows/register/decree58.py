"""The figures of a province's report on implementing Decree 58/2022/NĐ-CP over a period.

Every figure is one small query or aggregation (docs/decree58-report.md defines each). Place
names live in JSON (certificate details, dossier fields) and are spelt many ways ("Quảng Trị",
"Tỉnh Quảng Trị", "quang tri"): SQL narrows the rows by date and status, and the province is
matched in Python with `fold` against every spelling the agency registry knows for it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, Numeric, cast, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from flows.calendar import VN_TZ, local_date
from flows.errors import InvalidInput
from flows.procedures.fields import fold
from flows.register.ngos import certificate_places
from flows.service.registry import sync_registry
from models.agency import Agency
from models.certificate import Certificate, CertificateEvent
from models.db import read_session
from models.dossier import Dossier
from models.inspection import Inspection
from models.ngo import Ngo
from models.ngo_report import NgoReport
from models.obligation import Obligation

MAX_PERIOD_DAYS = 5 * 365 + 2
"""Five years, leap days included: a longer period is refused."""
CERTIFICATE_TYPES = ("operation", "office", "project_office")
EVENT_ACTIONS = (
    "issue",
    "renew",
    "amend",
    "reissue",
    "close",
    "suspend",
    "reinstate",
    "terminate",
    "revoke",
)
OPINION_ON = ("issue", "renew", "amend", "reissue")
RISK_GROUPS = ("low", "medium", "high")
IN_FORCE = ("active", "suspended")  # a suspended certificate is still registered (Art 7)
ENDING = ("close", "terminate", "revoke")
DECIDED = ("approved", "refused", "forwarded")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class UnknownProvince(InvalidInput):
    """The province is not one the agency registry answers for; the answer lists those (422)."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown province {name!r}; known: {', '.join(known)}")
        self.extra = {"known_provinces": list(known)}


class OperatingCertificate(_Frozen):
    """One certificate in force in the province at the end of the period."""

    ngo_name: str
    country: str
    type: str
    number: str
    valid_until: date | None
    risk_group: str | None  # None: the certificate is not linked to an NGO of the register


class OpinionLine(_Frozen):
    """The province's opinions given in the period on one kind of certificate procedure."""

    opinion_on: str
    agreed: int
    disagreed: int


class AidLine(_Frozen):
    """The aid dossiers of one aid procedure decided in the period."""

    procedure: str
    title: str
    approved: int
    approved_amounts: dict[str, Decimal]
    refused: int
    forwarded: int


class AnnualReports(_Frozen):
    """Annual reports (Form 05) due in the period, by what has come of them so far."""

    due: int
    on_time: int
    late: int
    missing: int
    pending: int  # still open: not yet due, or due and not yet swept to overdue


class Decree58Report(_Frozen):
    """Everything the province's Decree 58 report states, for [start, end] (local dates)."""

    province: str
    committee: str
    start: date
    end: date
    ngos_operating: int
    certificates_by_type: dict[str, int]
    certificates: list[OperatingCertificate]
    events: dict[str, int]
    opinions: list[OpinionLine]
    aid: list[AidLine]
    annual_reports: AnnualReports
    annual_reports_received: int
    aid_reports_received: int
    funds_disbursed: dict[str, Decimal]
    overdue_obligations: dict[str, int]
    inspections_done: int
    minor_findings: int
    major_findings: int
    risk_groups: dict[str, int]


class Province(_Frozen):
    """A province as the agency registry knows it: its first spelling, its committee, every
    spelling folded."""

    name: str
    committee: str
    keys: frozenset[str]

    def named(self, value: Any) -> bool:
        """Whether a stored place name is this province."""
        return isinstance(value, str) and fold(value) in self.keys


def find_province(session: Session, name: str) -> Province:
    """The province a name spells (any registered spelling, any accents); UnknownProvince."""
    found: list[Province] = []
    for committee, spellings in session.exec(select(Agency.name_vi, Agency.provinces)).all():
        if spellings:
            keys = frozenset(fold(str(s)) for s in spellings)
            found.append(Province(name=str(spellings[0]), committee=committee, keys=keys))
    match = next((p for p in found if fold(name) in p.keys), None)
    if match is None:
        raise UnknownProvince(name, sorted({p.name for p in found}))
    return match


def check_period(start: date, end: date) -> None:
    """InvalidInput for an inverted period or one longer than five years."""
    if end < start:
        raise InvalidInput("the period ends before it starts: `to` must not be before `from`")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"a Decree 58 report covers at most five years ({MAX_PERIOD_DAYS} days)")


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


@contextmanager
def _session(source: Session | Engine) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
    else:
        with read_session(source) as session:
            yield session


def decree58_report(
    session_or_engine: Session | Engine, province: str, start: date, end: date
) -> Decree58Report:
    """The report's figures for one province over [start, end] (local dates, inclusive)."""
    check_period(start, end)
    with _session(session_or_engine) as session:
        return _report(session, find_province(session, province), start, end)


def _report(session: Session, p: Province, start: date, end: date) -> Decree58Report:
    # Instants of the period: from `start` 00:00 to the midnight after `end`, in Hà Nội.
    since, until = _instant(start), _instant(end + timedelta(days=1))
    # The province's certificates, of any status: a few thousand rows for the whole country.
    ours = [
        cid
        for cid, details in session.exec(select(Certificate.id, Certificate.details)).all()
        if any(p.named(place) for place in certificate_places(details))
    ]
    certificates = _operating(session, ours, end)
    ngo_ids = {c.ngo_id for c, _ in certificates if c.ngo_id is not None}
    by_type = Counter(c.type for c, _ in certificates)
    events = dict(
        session.exec(
            select(CertificateEvent.action, func.count())
            .where(
                col(CertificateEvent.certificate_id).in_(ours),
                col(CertificateEvent.at) >= since,
                col(CertificateEvent.at) < until,
            )
            .group_by(col(CertificateEvent.action))
        ).all()
    )
    minor, major, done = _findings(session, ngo_ids, start, end)
    return Decree58Report(
        province=p.name,
        committee=p.committee,
        start=start,
        end=end,
        # NGOs, not certificates: an NGO may hold an operation and an office certificate.
        ngos_operating=len(ngo_ids) + sum(1 for c, _ in certificates if c.ngo_id is None),
        certificates_by_type={t: by_type[t] for t in CERTIFICATE_TYPES},
        certificates=[
            OperatingCertificate(
                ngo_name=c.ngo_name,
                country=c.country,
                type=c.type,
                number=c.number,
                valid_until=c.valid_until,
                risk_group=group,
            )
            for c, group in certificates
        ],
        events={a: int(events.get(a, 0)) for a in EVENT_ACTIONS},
        opinions=_opinions(session, p, start, end),
        aid=_aid(session, p, start, end),
        annual_reports=_annual(session, ngo_ids, start, end),
        annual_reports_received=_received(session, ngo_ids, start, end),
        aid_reports_received=_aid_reports(session, p, start, end),
        funds_disbursed=_funds(session, ngo_ids, start, end),
        overdue_obligations=_overdue(session, ngo_ids, end),
        inspections_done=done,
        minor_findings=minor,
        major_findings=major,
        risk_groups=_risk_groups(session, ngo_ids),
    )


def _operating(
    session: Session, ours: list[str], end: date
) -> list[tuple[Certificate, str | None]]:
    """The province's certificates in force on `end`: its term covers `end`, and it was not
    closed, terminated or revoked on or before `end`; with the NGO's risk group."""
    rows = session.exec(
        select(Certificate, Ngo.risk_group)
        .outerjoin(Ngo, col(Ngo.id) == col(Certificate.ngo_id))
        .where(
            col(Certificate.id).in_(ours),
            col(Certificate.valid_from) <= end,
            col(Certificate.valid_until) >= end,
        )
        .order_by(col(Certificate.ngo_name), col(Certificate.number))
    ).all()
    # A certificate that has ended since `end` was still in force then: its ending event says.
    ended = dict(
        session.exec(
            select(CertificateEvent.certificate_id, func.max(CertificateEvent.at))
            .where(
                col(CertificateEvent.certificate_id).in_(
                    [c.id for c, _ in rows if c.status not in IN_FORCE]
                ),
                col(CertificateEvent.action).in_(ENDING),
            )
            .group_by(col(CertificateEvent.certificate_id))
        ).all()
    )
    return [
        (c, group)
        for c, group in rows
        if c.status in IN_FORCE or (c.id in ended and local_date(ended[c.id]) > end)
    ]


def _opinions(session: Session, p: Province, start: date, end: date) -> list[OpinionLine]:
    """Opinions signed in the period: approve is agreement (đồng ý), refuse disagreement."""
    fields = col(Dossier.fields)
    rows = session.exec(
        select(
            Dossier.status, fields["opinion_on"].as_string(), fields["province"].as_string()
        ).where(
            Dossier.procedure == "province.opinion",
            col(Dossier.status).in_(("approved", "refused")),
            col(Dossier.completed_on) >= start,
            col(Dossier.completed_on) <= end,
        )
    ).all()
    seen = Counter((status, on) for status, on, place in rows if p.named(place))
    return [
        OpinionLine(opinion_on=on, agreed=seen["approved", on], disagreed=seen["refused", on])
        for on in OPINION_ON
    ]


def _aid(session: Session, p: Province, start: date, end: date) -> list[AidLine]:
    """Aid decided (signed) in the period, per aid procedure, amounts summed per currency."""
    fields = col(Dossier.fields)
    # The JSON values are taken out in a subquery: PostgreSQL groups by its plain columns.
    decided = (
        sa_select(
            col(Dossier.procedure).label("procedure"),
            col(Dossier.status).label("status"),
            fields["province"].as_string().label("province"),
            fields["currency"].as_string().label("currency"),
            cast(fields["amount"].as_string(), Numeric(20, 2)).label("amount"),
        )
        .where(
            col(Dossier.procedure).startswith("aid."),
            col(Dossier.status).in_(DECIDED),
            col(Dossier.completed_on) >= start,
            col(Dossier.completed_on) <= end,
        )
        .subquery()
    )
    d = decided.c
    counts: Counter[tuple[str, str]] = Counter()
    amounts: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for procedure, status, place, currency, n, total in session.execute(
        sa_select(
            d.procedure, d.status, d.province, d.currency, func.count(), func.sum(d.amount)
        ).group_by(d.procedure, d.status, d.province, d.currency)
    ).all():
        if p.named(place):
            counts[procedure, status] += n
            if status == "approved":
                amounts[procedure][currency] += Decimal(total or 0)
    aid = [q for q in sync_registry(session).latest() if q.code.startswith("aid.")]
    return [
        AidLine(
            procedure=q.code,
            title=q.title_vi,
            approved=counts[q.code, "approved"],
            approved_amounts=dict(sorted(amounts.get(q.code, {}).items())),
            refused=counts[q.code, "refused"],
            forwarded=counts[q.code, "forwarded"],
        )
        for q in aid
    ]


def _annual(session: Session, ngo_ids: set[str], start: date, end: date) -> AnnualReports:
    """Annual-report obligations due in the period (one per NGO and year), as they stand."""
    rows = session.exec(
        select(Obligation.status, Obligation.met_late, func.count())
        .where(
            col(Obligation.ngo_id).in_(ngo_ids),
            Obligation.kind == "annual_report",
            Obligation.status != "cancelled",
            col(Obligation.due_date) >= start,
            col(Obligation.due_date) <= end,
        )
        .group_by(col(Obligation.status), col(Obligation.met_late))
    ).all()
    seen: Counter[str] = Counter()
    for status, met_late, n in rows:
        seen["late" if status == "met" and met_late else status] += n
    return AnnualReports(
        due=sum(seen.values()),
        on_time=seen["met"],
        late=seen["late"],
        missing=seen["overdue"],
        pending=seen["open"],
    )


def _received(session: Session, ngo_ids: set[str], start: date, end: date) -> int:
    """Annual reports (Form 05) the province's NGOs sent in the period."""
    return session.exec(
        select(func.count()).where(
            col(NgoReport.ngo_id).in_(ngo_ids),
            NgoReport.kind == "annual",
            col(NgoReport.received_on) >= start,
            col(NgoReport.received_on) <= end,
        )
    ).one()


def _funds(session: Session, ngo_ids: set[str], start: date, end: date) -> dict[str, Decimal]:
    """Funds disbursed that those annual reports state, per currency (NGO-wide, as Form 05)."""
    rows = session.exec(
        select(NgoReport.currency, func.sum(NgoReport.funds_disbursed))
        .where(
            col(NgoReport.ngo_id).in_(ngo_ids),
            NgoReport.kind == "annual",
            col(NgoReport.received_on) >= start,
            col(NgoReport.received_on) <= end,
        )
        .group_by(col(NgoReport.currency))
        .order_by(col(NgoReport.currency))
    ).all()
    return {currency: Decimal(total or 0) for currency, total in rows}


def _aid_reports(session: Session, p: Province, start: date, end: date) -> int:
    """Aid implementation reports received in the period on the province's aid: the aid
    dossier is the province's, or the report names the province."""
    rows = session.exec(
        select(NgoReport.provinces, col(Dossier.fields)["province"].as_string())
        .outerjoin(Dossier, col(Dossier.id) == col(NgoReport.aid_dossier_id))
        .where(
            NgoReport.kind == "aid_implementation",
            col(NgoReport.received_on) >= start,
            col(NgoReport.received_on) <= end,
        )
    ).all()
    return sum(1 for named, place in rows if p.named(place) or any(map(p.named, named)))


def _overdue(session: Session, ngo_ids: set[str], end: date) -> dict[str, int]:
    """Obligations of the province's NGOs overdue on `end`: due before it, not cancelled, and
    nothing received by it (received after `end` was still overdue then)."""
    rows = session.exec(
        select(Obligation.kind, func.count())
        .where(
            col(Obligation.ngo_id).in_(ngo_ids),
            Obligation.status != "cancelled",
            col(Obligation.due_date) < end,
            or_(col(Obligation.received_on).is_(None), col(Obligation.received_on) > end),
        )
        .group_by(col(Obligation.kind))
        .order_by(col(Obligation.kind))
    ).all()
    return dict(rows)


def _findings(session: Session, ngo_ids: set[str], start: date, end: date) -> tuple[int, int, int]:
    """Minor and major findings of the inspections of the province's NGOs done in the period,
    and how many inspections."""
    rows = session.exec(
        select(Inspection.findings).where(
            col(Inspection.ngo_id).in_(ngo_ids),
            Inspection.status == "done",
            col(Inspection.inspected_on) >= start,
            col(Inspection.inspected_on) <= end,
        )
    ).all()
    seen = Counter(f.get("severity") for findings in rows for f in findings or [])
    return seen["minor"], seen["major"], len(rows)


def _risk_groups(session: Session, ngo_ids: set[str]) -> dict[str, int]:
    """The province's NGOs by their current risk group."""
    rows = dict(
        session.exec(
            select(Ngo.risk_group, func.count())
            .where(col(Ngo.id).in_(ngo_ids))
            .group_by(col(Ngo.risk_group))
        ).all()
    )
    return {g: int(rows.get(g, 0)) for g in RISK_GROUPS}
