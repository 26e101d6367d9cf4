"""The province's Decree 58 report: a small register world written straight to the database,
every figure checked against numbers counted by hand, in the figures, the HTML page's table
cells, the XLSX cells and the PDF's text; and who may ask, and what is refused."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session

from flows.register.decree58 import decree58_report
from models.certificate import Certificate, CertificateEvent
from models.db import write_session
from models.dossier import Dossier
from models.inspection import Inspection
from models.ngo import Ngo
from models.ngo_report import NgoReport
from models.obligation import Obligation
from tests.integration.conftest import Client
from tests.integration.helpers import ok

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2025, 1, 1), date(2025, 12, 31)
PERIOD = {"province": "quang tri", "from": "2025-01-01", "to": "2025-12-31"}
CREATED = datetime(2024, 1, 1, 9, tzinfo=VN)
_codes = count(1)


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def _ngo(s: Session, name: str, country: str, risk: str) -> str:
    ngo_id = str(uuid.uuid4())
    s.add(
        Ngo(
            id=ngo_id,
            name=name,
            match_key=f"{name.lower()}|{country.lower()}",
            country=country,
            risk_group=risk,
            created_at=CREATED,
            updated_at=CREATED,
        )
    )
    return ngo_id


def _dossier(
    s: Session,
    procedure: str,
    status: str,
    fields: dict[str, Any],
    completed_on: date | None,
    ngo_id: str | None = None,
) -> str:
    dossier_id = str(uuid.uuid4())
    s.add(
        Dossier(
            id=dossier_id,
            code=f"STC-QT-20240101-{next(_codes):04d}",
            procedure=procedure,
            procedure_version=1,
            status=status,
            applicant_name="Applicant",
            applicant_country="Norway",
            applicant_email="applicant@ngos.example.org",
            subject="Decree 58 report fixture",
            fields=fields,
            received_at=CREATED,
            received_by="test",
            received_on=CREATED.date(),
            receiving_agency="STC-QT",
            completed_on=completed_on,
            ngo_id=ngo_id,
        )
    )
    s.flush()
    return dossier_id


def _certificate(
    s: Session,
    ngo_id: str,
    ngo_name: str,
    country: str,
    number: str,
    details: dict[str, Any],
    valid: tuple[date, date],
    status: str = "active",
    kind: str = "operation",
    events: tuple[tuple[str, datetime], ...] = (),
) -> None:
    cert_id = str(uuid.uuid4())
    issuing = _dossier(s, f"ngo.{kind}.issue", "approved", {}, date(2020, 1, 1), ngo_id)
    s.add(
        Certificate(
            id=cert_id,
            number=number,
            type=kind,
            ngo_name=ngo_name,
            country=country,
            status=status,
            ngo_id=ngo_id,
            valid_from=valid[0],
            valid_until=valid[1],
            details=details,
            issued_by_dossier=issuing,
            updated_at=CREATED,
        )
    )
    s.flush()
    for action, at in events:
        s.add(CertificateEvent(certificate_id=cert_id, action=action, at=at))


def _obligation(
    s: Session,
    ngo_id: str,
    kind: str,
    due: date,
    status: str,
    received_on: date | None = None,
    year: int | None = None,
) -> None:
    s.add(
        Obligation(
            id=str(uuid.uuid4()),
            ngo_id=ngo_id,
            kind=kind,
            period_year=year,
            due_date=due,
            remind_on=due,
            status=status,
            legal_basis="Nghị định 58/2022/NĐ-CP, Điều 21",
            created_at=CREATED,
            received_on=received_on,
            met_late=None if received_on is None else received_on > due,
        )
    )


def _report(
    s: Session,
    ngo_id: str,
    kind: str,
    received_on: date,
    funds: str = "0",
    currency: str = "USD",
    provinces: list[str] | None = None,
    aid_dossier_id: str | None = None,
) -> None:
    s.add(
        NgoReport(
            id=str(uuid.uuid4()),
            ngo_id=ngo_id,
            kind=kind,
            period_year=received_on.year - 1 if kind == "annual" else received_on.year,
            received_on=received_on,
            funds_disbursed=Decimal(funds),
            currency=currency,
            provinces=provinces or [],
            aid_dossier_id=aid_dossier_id,
            recorded_by="test",
            recorded_at=CREATED,
        )
    )


def _inspection(
    s: Session, ngo_id: str, year: int, status: str, on: date | None, findings: list[str]
) -> None:
    s.add(
        Inspection(
            id=str(uuid.uuid4()),
            ngo_id=ngo_id,
            plan_year=year,
            status=status,
            reason="risk group",
            planned_at=CREATED,
            planned_by="test",
            inspected_on=on,
            findings=[{"severity": f, "text": f"{f} finding"} for f in findings],
        )
    )


def _aid(procedure: str, province: str, amount: str, currency: str) -> dict[str, Any]:
    return {
        "donor": "Donor",
        "donor_is_foreign_ngo": True,
        "amount": amount,
        "currency": currency,
        "sector": "health",
        "province": province,
    }


def build(engine: Engine) -> None:
    """The register world of 2025 for Quảng Trị (and a little of Huế and Hà Nội)."""
    with write_session(engine) as s:
        n1 = _ngo(s, "Save the Rivers Foundation", "Norway", "high")
        n2 = _ngo(s, "Green Hands", "Japan", "medium")
        n3 = _ngo(s, "Child Aid", "Germany", "low")
        n4 = _ngo(s, "Huế Only Trust", "France", "high")
        n5 = _ngo(s, "Expired Org", "United States", "low")
        n6 = _ngo(s, "Revoked Later", "United Kingdom", "medium")
        n7 = _ngo(s, "Revoked Within", "Korea", "low")
        n8 = _ngo(s, "Closed Mission", "Canada", "low")
        s.flush()
        qt = {"provinces": ["Quảng Trị"]}
        # Operating in Quảng Trị and Huế; its renewal at 00:10 on 1 January 2026 (local) is
        # 31 December in UTC, and outside the period.
        _certificate(
            s,
            n1,
            "Save the Rivers Foundation",
            "Norway",
            "01/GĐK-BNG",
            {"provinces": ["Quảng Trị", "Huế"]},
            (date(2024, 3, 1), date(2027, 2, 28)),
            events=(
                ("issue", _at(2024, 3, 1, 10)),
                ("amend", _at(2025, 5, 10, 10)),
                ("renew", _at(2026, 1, 1, 0, 10)),
            ),
        )
        # Its office in Hà Nội is not Quảng Trị's, nor is the office's issue.
        _certificate(
            s,
            n1,
            "Save the Rivers Foundation",
            "Norway",
            "01/VPĐD-BNG",
            {"office_province": "Hà Nội"},
            (date(2025, 2, 1), date(2030, 1, 31)),
            kind="office",
            events=(("issue", _at(2025, 2, 1, 10)),),
        )
        # Another spelling of the province; issued at 00:30 on 1 January 2025 local time (still
        # 31 December 2024 in UTC): inside the period. Suspended: still operating.
        _certificate(
            s,
            n2,
            "Green Hands",
            "Japan",
            "02/GĐK-BNG",
            {"provinces": ["tỉnh quảng trị"]},
            (date(2025, 1, 1), date(2028, 1, 31)),
            status="suspended",
            events=(("issue", _at(2025, 1, 1, 0, 30)), ("suspend", _at(2025, 9, 1, 10))),
        )
        # Valid until the last day of the period: operating; reinstated at 23:30 that day.
        _certificate(
            s,
            n3,
            "Child Aid",
            "Germany",
            "03/GĐK-BNG",
            {"provinces": ["Quang Tri"]},
            (date(2023, 1, 1), date(2025, 12, 31)),
            events=(
                ("issue", _at(2022, 12, 30, 10)),
                ("suspend", _at(2025, 7, 1, 10)),
                ("reinstate", _at(2025, 12, 31, 23, 30)),
            ),
        )
        # A legacy project office of the same NGO in the province.
        _certificate(
            s,
            n3,
            "Child Aid",
            "Germany",
            "09/VPDA-BNG",
            {"province": "Quảng Trị"},
            (date(2020, 1, 1), date(2026, 6, 30)),
            kind="project_office",
        )
        _certificate(
            s,
            n4,
            "Huế Only Trust",
            "France",
            "04/GĐK-BNG",
            {"provinces": ["Huế"]},
            (date(2025, 3, 1), date(2028, 2, 28)),
            events=(("issue", _at(2025, 3, 1, 10)),),
        )
        # Expired on 30 June 2025: not operating at the end, but its re-issue counts.
        _certificate(
            s,
            n5,
            "Expired Org",
            "United States",
            "05/GĐK-BNG",
            qt,
            (date(2022, 7, 1), date(2025, 6, 30)),
            events=(("reissue", _at(2025, 4, 1, 10)),),
        )
        # Revoked in March 2026: it was still in force on 31 December 2025.
        _certificate(
            s,
            n6,
            "Revoked Later",
            "United Kingdom",
            "06/GĐK-BNG",
            qt,
            (date(2024, 1, 1), date(2026, 12, 31)),
            status="revoked",
            events=(
                ("issue", _at(2024, 1, 1, 10)),
                ("renew", _at(2025, 6, 15, 10)),
                ("revoke", _at(2026, 3, 1, 10)),
            ),
        )
        # Revoked and terminated within the period: not operating at the end.
        _certificate(
            s,
            n7,
            "Revoked Within",
            "Korea",
            "07/GĐK-BNG",
            qt,
            (date(2024, 6, 1), date(2027, 5, 31)),
            status="revoked",
            events=(("issue", _at(2024, 6, 1, 10)), ("revoke", _at(2025, 10, 1, 10))),
        )
        _certificate(
            s,
            n8,
            "Closed Mission",
            "Canada",
            "08/GĐK-BNG",
            qt,
            (date(2023, 1, 1), date(2026, 1, 1)),
            status="terminated",
            events=(("terminate", _at(2025, 8, 8, 10)),),
        )

        # Provincial opinions.
        def opinion(province: str, on: str, status: str, day: date) -> None:
            fields = {"province": province, "opinion_on": on, "ngo_name": "X"}
            _dossier(s, "province.opinion", status, fields, day)

        opinion("Quảng Trị", "issue", "approved", date(2025, 3, 10))
        opinion("quang tri", "renew", "refused", date(2025, 7, 7))
        opinion("Quảng Trị", "issue", "approved", date(2025, 12, 31))
        opinion("Quảng Trị", "issue", "approved", date(2024, 12, 31))  # before the period
        opinion("Huế", "issue", "approved", date(2025, 5, 5))  # another province
        opinion("Quảng Trị", "amend", "withdrawn", date(2025, 4, 4))  # no opinion given

        # Aid.
        def aid(
            procedure: str,
            province: str,
            status: str,
            day: date | None,
            amount: str,
            currency: str = "USD",
        ) -> str:
            fields = _aid(procedure, province, amount, currency)
            return _dossier(s, procedure, status, fields, day, n1)

        a1 = aid("aid.project.appraise", "Quảng Trị", "approved", date(2025, 2, 14), "150000.00")
        a2 = aid("aid.project.appraise", "Quảng Trị", "approved", date(2025, 8, 20), "50000.50")
        aid("aid.project.appraise", "Tỉnh Quảng Trị", "approved", date(2025, 9, 9), "20000", "EUR")
        aid("aid.project.appraise", "Quảng Trị", "refused", date(2025, 10, 10), "99999")
        aid("aid.project.appraise", "Quảng Trị", "forwarded", date(2025, 11, 11), "70000")
        aid("aid.nonproject.appraise", "Quảng Trị", "approved", date(2025, 3, 3), "12345.67")
        aid("aid.nonproject.appraise", "Quảng Trị", "refused", date(2025, 6, 6), "100")
        aid("aid.nonproject.appraise", "Quảng Trị", "in_review", None, "100")  # undecided
        aid("aid.relief.approve", "Quảng Trị", "approved", date(2025, 12, 31), "1000000000", "VND")
        aid("aid.relief.approve", "Quảng Trị", "approved", date(2026, 1, 1), "5", "VND")  # after
        a9 = aid("aid.project.appraise", "Huế", "approved", date(2025, 5, 5), "999")

        # Annual reports due on 18 December 2025 and other obligations.
        due = date(2025, 12, 18)
        _obligation(s, n1, "annual_report", due, "met", date(2025, 12, 10), 2025)  # on time
        _obligation(s, n2, "annual_report", due, "met", date(2026, 1, 5), 2025)  # late
        _obligation(s, n3, "annual_report", due, "overdue", None, 2025)  # missing
        _obligation(s, n6, "annual_report", due, "cancelled", None, 2025)  # does not count
        _obligation(s, n7, "annual_report", due, "overdue", None, 2025)  # not operating
        _obligation(s, n4, "annual_report", due, "overdue", None, 2025)  # Huế's
        _obligation(s, n1, "annual_report", date(2024, 12, 18), "met", date(2024, 12, 1), 2024)
        _obligation(s, n1, "bank_account_notice", date(2025, 3, 15), "met", date(2025, 3, 20))
        _obligation(s, n2, "activity_plan_to_provinces", date(2025, 4, 1), "overdue")
        _obligation(s, n3, "renewal", date(2025, 12, 31), "open")  # due on the last day
        _obligation(s, n6, "inspection_follow_up", date(2025, 11, 30), "open")
        _obligation(s, n4, "bank_account_notice", date(2025, 5, 1), "overdue")  # Huế's
        _obligation(s, n1, "activity_plan_to_provinces", date(2026, 2, 1), "open")

        # Reports received.
        _report(s, n1, "annual", date(2025, 12, 10), "120000.00")
        _report(s, n2, "annual", date(2026, 1, 5), "7777.00")  # after the period
        _report(s, n3, "annual", date(2025, 1, 20), "30000.00")
        _report(s, n6, "annual", date(2025, 2, 2), "500000000", "VND")
        _report(s, n4, "annual", date(2025, 3, 3), "999.00")  # Huế's NGO
        _report(s, n1, "aid_implementation", date(2025, 6, 30), aid_dossier_id=a1)
        _report(s, n2, "aid_implementation", date(2025, 7, 15), provinces=["quảng trị"])
        _report(s, n1, "aid_implementation", date(2025, 8, 1), provinces=["Huế"], aid_dossier_id=a9)
        _report(s, n1, "aid_implementation", date(2026, 1, 2), aid_dossier_id=a2)  # after

        # Inspections.
        _inspection(s, n1, 2025, "done", date(2025, 10, 10), ["minor", "major", "minor"])
        _inspection(s, n2, 2025, "done", date(2025, 11, 11), ["minor"])
        _inspection(s, n3, 2025, "planned", None, [])
        _inspection(s, n6, 2024, "done", date(2024, 12, 12), ["major"])  # before the period
        _inspection(s, n4, 2025, "done", date(2025, 5, 5), ["major"])  # Huế's NGO


# The figures, counted by hand from `build`.
BY_TYPE = {"operation": 4, "office": 0, "project_office": 1}  # 01, 02, 03, 06 and 09/VPDA
NGOS = 4  # Save the Rivers, Green Hands, Child Aid (two certificates), Revoked Later
CERTIFICATE_ROWS = [
    ["1", "Child Aid", "Germany", "Giấy đăng ký hoạt động", "03/GĐK-BNG", "31/12/2025", "Thấp"],
    [
        "2",
        "Child Aid",
        "Germany",
        "Giấy đăng ký lập Văn phòng dự án",
        "09/VPDA-BNG",
        "30/06/2026",
        "Thấp",
    ],
    [
        "3",
        "Green Hands",
        "Japan",
        "Giấy đăng ký hoạt động",
        "02/GĐK-BNG",
        "31/01/2028",
        "Trung bình",
    ],
    [
        "4",
        "Revoked Later",
        "United Kingdom",
        "Giấy đăng ký hoạt động",
        "06/GĐK-BNG",
        "31/12/2026",
        "Trung bình",
    ],
    [
        "5",
        "Save the Rivers Foundation",
        "Norway",
        "Giấy đăng ký hoạt động",
        "01/GĐK-BNG",
        "28/02/2027",
        "Cao",
    ],
]
# Events of Quảng Trị's certificates in 2025 (local dates): 02 issued at 00:30 on 1 January,
# 06 renewed (01's renewal is on 1 January 2026), 01 amended, 05 re-issued, 02 and 03
# suspended, 03 reinstated at 23:30 on 31 December, 08 terminated, 07 revoked (06 in 2026).
EVENTS = {
    "issue": 1,
    "renew": 1,
    "amend": 1,
    "reissue": 1,
    "close": 0,
    "suspend": 2,
    "reinstate": 1,
    "terminate": 1,
    "revoke": 1,
}
# Opinions of 2025: issue agreed twice (10/03, 31/12), renew refused once ("quang tri");
# the 2024 one, Huế's and the withdrawn one do not count.
OPINIONS = {"issue": (2, 0), "renew": (0, 1), "amend": (0, 0), "reissue": (0, 0)}
# Aid decided in 2025 in Quảng Trị: project 150000.00 + 50000.50 USD and 20000 EUR approved,
# one refused, one forwarded; non-project 12345.67 USD approved, one refused; relief
# 1 000 000 000 VND approved on 31/12 (the one of 01/01/2026 is outside).
AID = {
    "aid.project.appraise": (3, {"EUR": Decimal("20000.00"), "USD": Decimal("200000.50")}, 1, 1),
    "aid.nonproject.appraise": (1, {"USD": Decimal("12345.67")}, 1, 0),
    "aid.relief.approve": (1, {"VND": Decimal("1000000000.00")}, 0, 0),
}
# Annual reports due 18/12/2025 of the four NGOs: Save the Rivers on time, Green Hands late,
# Child Aid missing, Revoked Later's cancelled.
ANNUAL = {"due": 3, "on_time": 1, "late": 1, "missing": 1, "pending": 0}
ANNUAL_RECEIVED = 3  # Save the Rivers (10/12), Child Aid (20/01), Revoked Later (02/02)
FUNDS = {"USD": Decimal("150000.00"), "VND": Decimal("500000000.00")}  # 120000 + 30000 USD
AID_REPORTS = 2  # on aid a1 (Quảng Trị's), and one naming "quảng trị"
# Overdue on 31/12/2025: Green Hands' activity plan; Child Aid's annual report and Green Hands'
# (received only on 05/01/2026); Revoked Later's inspection follow-up. Child Aid's renewal is
# due on 31/12 itself, Save the Rivers' bank notice was met (late) in March.
OVERDUE = {"activity_plan_to_provinces": 1, "annual_report": 2, "inspection_follow_up": 1}
INSPECTIONS = (2, 3, 1)  # done in 2025: Save the Rivers (2 minor, 1 major), Green Hands (1 minor)
RISK = {"low": 1, "medium": 2, "high": 1}  # Child Aid; Green Hands, Revoked Later; Save the Rivers


class Tables(HTMLParser):
    """The text of every cell of the page's tables that have an id, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id"):
            self._table = self.tables.setdefault(str(dict(attrs)["id"]), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table is not None and self._cell is not None:
            self._table[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_the_figures_are_those_counted_by_hand(engine: Engine) -> None:
    """Every figure of the report, straight from the flow, for a spelling without accents."""
    build(engine)
    report = decree58_report(engine, "quang tri", START, END)
    assert (report.province, report.committee) == ("Quảng Trị", "Ủy ban nhân dân tỉnh Quảng Trị")
    assert report.certificates_by_type == BY_TYPE
    assert report.ngos_operating == NGOS
    assert [c.number for c in report.certificates] == [row[4] for row in CERTIFICATE_ROWS]
    assert report.events == EVENTS
    assert {o.opinion_on: (o.agreed, o.disagreed) for o in report.opinions} == OPINIONS
    aid = {
        a.procedure: (a.approved, a.approved_amounts, a.refused, a.forwarded) for a in report.aid
    }
    assert aid == AID
    assert report.annual_reports.model_dump() == ANNUAL
    assert report.annual_reports_received == ANNUAL_RECEIVED
    assert report.funds_disbursed == FUNDS
    assert report.aid_reports_received == AID_REPORTS
    assert report.overdue_obligations == OVERDUE
    got = (report.inspections_done, report.minor_findings, report.major_findings)
    assert got == INSPECTIONS
    assert report.risk_groups == RISK


def test_another_province_sees_only_its_own(engine: Engine) -> None:
    """Huế: Save the Rivers (operating in both provinces) and Huế Only Trust."""
    build(engine)
    report = decree58_report(engine, "Thành phố Huế", START, END)
    assert report.province == "Huế"
    assert report.ngos_operating == 2  # Save the Rivers, Huế Only Trust
    assert report.certificates_by_type == {"operation": 2, "office": 0, "project_office": 0}
    assert report.events["issue"] == 1  # Huế Only Trust's (01/03/2025)
    assert report.events["amend"] == 1  # Save the Rivers' (10/05/2025)
    project = next(a for a in report.aid if a.procedure == "aid.project.appraise")
    assert (project.approved, project.approved_amounts) == (1, {"USD": Decimal("999.00")})
    assert report.overdue_obligations == {"annual_report": 1, "bank_account_notice": 1}  # both
    # Huế Only Trust's: its 2025 annual report and its bank notice (due 01/05/2025)


def test_the_page_shows_the_figures_in_their_cells(engine: Engine, client: Client) -> None:
    """The HTML report over real HTTP: heading, sender, and each table's cells."""
    build(engine)
    answer = client("manager").get("/reports/decree58", params=PERIOD)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert "BÁO CÁO" in html and "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ" in html
    assert "Tình hình thực hiện Nghị định số 58/2022/NĐ-CP" in html
    assert "từ ngày 01/01/2025 đến ngày 31/12/2025" in html
    assert "https://" not in html and "http://" not in html  # fonts are served locally
    # The PDF link keeps the period and the province.
    pdf = client("manager").get(
        "/reports/decree58"
        + re.findall(r'href="(\?[^"]*format=pdf)"', html)[0].replace("&amp;", "&")
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    t = tables_of(html)
    assert t["types"][1:] == [
        ["Giấy đăng ký hoạt động", "4"],
        ["Giấy đăng ký lập Văn phòng đại diện", "0"],
        ["Giấy đăng ký lập Văn phòng dự án", "1"],
        ["Tổng cộng", "5"],
    ]
    assert t["ngos"][1:] == CERTIFICATE_ROWS
    assert {row[0]: row[1] for row in t["events"][1:]} == {
        "Cấp mới": "1",
        "Gia hạn": "1",
        "Sửa đổi, bổ sung": "1",
        "Cấp lại": "1",
        "Chấm dứt theo đề nghị (đóng văn phòng)": "0",
        "Tạm đình chỉ hoạt động": "2",
        "Cho hoạt động trở lại": "1",
        "Chấm dứt hoạt động": "1",
        "Thu hồi giấy đăng ký": "1",
    }
    assert t["opinions"][1:] == [
        ["Cấp giấy đăng ký", "2", "0", "2"],
        ["Gia hạn giấy đăng ký", "0", "1", "1"],
        ["Sửa đổi, bổ sung giấy đăng ký", "0", "0", "0"],
        ["Cấp lại giấy đăng ký", "0", "0", "0"],
        ["Tổng cộng", "2", "1", "3"],
    ]
    aid = {row[0]: row[1:] for row in t["aid"][1:]}
    assert aid["Thẩm định, phê duyệt khoản viện trợ phi dự án"] == ["1", "12.345,67 USD", "1", "0"]
    assert aid[
        "Thẩm định, phê duyệt chương trình, dự án viện trợ không hoàn lại không thuộc hỗ trợ "
        "phát triển chính thức"
    ] == ["3", "20.000,00 EUR; 200.000,50 USD", "1", "1"]
    assert aid["Tiếp nhận, phê duyệt viện trợ khẩn cấp khắc phục hậu quả thiên tai"] == [
        "1",
        "1.000.000.000,00 VND",
        "0",
        "0",
    ]
    # 200000.50 + 12345.67 = 212346.17 USD in all.
    assert aid["Tổng cộng"] == [
        "5",
        "20.000,00 EUR; 212.346,17 USD; 1.000.000.000,00 VND",
        "2",
        "1",
    ]
    assert t["annual"][1] == ["3", "1", "1", "1", "0"]
    assert [row[1] for row in t["reports"][1:]] == [
        "3",
        "150.000,00 USD; 500.000.000,00 VND",
        "2",
    ]
    assert t["overdue"][1:] == [
        ["Gửi kế hoạch hoạt động cho các tỉnh nơi hoạt động", "1"],
        ["Báo cáo hằng năm (Mẫu số 05)", "2"],
        ["Khắc phục sau kiểm tra", "1"],
        ["Tổng cộng", "4"],
    ]
    assert t["inspections"][1] == ["2", "3", "1"]
    assert t["risk"][1:] == [["Thấp", "1"], ["Trung bình", "2"], ["Cao", "1"]]


def test_the_workbook_holds_the_same_figures(engine: Engine, client: Client) -> None:
    """The XLSX over HTTP, read back with openpyxl: a sheet per table, numbers as numbers."""
    build(engine)
    answer = client("admin").get("/reports/decree58", params={**PERIOD, "format": "xlsx"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="bao-cao-nd58-quang-tri-20250101-20251231.xlsx"'
        in (answer.headers["content-disposition"])
    )
    book = load_workbook(io.BytesIO(answer.content), read_only=True)

    def rows(sheet: str) -> list[list[Any]]:
        return [list(r) for r in book[sheet].iter_rows(min_row=2, values_only=True)]

    info = {k: v for k, v in rows("Thông tin chung")}
    assert info["Tỉnh, thành phố"] == "Quảng Trị"
    assert info["Từ ngày"] == datetime(2025, 1, 1) and info["Đến ngày"] == datetime(2025, 12, 31)
    assert rows("I. Giấy đăng ký còn hiệu lực") == [
        ["Giấy đăng ký hoạt động", 4],
        ["Giấy đăng ký lập Văn phòng đại diện", 0],
        ["Giấy đăng ký lập Văn phòng dự án", 1],
        ["Tổng số giấy đăng ký", 5],
        ["Số tổ chức", 4],
    ]
    listed = rows("I. Danh sách tổ chức")
    assert [r[4] for r in listed] == [row[4] for row in CERTIFICATE_ROWS]
    assert listed[0][5] == datetime(2025, 12, 31) and listed[0][6] == "Thấp"
    assert [r[1] for r in rows("II. Giấy đăng ký trong kỳ")] == list(EVENTS.values())
    assert [r[1:] for r in rows("III. Cho ý kiến")] == [[2, 0, 2], [0, 1, 1], [0, 0, 0], [0, 0, 0]]
    aid = {r[0][:30]: r[1:] for r in rows("IV. Viện trợ")}
    assert aid["Thẩm định, phê duyệt chương tr"] == [3, 1, 1]
    amounts = {(r[0][:30], r[1]): float(r[2]) for r in rows("IV. Giá trị viện trợ phê duyệt")}
    assert amounts == {
        ("Thẩm định, phê duyệt khoản việ", "USD"): 12345.67,
        ("Thẩm định, phê duyệt chương tr", "EUR"): 20000.0,
        ("Thẩm định, phê duyệt chương tr", "USD"): 200000.5,
        ("Tiếp nhận, phê duyệt viện trợ ", "VND"): 1_000_000_000.0,
    }
    assert [r[1] for r in rows("V. Chế độ báo cáo")] == [3, 1, 1, 1, 0, 3, 2]
    assert [(r[0], float(r[1])) for r in rows("V. Kinh phí giải ngân")] == [
        ("USD", 150000.0),
        ("VND", 500_000_000.0),
    ]
    assert [r[1] for r in rows("VI. Nghĩa vụ quá hạn")] == [1, 2, 1]
    assert [r[1] for r in rows("VII. Kiểm tra, hậu kiểm")] == [2, 3, 1, 1, 2, 1]


def test_the_pdf_carries_the_figures(engine: Engine, client: Client) -> None:
    """The PDF over HTTP: a PDF, inline, whose text holds the heading and a figure."""
    from pypdf import PdfReader

    build(engine)
    answer = client("manager").get("/reports/decree58", params={**PERIOD, "format": "pdf"})
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF")
    assert answer.headers["content-disposition"].startswith("inline;")
    reader = PdfReader(io.BytesIO(answer.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "BÁO CÁO" in text
    assert "200.000,50 USD" in text
    assert "Save the Rivers Foundation" in text


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({**PERIOD, "format": "docx"}, "format"),
        ({**PERIOD, "from": "2025-12-31", "to": "2025-01-01"}, "ends before it starts"),
        ({**PERIOD, "from": "2020-01-01", "to": "2025-12-31"}, "at most five years"),
        ({"from": "2025-01-01", "to": "2025-12-31"}, "province"),
        ({**PERIOD, "to": "3001-01-01"}, "`to` must be between"),
    ],
)
def test_what_is_refused(client: Client, params: dict[str, str], says: str) -> None:
    """422 in the error model for a bad format, an inverted or too long period, no province."""
    body = ok(client("manager").get("/reports/decree58", params=params), 422)
    assert body["error"] == "invalid_input" and says in body["detail"], body


def test_an_unknown_province_lists_the_known_ones(client: Client) -> None:
    """422 with the provinces the agency registry answers for."""
    params = {**PERIOD, "province": "Nowhere"}
    body = ok(client("manager").get("/reports/decree58", params=params), 422)
    assert body["error"] == "invalid_input" and "unknown province 'Nowhere'" in body["detail"]
    assert "Quảng Trị" in body["known_provinces"] and "Huế" in body["known_provinces"]


def test_five_years_are_allowed(client: Client) -> None:
    """2021–2025 is five years to the day: accepted (an empty report)."""
    params = {**PERIOD, "from": "2021-01-01", "to": "2025-12-31", "format": "xlsx"}
    assert client("manager").get("/reports/decree58", params=params).status_code == 200


@pytest.mark.parametrize("who", ["BCA", "handler", "leader"])
def test_only_managers_and_administrators(client: Client, who: str) -> None:
    """An agency officer, a handler or a leader gets 403 in the error model."""
    body = ok(client(who).get("/reports/decree58", params=PERIOD), 403)
    assert body["error"] == "forbidden"
