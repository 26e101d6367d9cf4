"""Exporting the dossier list, the register (form 07) and the figures as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from flows.reports import tables
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import act, ok, operation_issue
from tests.integration.test_metrics import PO, import_year

HEADERS = [
    "Mã hồ sơ",
    "Tổ chức đề nghị",
    "Quốc gia",
    "Thủ tục",
    "Nội dung",
    "Trạng thái",
    "Người xử lý",
    "Ngày tiếp nhận",
    "Ngày tiếp nhận hợp lệ",
    "Ngày hẹn trả",
    "Ngày hoàn thành",
    "Số ngày làm việc đã dùng",
    "Số ngày làm việc còn lại",
    "Đúng hạn",
]
METRICS_SHEETS = [
    "Tổng hợp",
    "Theo thủ tục",
    "Theo cơ quan tiếp nhận",
    "Theo tháng",
    "Theo cơ quan lấy ý kiến",
    "Điểm nghẽn",
    "Có nguy cơ trễ hạn",
]


def csv_rows(answer: httpx.Response) -> list[list[str]]:
    """The CSV's rows, after checking the BOM and the media type."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def workbook(answer: httpx.Response) -> Any:
    """The XLSX read back with openpyxl."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(answer.content))


def two_dossiers(client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """One dossier received only, one accepted (in review) and assigned."""
    handler = client("handler")
    received = ok(handler.post("/dossiers", json=operation_issue()), 201)
    accepted = ok(
        handler.post(
            "/dossiers",
            json=operation_issue(
                applicant={
                    "name": "Quỹ Trẻ em Đông Dương",
                    "country": "Thụy Điển",
                    "email": "a@b.org",
                }
            ),
        ),
        201,
    )
    accepted = act(handler, accepted["id"], "accept")
    accepted = act(handler, accepted["id"], "assign", {"assignee": "Nguyễn Văn An"})
    return received, accepted


def test_the_dossier_list_as_csv_has_vietnamese_headers_and_iso_dates(client: Client) -> None:
    """UTF-8 with BOM, commas, the header row in Vietnamese, a dossier's row, its file name."""
    received, accepted = two_dossiers(client)
    answer = client("handler").get("/reports/dossiers.csv")
    rows = csv_rows(answer)
    assert answer.headers["content-disposition"] == 'attachment; filename="ho-so-20261123.csv"'
    assert rows[0] == HEADERS
    by_code = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {received["code"], accepted["code"]}
    row = by_code[accepted["code"]]
    assert row["Tổ chức đề nghị"] == "Quỹ Trẻ em Đông Dương"
    assert row["Quốc gia"] == "Thụy Điển"
    assert row["Thủ tục"].startswith("Cấp Giấy đăng ký hoạt động")
    assert row["Trạng thái"] == "Đang giải quyết"
    assert row["Người xử lý"] == "Nguyễn Văn An"
    assert row["Ngày tiếp nhận"] == "2026-11-23" == row["Ngày tiếp nhận hợp lệ"]
    assert row["Ngày hẹn trả"] == accepted["due_date"]
    assert row["Ngày hoàn thành"] == ""
    assert row["Đúng hạn"] == "Đang giải quyết, trong hạn"
    assert by_code[received["code"]]["Ngày hẹn trả"] == ""


def test_the_dossier_list_takes_the_worklists_filters(client: Client) -> None:
    """status, q, procedure, overdue: the same dossiers as GET /dossiers."""
    received, accepted = two_dossiers(client)
    manager = client("manager")
    for params in (
        {"status": "in_review"},
        {"status": "received"},
        {"q": "đông dương"},
        {"procedure": "province.opinion"},
        {"overdue": "true"},
        {"assignee": "Nguyễn Văn An"},
    ):
        listed = [d["code"] for d in ok(manager.get("/dossiers", params=params))["items"]]
        exported = [row[0] for row in csv_rows(manager.get("/reports/dossiers.csv", params=params))]
        assert exported[1:] == listed, params
    assert [r[0] for r in csv_rows(manager.get("/reports/dossiers.csv", params={"q": "đông"}))][
        1:
    ] == [accepted["code"]]
    assert manager.get("/reports/dossiers.csv", params={"due_before": "x"}).status_code == 422


