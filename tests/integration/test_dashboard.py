"""The manager's dashboard over HTTP: figures, charts, filters, watch lists and who sees it.

The data set is the imported year of `test_metrics.py` (today: Monday 23 November 2026).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from xml.etree import ElementTree

from sqlalchemy import Engine

from flows.service.metrics.filters import MetricsFilters
from flows.service.metrics_charts import pending_by_age, processing_time_histogram
from tests.conftest import Clock
from tests.integration.conftest import Browser, Client
from tests.integration.helpers import act, answer_all, ok, operation_issue
from tests.integration.test_metrics import OP, PO, import_year

SVG = re.compile(r"<svg class=\"chart chart-(?P<kind>[a-z]+)\".*?</svg>", re.S)


def figure(html: str, name: str) -> str:
    """The big number of one headline figure."""
    match = re.search(rf'id="figure-{name}"><span class="name">[^<]*</span><b>([^<]*)', html)
    assert match, f"no figure {name}"
    return match.group(1).strip()


def charts(html: str) -> dict[str, Any]:
    """Each chart's SVG, parsed, by its section id."""
    found = {}
    for section in re.finditer(r'<section class="card chart-card" id="chart-([a-z-]+)"', html):
        svg = SVG.search(html, section.end())
        assert svg, section.group(1)
        found[section.group(1)] = ElementTree.fromstring(svg.group(0))
    return found


def between(html: str, start: str, end: str) -> str:
    """The part of the page from one heading to the next."""
    return html[html.index(start) : html.index(end)]


def test_the_dashboard_shows_the_periods_figures_and_charts(
    client: Client, browser: Browser
) -> None:
    """Headline figures equal GET /metrics/summary; four accessible SVG charts with tables."""
    import_year(client("admin"))
    figures = ok(client("manager").get("/metrics/summary"))
    page = browser("manager").get("/app/dashboard")
    assert page.status_code == 200
    html = page.text
    assert figure(html, "received") == str(figures["received"])
    assert figure(html, "completed") == str(figures["completed"])
    assert figure(html, "on-time") == f"{figures['on_time_rate'] * 100:.1f}%".replace(".", ",")
    assert figure(html, "working-days") == str(figures["median_working_days"])
    assert f"/ {figures['p90_working_days']}</small>" in html
    assert figure(html, "pending") == str(figures["pending"])
    assert f"trong hạn {figures['pending_in_time']}" in html
    assert f"quá hạn {figures['pending_overdue']}" in html
    assert "Kỳ báo cáo: <b>01/01/2026 – 23/11/2026</b>" in html

    drawn = charts(html)
    assert set(drawn) == {"on-time", "processing-time", "agencies", "pending-age"}
    ns = "{http://www.w3.org/2000/svg}"
    for name, svg in drawn.items():
        assert svg.get("role") == "img" and svg.get("aria-label"), name
        assert svg.find(f"{ns}title") is not None, name
        assert svg.findall(f".//{ns}rect"), name
    # On time by month: January has D0 signed early and P1 on its due date, Fri 16/1 (the New
    # Year swap, Fri 2/1 off and Sat 10/1 worked, moved it from Mon 19/1, when P1 was early).
    on_time = drawn["on-time"].get("aria-label")
    assert "01/2026: Trước hạn 1, Đúng hạn 1, Quá hạn 0 (100%)" in on_time
    assert "03/2026: Trước hạn 0, Đúng hạn 1, Quá hạn 1 (50%)" in on_time
    texts = ["".join(t.itertext()) for t in drawn["on-time"].iter(f"{ns}text")]
    assert "100%" in texts and "50%" in texts
    months = ok(client("manager").get("/metrics/by-month"))["items"]
    assert len(drawn["on-time"].findall(f".//{ns}rect")) == sum(
        bool(m["completed_early"]) + bool(m["completed_on_time"]) + bool(m["completed_late"])
        for m in months
    )
    # Processing time: 10 (P1, since the New Year swap), 11, 26, 28, 29, 30, 30, 32 working days.
    assert "0–5: 0; 6–10: 1; 11–15: 1" in drawn["processing-time"].get("aria-label")
    assert "26–30: 5; 31–35: 1" in drawn["processing-time"].get("aria-label")
    agencies = drawn["agencies"].get("aria-label")
    assert "BCA: 10 ngày · trễ 0%" in agencies and "BTC: 12 ngày · trễ 66,7%" in agencies
    assert "Chưa tiếp nhận" in drawn["pending-age"].get("aria-label")
    assert html.count("<details>") == 4 and html.count("Bảng số liệu") == 4
    assert "Bộ Công an" in between(html, 'id="chart-agencies"', 'id="chart-pending-age"')
    assert 'href="/app/reports/metrics.xlsx"' in html
    assert (
        'href="/app/reports/dossiers.xlsx"' in html and 'href="/app/reports/dossiers.csv"' in html
    )
    assert 'href="/app/reports/register.xlsx?from=2026-01-01&amp;to=2026-11-23"' in html


