"""Obligations after approval (Decree 58/2022 Art 21): created by a signed certificate, met by
what the NGO sends, reminded and marked overdue by the sweep."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from config.settings import Settings, get_settings
from flows.calendar import WorkingCalendar, local_date
from flows.errors import InvalidInput, NotAllowed, NotFound
from models.certificate import Certificate
from models.dossier import Dossier
from models.ngo_document import NgoDocument
from models.obligation import Obligation

ART21 = "Nghị định 58/2022/NĐ-CP, Điều 21"


@dataclass(frozen=True)
class Kind:
    """What an obligation kind is called and which rule sets it."""

    title_vi: str
    title_en: str
    legal_basis: str


KINDS: dict[str, Kind] = {
    "bank_account_notice": Kind(
        "Thông báo tài khoản ngân hàng",
        "Notice of bank accounts",
        f"{ART21}: thông báo tài khoản trong 10 ngày làm việc kể từ ngày nhận giấy đăng ký",
    ),
    "activity_plan_to_provinces": Kind(
        "Gửi kế hoạch hoạt động cho các tỉnh nơi hoạt động",
        "Activity plan sent to the provinces of operation",
        f"{ART21}: gửi kế hoạch hoạt động trong 45 ngày làm việc kể từ ngày được cấp, gia hạn "
        "hoặc sửa đổi, bổ sung giấy đăng ký",
    ),
    "annual_report": Kind(
        "Báo cáo hằng năm (Mẫu số 05)",
        "Annual report (Form 05)",
        f"{ART21}: báo cáo định kỳ hằng năm (Mẫu số 05) trước ngày 18 tháng 12",
    ),
    "renewal": Kind(
        "Đề nghị gia hạn trước khi giấy đăng ký hết hạn",
        "Renewal filed before the certificate expires",
        "Nghị định 58/2022/NĐ-CP, Điều 12, 16: gia hạn trước khi giấy đăng ký hết hiệu lực",
    ),
    "inspection_follow_up": Kind(
        "Khắc phục sau kiểm tra",
        "Remedy after an inspection",
        "Kết luận kiểm tra (hậu kiểm): thời hạn khắc phục",
    ),
}
BANK_DAYS = 10
PLAN_DAYS = 45
ANNUAL_DUE = (12, 18)
# What each signed certificate action owes (Art 21): amendment keeps the term, re-issue owes
# nothing new, closure ends what was owed.
OWED_BY_ACTION = {
    "issue": ("bank_account_notice", "activity_plan_to_provinces", "annual_report", "renewal"),
    "renew": ("activity_plan_to_provinces", "annual_report", "renewal"),
    "amend": ("activity_plan_to_provinces",),
}


def _remind_on(kind: str, due: date, calendar: WorkingCalendar, settings: Settings) -> date:
    if kind == "renewal":
        return date.fromordinal(due.toordinal() - settings.renewal_reminder_days)
    return calendar.add_working_days(due, -settings.obligation_reminder_working_days)


def new_obligation(
    kind: str,
    ngo_id: str,
    due: date,
    now: datetime,
    calendar: WorkingCalendar,
    settings: Settings,
    *,
    certificate_id: str | None = None,
    dossier_id: str | None = None,
    period_year: int | None = None,
) -> Obligation:
    """An open obligation of that kind, due that day, with its reminder day and legal basis."""
    return Obligation(
        id=str(uuid.uuid4()),
        ngo_id=ngo_id,
        certificate_id=certificate_id,
        dossier_id=dossier_id,
        kind=kind,
        period_year=period_year,
        due_date=due,
        remind_on=_remind_on(kind, due, calendar, settings),
        legal_basis=KINDS[kind].legal_basis,
        created_at=now,
    )


def annual_years(valid_from: date, valid_until: date) -> list[int]:
    """The years whose 18 December falls within the certificate's validity."""
    month, day = ANNUAL_DUE
    return [
        y
        for y in range(valid_from.year, valid_until.year + 1)
        if valid_from <= date(y, month, day) <= valid_until
    ]


