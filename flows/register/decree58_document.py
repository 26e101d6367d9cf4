"""The province's Decree 58 report as a document: an administrative report (HTML, PDF) laid
out by the forms' renderer, and a workbook (XLSX) of the same tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import IO, Any
from urllib.parse import urlencode

from flows.documents.forms import Form, Letterhead, Signature
from flows.documents.service import Rendered, printed
from flows.procedures.fields import fold
from flows.register.decree58 import RISK_GROUPS, Decree58Report
from flows.register.obligations import KINDS
from flows.reports import xlsx_export
from flows.reports.tables import Column, Table

DECREE = (
    "Nghị định số 58/2022/NĐ-CP của Chính phủ quy định về đăng ký và quản lý hoạt động của "
    "các tổ chức phi chính phủ nước ngoài tại Việt Nam"
)
CERTIFICATE_TYPE_VI = {
    "operation": "Giấy đăng ký hoạt động",
    "office": "Giấy đăng ký lập Văn phòng đại diện",
    "project_office": "Giấy đăng ký lập Văn phòng dự án",
}
EVENT_VI = {
    "issue": "Cấp mới",
    "renew": "Gia hạn",
    "amend": "Sửa đổi, bổ sung",
    "reissue": "Cấp lại",
    "close": "Chấm dứt theo đề nghị (đóng văn phòng)",
    "suspend": "Tạm đình chỉ hoạt động",
    "reinstate": "Cho hoạt động trở lại",
    "terminate": "Chấm dứt hoạt động",
    "revoke": "Thu hồi giấy đăng ký",
}
OPINION_ON_VI = {
    "issue": "Cấp giấy đăng ký",
    "renew": "Gia hạn giấy đăng ký",
    "amend": "Sửa đổi, bổ sung giấy đăng ký",
    "reissue": "Cấp lại giấy đăng ký",
}
RISK_VI = {"low": "Thấp", "medium": "Trung bình", "high": "Cao"}
LABELS: dict[str, dict[str, str]] = {
    "type": CERTIFICATE_TYPE_VI,
    "event": EVENT_VI,
    "opinion": OPINION_ON_VI,
    "risk": RISK_VI,
    "obligation": {kind: k.title_vi for kind, k in KINDS.items()},
}
RECIPIENTS = (
    "Bộ Ngoại giao",
    "Ủy ban công tác về các tổ chức phi chính phủ nước ngoài",
    "Lưu: VT",
)


def vn_amount(value: Decimal) -> str:
    """1.234.567,89: Vietnamese thousands and decimal separators."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def amounts(values: Mapping[str, Decimal]) -> str:
    """Sums per currency, e.g. "150.000,00 USD; 20.000,00 EUR", or "0" for none."""
    return "; ".join(f"{vn_amount(v)} {c}" for c, v in values.items()) or "0"


class Decree58Document(Form):
    """The report (báo cáo) of the province's People's Committee, sent to MOFA."""

    report: Decree58Report
    area: str  # "tỉnh Quảng Trị", "thành phố Huế": the committee's name without its title

    @property
    def filename(self) -> str:
        """bao-cao-nd58-quang-tri-20260101-20261231.pdf"""
        r = self.report
        slug = "-".join(fold(r.province).split())  # ASCII: header-safe file names
        return f"bao-cao-nd58-{slug}-{r.start:%Y%m%d}-{r.end:%Y%m%d}.pdf"

    def label(self, kind: str, code: str | None) -> str:
        """A code in Vietnamese (kind: type, event, opinion, risk, obligation)."""
        return "—" if code is None else LABELS[kind].get(code, code)

    def money(self, values: Mapping[str, Decimal]) -> str:
        """Sums per currency as the document writes them."""
        return amounts(values)

    def aid_totals(self) -> dict[str, Decimal]:
        """Approved aid of every procedure, per currency."""
        total: dict[str, Decimal] = {}
        for line in self.report.aid:
            for currency, value in line.approved_amounts.items():
                total[currency] = total.get(currency, Decimal(0)) + value
        return dict(sorted(total.items()))


def build_document(report: Decree58Report, today: date) -> Decree58Document:
    """The report laid out as Decree 30/2020 has it, the committee as issuing body."""
    area = report.committee.removeprefix("Ủy ban nhân dân ").strip() or report.province
    return Decree58Document(
        number="nd58",
        title="BÁO CÁO",
        template="decree58.html.j2",
        letterhead=Letterhead(
            parent=None,
            body=report.committee,
            number="\u00a0" * 6 + "/BC-UBND",  # the number is given when the report is signed
            place=report.province,
            day=today,
        ),
        dossier=None,
        recipients=RECIPIENTS,
        signature=Signature(
            title="TM. ỦY BAN NHÂN DÂN", name="", note="(Ký, ghi rõ họ tên, đóng dấu)"
        ),
        report=report,
        area=area,
    )


def document(report: Decree58Report, fmt: str, today: date) -> Rendered:
    """The report as a printable page (html) or a PDF."""
    query = urlencode(
        {"province": report.province, "from": report.start, "to": report.end, "format": "pdf"}
    )
    form = build_document(report, today).model_copy(update={"pdf_query": query})
    return printed(form, "pdf" if fmt == "pdf" else "html")