def test_the_charts_data_is_counted_in_the_database(
    client: Client, engine: Engine, clock: Clock
) -> None:
    """The histogram adds up to the completed decisions, the ages to the pending dossiers."""
    import_year(client("admin"))
    for filters in (
        MetricsFilters(),
        MetricsFilters(procedure=OP),
        MetricsFilters(to_date=date(2026, 6, 30)),
    ):
        params = {
            k: v
            for k, v in {
                "procedure": filters.procedure,
                "to": filters.to_date.isoformat() if filters.to_date else None,
            }.items()
            if v
        }
        figures = ok(client("manager").get("/metrics/summary", params=params))
        histogram = processing_time_histogram(engine, filters, clock.now)
        assert sum(b.count for b in histogram) == figures["completed"], filters
        ages = pending_by_age(engine, filters, clock.now)
        assert sum(b.count for b in ages) == figures["pending"], filters
    ages = {b.key: b.count for b in pending_by_age(engine, MetricsFilters(), clock.now)}
    # As of 23/11: D8 accepted 8/9 (> 30 WD), D9 13/10 (29), D12 20/10 (24), D11 3/11 (14),
    # D10 never accepted.
    assert ages == {"0-5": 0, "6-10": 0, "11-20": 1, "21-30": 2, ">30": 1, "not_accepted": 1}


def test_the_filters_change_the_figures(client: Client, browser: Browser) -> None:
    """By procedure, receiving agency and period; the choices stay selected; links follow."""
    import_year(client("admin"))
    manager = browser("manager")
    for params in (
        {"procedure": PO},
        {"receiving_agency": "SNGV-QT"},
        {"from": "2026-03-01", "to": "2026-03-31"},
        {"from": "2026-01-10", "to": "2026-03-15", "procedure": OP},
    ):
        figures = ok(client("manager").get("/metrics/summary", params=params))
        html = manager.get("/app/dashboard", params={"from": "", "to": "", **params}).text
        assert figure(html, "received") == str(figures["received"]), params
        assert figure(html, "completed") == str(figures["completed"]), params
        assert figure(html, "pending") == str(figures["pending"]), params
    html = manager.get("/app/dashboard", params={"procedure": PO, "from": "", "to": ""}).text
    assert f'<option value="{PO}" selected>' in html
    assert f'href="/app/reports/metrics.xlsx?procedure={PO}"' in html
    assert f'href="/app/reports/dossiers.xlsx?procedure={PO}"' in html
    assert "Không có hồ sơ quá hạn." in html  # D8 is an operation dossier
    march = manager.get("/app/dashboard", params={"from": "2026-03-01", "to": "2026-03-31"}).text
    assert 'value="2026-03-01"' in march and "Kỳ báo cáo: <b>01/03/2026 – 31/03/2026</b>" in march
    assert "03/2026: Trước hạn 0, Đúng hạn 1, Quá hạn 1 (50%)" in charts(march)["on-time"].get(
        "aria-label"
    )
    assert len(charts(march)["on-time"].findall(".//{http://www.w3.org/2000/svg}rect")) == 2
    assert 'id="figure-on-time"><span class="name">Tỷ lệ đúng hạn</span><b>50%' in march