def test_the_dossier_list_as_xlsx_has_date_cells(client: Client) -> None:
    """A sheet in Vietnamese, bold frozen header, widths, real date cells in DD/MM/YYYY."""
    received, accepted = two_dossiers(client)
    answer = client("leader").get("/reports/dossiers.xlsx", params={"status": "in_review"})
    book = workbook(answer)
    assert answer.headers["content-disposition"] == 'attachment; filename="ho-so-20261123.xlsx"'
    assert book.sheetnames == ["Danh sách hồ sơ"]
    sheet = book["Danh sách hồ sơ"]
    values = list(sheet.values)
    assert list(values[0]) == HEADERS and len(values) == 2
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > 20
    row = dict(zip(HEADERS, values[1], strict=True))
    assert row["Mã hồ sơ"] == accepted["code"]
    assert isinstance(row["Ngày tiếp nhận"], datetime | date)
    assert row["Ngày tiếp nhận"].date() == date(2026, 11, 23)
    assert row["Ngày hẹn trả"].date() == date.fromisoformat(accepted["due_date"])
    assert row["Ngày hoàn thành"] is None
    assert sheet.cell(row=2, column=HEADERS.index("Ngày hẹn trả") + 1).number_format == (
        "DD/MM/YYYY"
    )
    assert row["Số ngày làm việc còn lại"] == accepted["working_days_left"]


def test_text_that_looks_like_a_formula_stays_text(client: Client) -> None:
    """An applicant called "=HYPERLINK(...)" is text in the workbook and inert in the CSV."""
    evil = '=HYPERLINK("http://evil.example","click")'
    body = operation_issue(applicant={"name": evil, "country": "X", "email": "e@x.org"})
    ok(client("handler").post("/dossiers", json=body), 201)
    sheet = workbook(client("handler").get("/reports/dossiers.xlsx"))["Danh sách hồ sơ"]
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == (evil, "s")
    assert csv_rows(client("handler").get("/reports/dossiers.csv"))[1][1] == "'" + evil