def create_after_signing(
    session: Session,
    cert: Certificate,
    dossier: Dossier,
    action: str,
    now: datetime,
    calendar: WorkingCalendar,
    settings: Settings | None = None,
) -> list[Obligation]:
    """The obligations a signed issue, renewal or amendment creates, in its transaction."""
    settings = settings or get_settings()
    if cert.ngo_id is None:
        return []
    if action == "close":
        cancel_open(session, cert.id, None)
        return []
    owed = OWED_BY_ACTION.get(action, ())
    signed_on = local_date(now)
    made: list[Obligation] = []

    def add(kind: str, due: date, period_year: int | None = None) -> None:
        made.append(
            new_obligation(
                kind,
                cert.ngo_id or "",
                due,
                now,
                calendar,
                settings,
                certificate_id=cert.id,
                dossier_id=dossier.id,
                period_year=period_year,
            )
        )

    # The certificate is handed over the day it is signed (one-stop return): the 10 WD count
    # from then; a later hand-over date can be recorded by correcting the obligation.
    if "bank_account_notice" in owed:
        add("bank_account_notice", calendar.add_working_days(signed_on, BANK_DAYS))
    if "activity_plan_to_provinces" in owed:
        add("activity_plan_to_provinces", calendar.add_working_days(signed_on, PLAN_DAYS))
    if "renewal" in owed and cert.valid_until is not None:
        for old in _open(session, cert.id, "renewal"):
            _meet(old, signed_on, "renewed", dossier.code, "system", now)
            session.add(old)
        add("renewal", cert.valid_until)
    if "annual_report" in owed and cert.valid_until is not None:
        start = cert.valid_from or signed_on
        known = set(
            session.exec(
                select(Obligation.period_year).where(
                    Obligation.ngo_id == cert.ngo_id, Obligation.kind == "annual_report"
                )
            ).all()
        )
        for year in annual_years(start, cert.valid_until):
            if year not in known:
                add("annual_report", date(year, *ANNUAL_DUE), period_year=year)
    session.add_all(made)
    return made


def _open(session: Session, certificate_id: str, kind: str) -> list[Obligation]:
    return list(
        session.exec(
            select(Obligation).where(
                Obligation.certificate_id == certificate_id,
                Obligation.kind == kind,
                col(Obligation.status).in_(("open", "overdue")),
            )
        ).all()
    )


def _meet(
    o: Obligation, received_on: date, note: str | None, ref: str | None, by: str, now: datetime
) -> None:
    o.status = "met"
    o.received_on = received_on
    o.met_late = received_on > o.due_date
    o.note = note
    o.document_ref = ref
    o.recorded_by = by
    o.recorded_at = now


def meet_renewal_filed(
    session: Session, cert: Certificate, dossier: Dossier, now: datetime
) -> None:
    """A renewal dossier received meets the certificate's renewal obligation (filed in time
    or late, by the receipt date)."""
    for o in _open(session, cert.id, "renewal"):
        _meet(o, local_date(now), "renewal filed", dossier.code, "system", now)
        session.add(o)


def cancel_open(session: Session, certificate_id: str, after: date | None) -> int:
    """Open obligations of an ended certificate no longer apply (those due after `after`)."""
    rows = session.exec(
        select(Obligation).where(
            Obligation.certificate_id == certificate_id, Obligation.status == "open"
        )
    ).all()
    n = 0
    for o in rows:
        if after is None or o.due_date > after or o.kind == "renewal":
            o.status = "cancelled"
            session.add(o)
            n += 1
    return n


def fulfil(
    session: Session,
    obligation_id: str,
    *,
    received_on: date,
    note: str | None,
    document_ref: str | None,
    document_id: str | None,
    by: str,
    now: datetime,
) -> Obligation:
    """Record what was received: the obligation is met (late when after its due date)."""
    o = session.get(Obligation, obligation_id, with_for_update=True)
    if o is None:
        raise NotFound(f"no obligation {obligation_id}")
    if o.status not in ("open", "overdue"):
        raise NotAllowed(
            f"obligation {obligation_id} is {o.status}; only an open or overdue one can be met",
            allowed_actions=[],
        )
    if received_on > local_date(now):
        raise InvalidInput("received_at is in the future")
    if received_on < local_date(o.created_at):
        raise InvalidInput(
            f"received_at {received_on:%d/%m/%Y} is before the obligation arose "
            f"({local_date(o.created_at):%d/%m/%Y})"
        )
    if document_id is not None:
        doc = session.get(NgoDocument, document_id)
        if doc is None or doc.ngo_id != o.ngo_id:
            raise InvalidInput(f"document {document_id} is not among this NGO's documents")
    _meet(o, received_on, note, document_ref, by, now)
    o.document_id = document_id
    session.add(o)
    session.flush()
    return o