def _count_table(title: str, header: str, rows: list[tuple[str, Any]]) -> Table:
    return Table(
        title, (Column(header, width=48), Column("Số lượng", "int", 12)), [list(r) for r in rows]
    )


def tables(report: Decree58Report, today: date) -> list[Table]:
    """The report's tables, one sheet each, in the document's order."""
    r = report
    cert = r.certificates
    aid_amounts = [
        [line.title, currency, value]
        for line in r.aid
        for currency, value in line.approved_amounts.items()
    ]
    a = r.annual_reports
    return [
        Table(
            "Thông tin chung",
            (Column("Mục", width=28), Column("Nội dung", "mixed", 60)),
            [
                ["Báo cáo", f"Tình hình thực hiện {DECREE}"],
                ["Tỉnh, thành phố", r.province],
                ["Cơ quan báo cáo", r.committee],
                ["Từ ngày", r.start],
                ["Đến ngày", r.end],
                ["Ngày lập", today],
            ],
        ),
        _count_table(
            "I. Giấy đăng ký còn hiệu lực",
            "Loại giấy đăng ký",
            [(CERTIFICATE_TYPE_VI[t], n) for t, n in r.certificates_by_type.items()]
            + [("Tổng số giấy đăng ký", len(cert)), ("Số tổ chức", r.ngos_operating)],
        ),
        Table(
            "I. Danh sách tổ chức",
            (
                Column("STT", "int", 6),
                Column("Tên tổ chức", width=36),
                Column("Quốc gia", width=16),
                Column("Loại giấy đăng ký", width=30),
                Column("Số giấy đăng ký", width=22),
                Column("Hiệu lực đến", "date", 13),
                Column("Nhóm rủi ro", width=12),
            ),
            [
                [
                    i,
                    c.ngo_name,
                    c.country,
                    CERTIFICATE_TYPE_VI.get(c.type, c.type),
                    c.number,
                    c.valid_until,
                    RISK_VI.get(c.risk_group or "", "—"),
                ]
                for i, c in enumerate(cert, start=1)
            ],
        ),
        _count_table(
            "II. Giấy đăng ký trong kỳ",
            "Nội dung",
            [(EVENT_VI[k], n) for k, n in r.events.items()],
        ),
        Table(
            "III. Cho ý kiến",
            (
                Column("Thủ tục được cho ý kiến", width=36),
                Column("Đồng ý", "int", 10),
                Column("Không đồng ý", "int", 12),
                Column("Tổng số", "int", 10),
            ),
            [
                [OPINION_ON_VI[o.opinion_on], o.agreed, o.disagreed, o.agreed + o.disagreed]
                for o in r.opinions
            ],
        ),
        Table(
            "IV. Viện trợ",
            (
                Column("Thủ tục", width=60),
                Column("Được phê duyệt", "int", 12),
                Column("Từ chối", "int", 10),
                Column("Chuyển Thủ tướng Chính phủ", "int", 14),
            ),
            [[line.title, line.approved, line.refused, line.forwarded] for line in r.aid],
        ),
        Table(
            "IV. Giá trị viện trợ phê duyệt",
            (
                Column("Thủ tục", width=60),
                Column("Loại tiền", width=10),
                Column("Giá trị", "int", 18),
            ),
            aid_amounts,
        ),
        _count_table(
            "V. Chế độ báo cáo",
            "Nội dung",
            [
                ("Báo cáo hằng năm đến hạn trong kỳ", a.due),
                ("Nộp đúng hạn", a.on_time),
                ("Nộp muộn", a.late),
                ("Chưa nộp (quá hạn)", a.missing),
                ("Chưa đến hạn, đang theo dõi", a.pending),
                ("Báo cáo hằng năm nhận được trong kỳ", r.annual_reports_received),
                ("Báo cáo thực hiện khoản viện trợ nhận được trong kỳ", r.aid_reports_received),
            ],
        ),
        Table(
            "V. Kinh phí giải ngân",
            (Column("Loại tiền", width=12), Column("Kinh phí giải ngân", "int", 20)),
            [[c, v] for c, v in r.funds_disbursed.items()],
        ),
        _count_table(
            "VI. Nghĩa vụ quá hạn",
            "Nghĩa vụ",
            [(LABELS["obligation"].get(k, k), n) for k, n in r.overdue_obligations.items()],
        ),
        _count_table(
            "VII. Kiểm tra, hậu kiểm",
            "Nội dung",
            [
                ("Số cuộc kiểm tra đã thực hiện", r.inspections_done),
                ("Phát hiện, sai sót nhỏ", r.minor_findings),
                ("Vi phạm nghiêm trọng", r.major_findings),
            ]
            + [(f"Nhóm rủi ro {RISK_VI[g].lower()}", r.risk_groups[g]) for g in RISK_GROUPS],
        ),
    ]


def workbook(report: Decree58Report, today: date) -> IO[bytes]:
    """The tables as an XLSX workbook in a temporary file; the caller closes it."""
    return xlsx_export.write_xlsx(tables(report, today))