def test_a_long_export_is_read_page_by_page_and_capped(
    client: Client, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of two dossiers (due dates equal, then none) give the whole list in the worklist's
    order with the same clock figures; past the cap: 413 with a reason."""
    handler = client("handler")
    created = []
    for _ in range(5):
        created.append(ok(handler.post("/dossiers", json=operation_issue()), 201))
        clock.advance(minutes=5)
    for dossier in created[3:]:
        act(handler, dossier["id"], "accept")  # the same legal due date
    pages: list[str] = []
    original = tables.after

    def spy(last: Any) -> Any:
        pages.append(last.code)
        return original(last)

    monkeypatch.setattr(tables, "PAGE_SIZE", 2)
    monkeypatch.setattr(tables, "after", spy)
    listed = ok(handler.get("/dossiers"))["items"]
    rows = csv_rows(handler.get("/reports/dossiers.csv"))[1:]
    assert [row[0] for row in rows] == [d["code"] for d in listed]
    assert pages == [listed[1]["code"], listed[3]["code"]], "three pages, each after the last"
    used = HEADERS.index("Số ngày làm việc đã dùng")
    assert [(row[used], row[used + 1]) for row in rows] == [
        (
            str(d["working_days_used"] if d["working_days_used"] is not None else ""),
            str(d["working_days_left"] if d["working_days_left"] is not None else ""),
        )
        for d in listed
    ]
    assert len(list(workbook(handler.get("/reports/dossiers.xlsx"))["Danh sách hồ sơ"].values)) == 6

    monkeypatch.setattr(tables, "MAX_ROWS", 4)
    refused = handler.get("/reports/dossiers.csv")
    assert refused.status_code == 413
    assert refused.json()["error"] == "too_large"
    assert "5 rows, more than the 4" in refused.json()["detail"]
    assert handler.get("/reports/dossiers.xlsx", params={"status": "received"}).status_code == 200
    assert handler.get("/reports/dossiers.xlsx", params={"q": "nothing"}).status_code == 200


def test_the_register_as_xlsx(client: Client, clock: Clock) -> None:
    """Form 07's rows with date cells; the period is checked; the HTML register is untouched."""
    received, accepted = two_dossiers(client)
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    answer = client("handler").get("/reports/register.xlsx", params=period)
    book = workbook(answer)
    assert answer.headers["content-disposition"] == (
        'attachment; filename="so-theo-doi-ho-so-20261101-20261130.xlsx"'
    )
    assert book.sheetnames == ["Sổ theo dõi hồ sơ"]
    values = list(book["Sổ theo dõi hồ sơ"].values)
    assert values[0][:5] == (
        "STT",
        "Mã hồ sơ",
        "Tổ chức đề nghị",
        "Thủ tục hành chính",
        "Ngày, giờ tiếp nhận",
    )
    assert [row[1] for row in values[1:]] == [received["code"], accepted["code"]]
    assert values[1][0] == 1
    assert values[1][4] == datetime(2026, 11, 23, 9, 0)  # Hà Nội time
    assert values[2][5] == datetime.combine(
        date.fromisoformat(accepted["due_date"]), datetime.min.time()
    )
    assert values[2][8] == "Đang giải quyết, trong hạn"
    december = client("manager").get(
        "/reports/register.xlsx", params={"from": "2026-12-01", "to": "2026-12-31"}
    )
    assert list(workbook(december).worksheets[0].values)[1:] == []
    backwards = client("handler").get(
        "/reports/register.xlsx", params={"from": "2026-12-01", "to": "2026-11-01"}
    )
    assert backwards.status_code == 422
    assert client("handler").get("/reports/register.xlsx").status_code == 422
    assert client("handler").get("/reports/register", params=period).status_code == 200  # form 07


def summary_sheet(book: Any) -> dict[str, Any]:
    """The summary sheet as {label: value}."""
    rows = list(book["Tổng hợp"].values)
    assert rows[0] == ("Chỉ tiêu", "Giá trị")
    return {label: value for label, value in rows[1:]}


def test_the_figures_workbook_matches_the_metrics(client: Client) -> None:
    """A sheet per table; the summary sheet equals GET /metrics/summary, with the filters."""
    import_year(client("admin"))
    manager = client("manager")
    for params in ({}, {"procedure": PO}, {"from": "2026-03-01", "to": "2026-03-31"}):
        answer = manager.get("/reports/metrics.xlsx", params=params)
        book = workbook(answer)
        assert book.sheetnames == METRICS_SHEETS
        figures = ok(manager.get("/metrics/summary", params=params))
        sheet = summary_sheet(book)
        for key, label in tables.SUMMARY_LABELS.items():
            assert sheet[label] == figures[key], (params, key)
        assert sheet["Thủ tục"] == params.get("procedure", "Tất cả")
        assert isinstance(sheet["Từ ngày"], datetime)
        months = ok(manager.get("/metrics/by-month", params=params))["items"]
        month_rows = list(book["Theo tháng"].values)[1:]
        assert [f"{row[0]:%Y-%m}" for row in month_rows] == [m["month"] for m in months]
        assert [row[1] for row in month_rows] == [m["received"] for m in months]
        procedures = list(book["Theo thủ tục"].values)[1:]
        assert [row[1] for row in procedures] == [p["procedure"] for p in figures["by_procedure"]]
    whole = workbook(manager.get("/reports/metrics.xlsx"))
    assert answer.headers["content-disposition"] == (
        'attachment; filename="thong-ke-20260301-20260331.xlsx"'
    )
    agencies = ok(manager.get("/metrics/by-agency"))["items"]
    assert [row[1] for row in list(whole["Theo cơ quan lấy ý kiến"].values)[1:]] == [
        a["agency"] for a in agencies
    ]
    risky = ok(manager.get("/metrics/at-risk"))["items"]
    at_risk = list(whole["Có nguy cơ trễ hạn"].values)[1:]
    assert [row[0] for row in at_risk] == [item["code"] for item in risky]
    assert at_risk[0][5].startswith(risky[0]["reasons"][0]["vi"])
    assert isinstance(at_risk[0][3], datetime)
    rate = next(row[1] for row in whole["Tổng hợp"].iter_rows() if row[0].value == "Tỷ lệ đúng hạn")
    assert rate.number_format == "0.0%"
    stages = list(whole["Điểm nghẽn"].values)[1:]
    assert (
        stages and stages[0][0] == ok(manager.get("/metrics/bottlenecks"))["items"][0]["title_vi"]
    )
    bad = manager.get("/reports/metrics.xlsx", params={"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 422


def test_who_may_export(client: Client) -> None:
    """Dossier list and register: handler, leader, manager, admin; figures: manager, admin."""
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    for who in ("handler", "leader", "manager", "admin"):
        assert client(who).get("/reports/dossiers.csv").status_code == 200, who
        assert client(who).get("/reports/dossiers.xlsx").status_code == 200, who
        assert client(who).get("/reports/register.xlsx", params=period).status_code == 200, who
    for who in ("manager", "admin"):
        assert client(who).get("/reports/metrics.xlsx").status_code == 200, who
    for who in ("handler", "leader", "BCA"):
        answer = client(who).get("/reports/metrics.xlsx")
        assert answer.status_code == 403 and answer.json()["error"] == "forbidden", who
    for path in ("/reports/dossiers.csv", "/reports/dossiers.xlsx"):
        assert client("BCA").get(path).status_code == 403
    assert client("BCA").get("/reports/register.xlsx", params=period).status_code == 403
    assert client("nobody").get("/reports/dossiers.csv").status_code == 401


def test_the_pages_download_the_same_files(client: Client, browser: Browser) -> None:
    """The worklist's "Tải Excel / CSV" carries its filters; signed-in pages download."""
    received, accepted = two_dossiers(client)
    handler = browser("handler")
    worklist = handler.get("/app/worklist", params={"status": "in_review"}).text
    assert 'href="/app/reports/dossiers.xlsx?status=in_review"' in worklist
    assert 'href="/app/reports/dossiers.csv?status=in_review"' in worklist
    assert "Tải" in worklist
    rows = csv_rows(
        handler.get("/app/reports/dossiers.csv", params={"status": "in_review", "q": ""})
    )
    assert [row[0] for row in rows[1:]] == [accepted["code"]]
    blank = {"status": "", "procedure": "", "assignee": "", "q": ""}
    assert (
        len(
            list(
                workbook(handler.get("/app/reports/dossiers.xlsx", params=blank))
                .worksheets[0]
                .values
            )
        )
        == 3
    )
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    assert workbook(handler.get("/app/reports/register.xlsx", params=period)).sheetnames == [
        "Sổ theo dõi hồ sơ"
    ]
    assert handler.get("/app/reports/metrics.xlsx").status_code == 403
    manager = browser("manager")
    book = workbook(manager.get("/app/reports/metrics.xlsx", params={"from": "", "procedure": ""}))
    assert summary_sheet(book)["Tiếp nhận"] == 2
    bad = manager.get("/app/reports/metrics.xlsx", params={"from": "23/11/2026"})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert browser("BCA").get("/app/reports/dossiers.csv").status_code == 403
    anonymous = browser("").get("/app/reports/dossiers.csv", follow_redirects=False)
    assert anonymous.status_code == 303 and "/app/login" in anonymous.headers["location"]