def test_wrong_filters_are_explained_on_the_page(browser: Browser) -> None:
    """A period backwards, a date that is not one, an unknown procedure: 422 with the form."""
    manager = browser("manager")
    for params, words in (
        ({"from": "2026-05-01", "to": "2026-04-01"}, "after"),
        ({"from": "1/5/2026"}, "not a date"),
        ({"procedure": "ngo.unknown"}, "unknown procedure"),
    ):
        answer = manager.get("/app/dashboard", params=params)
        assert answer.status_code == 422, params
        assert "Bộ lọc chưa hợp lệ" in answer.text and words in answer.text
        assert '<form method="get" action="/app/dashboard"' in answer.text
        assert "<svg" not in answer.text


def test_the_watch_lists_link_to_the_dossiers_with_their_reasons(
    client: Client, browser: Browser
) -> None:
    """Overdue: D8; at risk: D9 (deadline near), D12 (BNV overdue), D11 (BTC often late)."""
    import_year(client("admin"))
    risky = ok(client("manager").get("/metrics/at-risk"))["items"]
    assert len(risky) == 3
    html = browser("manager").get("/app/dashboard").text
    overdue = between(html, "<h2>Hồ sơ quá hạn", "<h2>Hồ sơ có nguy cơ trễ hạn")
    late = ok(client("manager").get("/dossiers", params={"q": "UBCT-PCPNN-20260907-0001"}))
    assert f'href="/app/dossiers/{late["items"][0]["id"]}"' in overdue
    assert "Quá hạn 24 ngày" in overdue and "NGO 8" in overdue
    at_risk = between(html, "<h2>Hồ sơ có nguy cơ trễ hạn", "<h2>Hồ sơ đang giải quyết theo")
    for item in risky:
        assert f'href="/app/dossiers/{item["id"]}"' in at_risk
        assert item["reason_vi"] in at_risk
        assert f"{item['working_days_left']} ngày làm việc" in at_risk
    english = browser("manager").get("/app/dashboard", params={"lang": "en"}).text
    assert all(item["reason_en"] in english for item in risky)
    assert "On-time rate by month" in english and "Working days used" in english


def test_a_decision_moves_the_dashboard(client: Client, browser: Browser, clock: Clock) -> None:
    """Signing a live dossier adds one completed, early, in November, in the 0–5 WD bucket."""
    handler, leader = client("handler"), client("leader")
    dossier = ok(handler.post("/dossiers", json=operation_issue()), 201)
    act(handler, dossier["id"], "accept")
    answer_all(client, act(handler, dossier["id"], "consult"))  # the agencies the law requires
    act(handler, dossier["id"], "propose", {"outcome": "approve", "validity_years": 3})
    manager = browser("manager")
    before = manager.get("/app/dashboard").text
    assert figure(before, "completed") == "0" and figure(before, "on-time") == "—"
    assert figure(before, "pending") == "1"
    act(leader, dossier["id"], "sign")
    after = manager.get("/app/dashboard").text
    assert figure(after, "completed") == "1" and figure(after, "on-time") == "100%"
    assert figure(after, "pending") == "0"
    assert "11/2026: Trước hạn 1, Đúng hạn 0, Quá hạn 0 (100%)" in charts(after)["on-time"].get(
        "aria-label"
    )
    assert (
        charts(after)["processing-time"]
        .get("aria-label")
        .startswith("Phân bố thời gian giải quyết. 0–5: 1")
    )


def test_only_managers_and_admins_see_the_dashboard(browser: Browser) -> None:
    """Handlers, leaders and agencies get the 403 page; signed-out visitors sign in first."""
    assert browser("admin").get("/app/dashboard").status_code == 200
    for who in ("handler", "leader", "BCA"):
        answer = browser(who).get("/app/dashboard")
        assert answer.status_code == 403 and "text/html" in answer.headers["content-type"]
    signed_out = browser("").get("/app/dashboard", follow_redirects=False)
    assert signed_out.status_code == 303 and "/app/login" in signed_out.headers["location"]
