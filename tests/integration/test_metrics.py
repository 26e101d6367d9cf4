"""Monitoring figures of an imported year, worked out by hand, and of a live dossier.

Today is Monday 23 November 2026 (the `clock` fixture), so the default period is
1 January – 23 November 2026. The working-day calendar of 2026 (holidays.VN and
flows/calendar_data/2026.toml) has: 1/1 off; Fri 2/1 off and Saturday 10/1 worked (the New
Year swap); Tết Mon 16 – Fri 20 Feb off; Hùng Kings Mon 27/4 off; Thu 30/4 and Fri 1/5 off;
Saturday 22/8 worked and Mon 31/8 off (swap), 1–2/9 off; Tue 24/11 off (Vietnam Cultural
Day). A period "counts from the working day after" its start: N WD after day d is the N-th
working day > d.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import select

from flows.calendar import WorkingCalendar
from flows.service.metrics.counters import expand
from flows.service.metrics.facts import Key, dossier_keys
from flows.service.metrics.record import stage_counts
from models.consultation import Consultation
from models.db import read_session
from models.dossier import Dossier
from models.metric_count import MetricCount
from models.stage_time import StageTime
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

CAL = WorkingCalendar()
HEADER = (
    "code,procedure,applicant_name,applicant_country,applicant_email,subject,received_at,"
    "accepted_at,outcome,decided_at,stopped_working_days,extended"
)
OP, PO = "ngo.operation.issue", "province.opinion"
# Required for operation_issue() besides BCA and BTC: the standing agencies BNV and NHNN, the
# People's Committees of Quảng Trị and Huế, the ministry of water and sanitation.
OTHERS = ("BNV", "NHNN", "UBND-QT", "UBND-HUE", "BNNMT")


def _dossier(code: str, procedure: str, n: str, *rest: str) -> str:
    return ",".join([code, procedure, f"NGO {n}", "Norway", f"ngo{n}@example.org", "s", *rest])


DOSSIERS = "\n".join(
    [
        HEADER,
        # D0 received in 2025, signed in the period: accepted Tue 16/12/2025, due Wed 28/1/2026
        # (the New Year swap moves no day of the count past 10/1); signed Thu 22/1: Dec 17-19
        # (3), 22-26 (8), 29-31 (11), [1/1, 2/1 off], Jan 5-9 (16), Sat 10/1 worked (17), 12-16
        # (22), 19-22 (26) → 26 WD, early.
        _dossier("", OP, "0", "2025-12-15", "2025-12-16", "approved", "2026-01-22", "", ""),
        # D1 across Tết: accepted Thu 29/1 14:00 (+07:00). 30 WD: Fri 30/1 (1), Feb 2-6 (6),
        # Feb 9-13 (11), [Tết Mon 16 - Fri 20 Feb: 0], Feb 23-27 (16), Mar 2-6 (21), Mar 9-13
        # (26), Mar 16-19 (30) → due Thu 19/3 (without Tết it would be Thu 12/3). Signed on
        # 19/3 → on time, 30 WD used.
        _dossier(
            "UBCT-PCPNN-20260128-0001",
            OP,
            "1",
            "2026-01-28T09:30:00",
            "2026-01-29T14:00:00+07:00",
            "approved",
            "2026-03-19",
            "",
            "",
        ),
        # D2: accepted Tue 3/3 (09:00 local, given in UTC); due Tue 14/4; signed Fri 10/4:
        # Mar 4-6 (3), 9-13 (8), 16-20 (13), 23-27 (18), Mar 30-Apr 3 (23), Apr 6-10 (28) →
        # 28 WD, early.
        _dossier(
            "UBCT-PCPNN-20260302-0001",
            OP,
            "2",
            "2026-03-02",
            "2026-03-03T02:00:00Z",
            "approved",
            "2026-04-10",
            "",
            "",
        ),
        # D3 across Hùng Kings and 30/4-1/5: accepted Thu 2/4. Apr 3 (1), 6-10 (6), 13-17 (11),
        # 20-24 (16), [27/4 off], 28-29 (18), [30/4, 1/5 off], May 4-8 (23), 11-15 (28), 18-19
        # (30) → due Tue 19/5; signed Thu 21/5 → 32 WD, late.
        _dossier(
            "UBCT-PCPNN-20260401-0001",
            OP,
            "3",
            "2026-04-01",
            "2026-04-02",
            "approved",
            "2026-05-21",
            "",
            "",
        ),
        # D4 extended: accepted Mon 1/6, due Mon 13/7; signed Fri 10/7 (29 WD) but an extension
        # letter was sent → late.
        _dossier("", OP, "4", "2026-06-01", "2026-06-01", "approved", "2026-07-10", "", "true"),
        # D5 refused, clock stopped 5 WD, across the August swap: accepted Tue 4/8, due = 35 WD:
        # Aug 5-7 (3), 10-14 (8), 17-21 (13), Sat 22/8 worked (14), 24-28 (19), [31/8, 1-2/9
        # off], Sep 3-4 (21), 7-11 (26), 14-18 (31), 21-24 (35) → Thu 24/9; signed 24/9 → on
        # time; 35 − 5 = 30 WD used.
        _dossier("", OP, "5", "2026-08-03", "2026-08-04", "refused", "2026-09-24", "5", ""),
        # D6 withdrawn on 20/5 (its open request to BYT is cancelled).
        _dossier(
            "UBCT-PCPNN-20260504-0001",
            OP,
            "6",
            "2026-05-04",
            "2026-05-05",
            "withdrawn",
            "2026-05-20",
            "",
            "",
        ),
        # D7 refused at intake on 3/7.
        _dossier("", OP, "7", "2026-07-01", "", "rejected_at_intake", "2026-07-03", "", ""),
        # D8 pending, overdue: accepted Tue 8/9, due Tue 20/10 < today.
        _dossier("UBCT-PCPNN-20260907-0001", OP, "8", "2026-09-07", "2026-09-08", "", "", "", ""),
        # D9 pending, at risk: accepted Tue 13/10, due Wed 25/11: 1 WD left (24/11 is off).
        _dossier("", OP, "9", "2026-10-12", "2026-10-13", "", "", "", ""),
        # D10 pending, never accepted (in time); same day as D11, so its code is ...-0002.
        _dossier("", OP, "10", "2026-11-02", "", "", "", "", ""),
        # D11 pending: accepted Tue 3/11, due Wed 16/12 (16 WD left); waits for BTC.
        _dossier("UBCT-PCPNN-20261102-0001", OP, "11", "2026-11-02", "2026-11-03", "", "", "", ""),
        # D12 pending: accepted Tue 20/10, due Wed 2/12 (6 WD left); BNV is overdue.
        _dossier("UBCT-PCPNN-20261019-0001", OP, "12", "2026-10-19", "2026-10-20", "", "", "", ""),
        # P1 provincial opinion (10 WD): accepted Mon 5/1; Jan 6-9 (4), Sat 10/1 worked (5),
        # 12-16 (10) → due Fri 16/1 (Mon 19/1 before the New Year swap); signed Fri 16/1 → 10
        # WD, on time (it was 9 WD, early, without the swap).
        _dossier(
            "SNGV-QT-20260105-0001",
            PO,
            "P1",
            "2026-01-05",
            "2026-01-05",
            "approved",
            "2026-01-16",
            "",
            "",
        ),
        # P2 across Tết: accepted Fri 13/2; [16-20/2 off], Feb 23-27 (5), Mar 2-6 (10) → due
        # Fri 6/3; signed Mon 9/3 → 11 WD, late.
        _dossier("", PO, "P2", "2026-02-12", "2026-02-13", "approved", "2026-03-09", "", ""),
    ]
)

CONSULTATIONS = "\n".join(
    [
        "dossier_code,agency,requested_at,due_date,answered_at,opinion",
        # D1: requested Mon 2/2; 10 WD: Feb 3-6 (4), 9-13 (9), [Tết], Mon 23/2 (10) → due 23/2.
        "UBCT-PCPNN-20260128-0001,BCA,2026-02-02,,2026-02-23,agree",  # on time, 10 WD
        "UBCT-PCPNN-20260128-0001,BTC,2026-02-02,,2026-02-25,agree_with_conditions",  # late, 12
        # D2: requested Wed 4/3, due Wed 18/3.
        "UBCT-PCPNN-20260302-0001,BCA,2026-03-04,,2026-03-13,agree",  # on time, 7 WD
        "UBCT-PCPNN-20260302-0001,BTC,2026-03-04,,2026-03-20,agree",  # late, 12 WD
        # D3: requested Fri 3/4, due Fri 17/4.
        "UBCT-PCPNN-20260401-0001,BCA,2026-04-03,,2026-04-17,agree",  # on time, 10 WD
        "UBCT-PCPNN-20260401-0001,BTC,2026-04-03,,2026-04-16,object",  # on time, 9 WD
        "UBCT-PCPNN-20260504-0001,BYT,2026-05-06,,,",  # cancelled by the withdrawal
        "UBCT-PCPNN-20260907-0001,BNV,2026-09-09,,,",  # open, due 23/9 (D8 itself is late)
        "UBCT-PCPNN-20261102-0001,BCA,2026-11-18,,,",  # open, due Thu 3/12
        "UBCT-PCPNN-20261102-0001,BTC,2026-11-18,,,",  # open, due Thu 3/12
        "UBCT-PCPNN-20261019-0001,BNV,2026-10-22,,,",  # open, due Thu 5/11: overdue
        # P1: requested Tue 6/1; 5 WD: Jan 7-9 (3), Sat 10/1 worked (4), Mon 12/1 (5) → due
        # Mon 12/1 (Tue 13/1 before the New Year swap).
        "SNGV-QT-20260105-0001,CA-QT,2026-01-06,,,deemed_consent",  # silence: 5 WD step
        "SNGV-QT-20260105-0001,STC-QT,2026-01-06,2026-01-13,2026-01-09,agree",  # 3 WD
    ]
)


def import_year(admin: httpx.Client) -> Any:
    """The data set above, through the real HTTP API."""
    return ok(
        admin.post(
            "/imports/dossiers",
            files={
                "dossiers": ("dossiers.csv", DOSSIERS.encode(), "text/csv"),
                "consultations": ("consultations.csv", CONSULTATIONS.encode(), "text/csv"),
            },
        )
    )


def recount(engine: Engine) -> dict[tuple[Any, ...], int]:
    """The counters as they should be, recomputed from every row (tests only)."""
    with read_session(engine) as session:
        expected: Counter[Key] = Counter()
        for row in session.exec(select(Dossier)).all():
            requests = session.exec(select(Consultation).where(Consultation.dossier_id == row.id))
            expected.update(dossier_keys(row, list(requests)))
        expected.update(stage_counts(session.exec(select(StageTime)).all()))
    return {key: n for key, n in expand(expected).items() if n}


def stored_counts(engine: Engine) -> dict[tuple[Any, ...], int]:
    """The counters in the database (rows that add up to zero left out)."""
    with read_session(engine) as session:
        rows = session.exec(select(MetricCount)).all()
        return {
            (
                r.fact,
                r.grain,
                r.day,
                r.procedure,
                r.receiving_agency,
                r.agency,
                r.category,
                r.timeliness,
                r.working_days,
            ): r.count
            for r in rows
            if r.count
        }


def test_the_working_days_worked_out_by_hand_match_the_calendar() -> None:
    """The day counting of the comments above, on the real calendar."""
    assert CAL.add_working_days(date(2026, 1, 29), 30) == date(2026, 3, 19)  # across Tết
    assert CAL.add_working_days(date(2026, 2, 2), 10) == date(2026, 2, 23)
    assert CAL.add_working_days(date(2026, 4, 2), 30) == date(2026, 5, 19)
    assert CAL.add_working_days(date(2026, 8, 4), 35) == date(2026, 9, 24)  # swap Saturday
    assert CAL.working_days_between(date(2025, 12, 16), date(2026, 1, 22)) == 26
    assert CAL.working_days_between(date(2026, 11, 23), date(2026, 11, 25)) == 1
    assert CAL.add_working_days(date(2026, 2, 13), 10) == date(2026, 3, 6)
    # The New Year swap: Fri 2/1/2026 off, Sat 10/1/2026 worked.
    assert CAL.add_working_days(date(2025, 12, 16), 30) == date(2026, 1, 28)
    assert CAL.add_working_days(date(2026, 1, 5), 10) == date(2026, 1, 16)
    assert CAL.working_days_between(date(2026, 1, 5), date(2026, 1, 16)) == 10
    assert CAL.add_working_days(date(2026, 1, 6), 5) == date(2026, 1, 12)


def test_figures_of_an_imported_year(client: Client, engine: Engine) -> None:
    """Every metrics route on the imported data set, against the figures worked out above."""
    report = import_year(client("admin"))
    assert report == {
        "dossiers": 15,
        "consultations": 13,
        "dry_run": False,
        "by_status": {
            "approved": 7,
            "refused": 1,
            "withdrawn": 1,
            "rejected_at_intake": 1,
            "in_review": 4,
            "received": 1,
        },
    }
    manager = client("manager")
    summary = ok(manager.get("/metrics/summary"))
    # Received in 2026: all but D0 (14). Signed in the period: D0, D2 early; D1, D5, P1 on
    # time (P1 on its due date since the New Year swap); D3, D4 (extended), P2 late. Pending
    # today: D8 (overdue), D9, D10, D11, D12.
    # Working days used, sorted: 10, 11, 26, 28, 29, 30, 30, 32; nearest rank: median =
    # value 4 of 8 = 28, p90 = value ceil(7.2) = 8 → 32.
    top = {k: v for k, v in summary.items() if not k.startswith("by_")}
    assert top == {
        "received": 14,
        "completed": 8,
        "completed_early": 2,
        "completed_on_time": 3,
        "completed_late": 3,
        "withdrawn": 1,
        "rejected_at_intake": 1,
        "pending": 5,
        "pending_in_time": 4,
        "pending_overdue": 1,
        "on_time_rate": 0.625,
        "median_working_days": 28,
        "p90_working_days": 32,
    }
    operation, opinion = summary["by_procedure"]
    assert operation["procedure"] == OP and opinion["procedure"] == PO
    assert operation["title_en"].startswith("Issue an operation registration certificate")
    # ngo.operation.issue: 26, 28, 29, 30, 30, 32 → median value 3 = 29, p90 value 6 = 32.
    assert {k: operation[k] for k in top} == {
        "received": 12,
        "completed": 6,
        "completed_early": 2,
        "completed_on_time": 2,
        "completed_late": 2,
        "withdrawn": 1,
        "rejected_at_intake": 1,
        "pending": 5,
        "pending_in_time": 4,
        "pending_overdue": 1,
        "on_time_rate": 0.6667,
        "median_working_days": 29,
        "p90_working_days": 32,
    }
    assert {k: opinion[k] for k in top} == {
        "received": 2,
        "completed": 2,
        "completed_early": 0,
        "completed_on_time": 1,
        "completed_late": 1,
        "withdrawn": 0,
        "rejected_at_intake": 0,
        "pending": 0,
        "pending_in_time": 0,
        "pending_overdue": 0,
        "on_time_rate": 0.5,
        "median_working_days": 10,
        "p90_working_days": 11,
    }
    receivers = {r["receiving_agency"]: r for r in summary["by_receiving_agency"]}
    assert sorted(receivers) == ["SNGV-QT", "UBCT-PCPNN"]
    assert {k: receivers["UBCT-PCPNN"][k] for k in top} == {k: operation[k] for k in top}
    assert receivers["SNGV-QT"]["completed"] == 2
    assert receivers["UBCT-PCPNN"]["name_en"] == "Committee for Foreign NGO Affairs"
    # Per consulted agency, requests made in the period. BCA: D1 10, D2 7, D3 10 WD, D11
    # open → median of 7, 10, 10 = 10. BTC: D1 12 (late), D2 12 (late), D3 9, D11 open →
    # median 12. BYT: D6's request, cancelled. CA-QT: deemed consent. STC-QT: 3 WD.
    assert summary["by_agency"] == [
        {
            "agency": "BCA",
            "requests": 4,
            "answered_on_time": 3,
            "answered_late": 0,
            "deemed_consent": 0,
            "pending": 1,
            "median_response_working_days": 10,
        },
        {
            "agency": "BNV",
            "requests": 2,
            "answered_on_time": 0,
            "answered_late": 0,
            "deemed_consent": 0,
            "pending": 2,
            "median_response_working_days": None,
        },
        {
            "agency": "BTC",
            "requests": 4,
            "answered_on_time": 1,
            "answered_late": 2,
            "deemed_consent": 0,
            "pending": 1,
            "median_response_working_days": 12,
        },
        {
            "agency": "BYT",
            "requests": 1,
            "answered_on_time": 0,
            "answered_late": 0,
            "deemed_consent": 0,
            "pending": 0,
            "median_response_working_days": None,
        },
        {
            "agency": "CA-QT",
            "requests": 1,
            "answered_on_time": 0,
            "answered_late": 0,
            "deemed_consent": 1,
            "pending": 0,
            "median_response_working_days": None,
        },
        {
            "agency": "STC-QT",
            "requests": 1,
            "answered_on_time": 1,
            "answered_late": 0,
            "deemed_consent": 0,
            "pending": 0,
            "median_response_working_days": 3,
        },
    ]

    months = {m["month"]: m for m in ok(manager.get("/metrics/by-month"))["items"]}
    assert list(months) == [f"2026-{m:02d}" for m in range(1, 12)]
    assert [months[m]["received"] for m in months] == [2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    assert [months[m]["completed"] for m in months] == [2, 0, 2, 1, 1, 0, 1, 0, 1, 0, 0]
    # January: D0 (26) early and P1 (10) on time; March: P2 late (11), D1 on time (30).
    assert months["2026-01"] == {
        "month": "2026-01",
        "received": 2,
        "completed": 2,
        "completed_early": 1,
        "completed_on_time": 1,
        "completed_late": 0,
        "withdrawn": 0,
        "rejected_at_intake": 0,
        "on_time_rate": 1.0,
        "median_working_days": 10,
        "p90_working_days": 26,
    }
    assert (months["2026-03"]["on_time_rate"], months["2026-03"]["median_working_days"]) == (
        0.5,
        11,
    )
    assert months["2026-05"]["withdrawn"] == 1 and months["2026-07"]["rejected_at_intake"] == 1
    assert months["2026-05"]["on_time_rate"] == 0.0 and months["2026-02"]["on_time_rate"] is None

    agencies = {a["agency"]: a for a in ok(manager.get("/metrics/by-agency"))["items"]}
    assert {k: agencies["BTC"][k] for k in ("requests", "answered_late", "pending")} == {
        "requests": 4,
        "answered_late": 2,
        "pending": 1,
    }
    assert agencies["BTC"]["p90_response_working_days"] == 12
    assert agencies["BTC"]["on_time_rate"] == 0.3333  # 1 of 3 ended requests
    assert (agencies["BTC"]["history_requests"], agencies["BTC"]["history_late_share"]) == (
        3,
        0.6667,
    )
    assert agencies["BYT"]["cancelled"] == 1 and agencies["BYT"]["on_time_rate"] is None
    assert agencies["CA-QT"]["history_late_share"] == 1.0  # silence past the due date
    assert agencies["BCA"]["name_en"] == "Ministry of Public Security"

    # Steps: intake (receipt → acceptance) of the 12 dossiers accepted in 2026: D4 and P1 on
    # the day (0), ten others the next working day (1). Consultations answered or deemed:
    # 3, 5, 7, 9, 10, 10, 12, 12 → median value 4 = 9, p90 value 8 = 12.
    steps = ok(manager.get("/metrics/bottlenecks"))
    assert [
        (s["stage"], s["count"], s["median_working_days"], s["p90_working_days"])
        for s in steps["items"]
    ] == [("consultation", 8, 9, 12), ("intake", 12, 1, 1)]
    assert [
        (s["agency"], s["count"], s["median_working_days"], s["max_working_days"])
        for s in steps["consultation_by_agency"]
    ] == [("BTC", 3, 12, 12), ("BCA", 3, 10, 10), ("CA-QT", 1, 5, 5), ("STC-QT", 1, 3, 3)]

    # Predicted late (today 23/11): D9, 1 WD left (≤ 3); D12 waits for BNV, due 5/11; D11
    # waits for BTC, late 2 of 3 times, due Thu 3/12, only 9 WD before D11's due date (Dec 4,
    # 7-11, 14-16). D8 is already late (pending_overdue), D10 has no due date yet.
    risky = ok(manager.get("/metrics/at-risk"))
    assert risky["total"] == 3
    assert [
        (r["code"], r["due_date"], r["working_days_left"], r["reason_code"]) for r in risky["items"]
    ] == [
        ("UBCT-PCPNN-20261012-0001", "2026-11-25", 1, "deadline_near"),
        ("UBCT-PCPNN-20261019-0001", "2026-12-02", 6, "consultation_overdue"),
        ("UBCT-PCPNN-20261102-0001", "2026-12-16", 16, "agency_often_late"),
    ]
    late_agency = risky["items"][2]
    assert late_agency["reason_en"] == (
        "BTC often answers late (2 of 3 requests); its answer is due 2026-12-03, only 9 "
        "working days before the due date"
    )
    assert late_agency["reason_vi"].startswith("BTC thường trả lời muộn (2/3 lần)")
    assert [r["agency"] for r in late_agency["reasons"]] == ["BTC"]
    assert risky["items"][0]["reason_vi"] == "Còn 1 ngày làm việc đến ngày hẹn trả 25/11/2026"
    assert risky["items"][1]["reasons"][0]["agency"] == "BNV"

    assert stored_counts(engine) == recount(engine)


def test_filters_by_period_procedure_and_receiving_agency(client: Client) -> None:
    """from/to across whole and partial months; a procedure; a receiving agency."""
    import_year(client("admin"))
    manager = client("manager")
    # 10/1 – 15/3: received D1 (28/1), P2 (12/2), D2 (2/3); signed D0 (22/1, early), P1
    # (16/1, on time since the New Year swap), P2 (9/3, late). Pending at the end of 15/3: D2
    # (due 14/4, in time) and D1 (signed 19/3, after the period; due 19/3, in time).
    part = ok(manager.get("/metrics/summary", params={"from": "2026-01-10", "to": "2026-03-15"}))
    assert (part["received"], part["completed"], part["completed_early"]) == (3, 3, 1)
    assert (part["completed_late"], part["pending"], part["pending_overdue"]) == (1, 2, 0)
    # March: D1 on time, P2 late; at the end of 31/3 only D2 is pending.
    march = ok(manager.get("/metrics/summary", params={"from": "2026-03-01", "to": "2026-03-31"}))
    assert (march["received"], march["completed"], march["pending"]) == (1, 2, 1)
    spring = ok(manager.get("/metrics/by-month", params={"from": "2026-03-10", "to": "2026-05-02"}))
    assert [m["month"] for m in spring["items"]] == ["2026-03", "2026-04", "2026-05"]

    opinion = ok(manager.get("/metrics/summary", params={"procedure": PO}))
    assert (opinion["received"], opinion["completed"], opinion["pending"]) == (2, 2, 0)
    assert [p["procedure"] for p in opinion["by_procedure"]] == [PO]
    assert [a["agency"] for a in opinion["by_agency"]] == ["CA-QT", "STC-QT"]
    by_receiver = ok(manager.get("/metrics/summary", params={"receiving_agency": "SNGV-QT"}))
    assert {k: v for k, v in by_receiver.items() if k != "by_receiving_agency"} == {
        k: v for k, v in opinion.items() if k != "by_receiving_agency"
    }
    committee = ok(manager.get("/metrics/at-risk", params={"receiving_agency": "SNGV-QT"}))
    assert committee == {"items": [], "total": 0}
    assert ok(manager.get("/metrics/at-risk", params={"limit": 1, "offset": 1}))["total"] == 3
    assert ok(manager.get("/metrics/bottlenecks", params={"procedure": PO}))["items"][0] == {
        "stage": "consultation",
        "agency": None,
        "title_vi": "Lấy ý kiến cơ quan (gửi đến khi trả lời)",
        "title_en": "Consultation (request to answer)",
        "count": 2,
        "median_working_days": 3,
        "p90_working_days": 5,
        "max_working_days": 5,
    }
    bad = manager.get("/metrics/summary", params={"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 422 and "after" in bad.json()["detail"]
    unknown = manager.get("/metrics/summary", params={"procedure": "ngo.unknown"})
    assert unknown.status_code == 422 and "ngo.operation.issue" in unknown.json()["detail"]


def test_only_managers_and_administrators_read_the_figures(client: Client) -> None:
    """Managers and admins read every route; handlers, leaders and agencies get 403."""
    routes = ("summary", "by-month", "by-agency", "bottlenecks", "at-risk")
    for who in ("manager", "admin"):
        for route in routes:
            assert client(who).get(f"/metrics/{route}").status_code == 200, (who, route)
    for who in ("handler", "leader", "BCA"):
        for route in routes:
            answer = client(who).get(f"/metrics/{route}")
            assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
    assert client("nobody").get("/metrics/summary").status_code == 401


def test_a_live_dossier_counts_like_any_other(client: Client, clock: Clock, engine: Engine) -> None:
    """Created, accepted, consulted, answered, proposed, returned, proposed, signed."""
    handler, leader = client("handler"), client("leader")
    dossier = ok(handler.post("/dossiers", json=operation_issue()), 201)
    clock.set(2026, 11, 23, 10, 0)
    # Accepted Mon 23/11: due Wed 6/1/2027 (24/11 and 1/1 are off).
    d = act(handler, dossier["id"], "accept")
    assert d["legal_due_date"] == "2027-01-06"
    clock.set(2026, 11, 25, 9, 0)
    # Requested Wed 25/11: 10 WD → due Wed 9/12.
    act(handler, dossier["id"], "consult", {"agencies": ["BCA", "BTC"]})
    # The other agencies the law requires (the default: those not yet asked), the same day.
    d = act(handler, dossier["id"], "consult")
    requests = {c["agency"]: c["id"] for c in d["consultations"]}
    assert sorted(requests) == sorted(["BCA", "BTC", *OTHERS])
    clock.set(2026, 12, 2, 9, 0)  # BCA and the others: Nov 26, 27, 30, Dec 1, 2 → 5 WD, on time
    for agency in ("BCA", *OTHERS):
        ok(
            client(agency).post(
                f"/consultations/{requests[agency]}/response", json={"opinion": "agree"}
            )
        )
    clock.set(2026, 12, 10, 9, 0)  # BTC: 11 WD, a day late
    ok(client("BTC").post(f"/consultations/{requests['BTC']}/response", json={"opinion": "agree"}))
    clock.set(2026, 12, 11, 9, 0)  # drafting: from the last answer (10/12) to 11/12, 1 WD
    act(handler, dossier["id"], "propose", {"outcome": "approve", "validity_years": 3})
    clock.set(2026, 12, 11, 15, 0)
    act(leader, dossier["id"], "return", {"comment": "Check the provinces"})
    clock.set(2026, 12, 14, 9, 0)  # drafting again: from the return (11/12) to 14/12, 1 WD
    act(handler, dossier["id"], "propose", {"outcome": "approve", "validity_years": 3})
    clock.set(2026, 12, 15, 9, 0)  # signature: 14/12 → 15/12, 1 WD
    signed = act(leader, dossier["id"], "sign")
    # From the working day after acceptance to the signature: Nov 25-27 (3), Nov 30 - Dec 4
    # (8), Dec 7-11 (13), Dec 14-15 (15) → 15 WD, early.
    assert signed["decision"]["working_days_used"] == 15

    summary = ok(client("manager").get("/metrics/summary"))
    assert (summary["received"], summary["completed"], summary["completed_early"]) == (1, 1, 1)
    assert (summary["pending"], summary["on_time_rate"], summary["median_working_days"]) == (
        0,
        1.0,
        15,
    )
    agencies = sorted(["BCA", "BTC", *OTHERS])
    assert [
        (a["agency"], a["answered_on_time"], a["answered_late"]) for a in summary["by_agency"]
    ] == [(a, 0, 1) if a == "BTC" else (a, 1, 0) for a in agencies]
    assert [a["median_response_working_days"] for a in summary["by_agency"]] == [
        11 if a == "BTC" else 5 for a in agencies
    ]
    steps = {s["stage"]: s for s in ok(client("manager").get("/metrics/bottlenecks"))["items"]}
    assert {name: (s["count"], s["median_working_days"]) for name, s in steps.items()} == {
        "consultation": (7, 5),
        "drafting": (2, 1),
        "signature": (1, 1),
        "intake": (1, 0),
    }
    with read_session(engine) as session:
        row = session.get(Dossier, dossier["id"])
        assert row is not None
        assert (row.received_on, row.completed_on, row.receiving_agency) == (
            date(2026, 11, 23),
            date(2026, 12, 15),
            "UBCT-PCPNN",
        )
        assert (row.working_days_used, row.timeliness, row.imported) == (15, "early", False)
    assert stored_counts(engine) == recount(engine)


def test_the_migration_backfills_what_the_write_path_stores(database_url: str) -> None:
    """Downgrade below 0005 and upgrade again: the same dates, steps and counters."""
    from datetime import datetime, timedelta

    from alembic import command

    from flows.engine import commands as c
    from flows.engine.state import Actor
    from flows.procedures.schema import Opinion, Outcome
    from flows.service.admin import ensure_reference_agencies
    from flows.service.handle import handle, respond
    from flows.service.intake import create_dossier
    from models.db import make_engine
    from models.migrate import alembic_config, upgrade
    from models.schemas import DossierCreate
    from tests.conftest import VN

    engine = make_engine(database_url)
    ensure_reference_agencies(engine)
    handler, leader = Actor("An", "handler"), Actor("Cường", "leader")
    start = datetime(2026, 11, 23, 9, tzinfo=VN)
    payload = DossierCreate.model_validate(operation_issue())
    for n in range(3):
        dossier = create_dossier(engine, payload, handler, now=start)[0].id
        handle(engine, dossier, c.Accept(actor=handler), now=start)
        # The default: every agency the law requires (BCA, BTC, BNV, NHNN, UBND-QT, UBND-HUE,
        # BNNMT), all answered before the proposal.
        view = handle(engine, dossier, c.Consult(actor=handler), now=start)
        assert len(view.consultations) == 7
        for x in view.consultations:
            later = start + timedelta(days=3 if x.agency == "BCA" else 12)
            agency = Actor("o", "agency", x.agency)
            answer = c.Respond(actor=agency, consultation_id=x.id, opinion=Opinion.agree)
            respond(engine, x.id, answer, now=later)
        if n < 2:
            propose = c.Propose(actor=handler, outcome=Outcome.approve, validity_years=3)
            handle(engine, dossier, propose, now=start + timedelta(days=15))
        if n == 0:
            handle(engine, dossier, c.Sign(actor=leader), now=start + timedelta(days=16))
    withdrawn = create_dossier(engine, payload, handler, now=start)[0].id
    handle(engine, withdrawn, c.Withdraw(actor=handler, reason="no longer"), now=start)

    def stored() -> tuple[Any, ...]:
        with read_session(engine) as session:
            steps = sorted(
                (s.dossier_id, s.stage, s.agency_code or "", s.started_on, s.ended_on)
                + (s.working_days,)
                for s in session.exec(select(StageTime)).all()
            )
            dossiers = sorted(
                (d.id, d.received_on, d.receiving_agency, d.completed_on, d.working_days_used)
                for d in session.exec(select(Dossier)).all()
            )
            requests = sorted(
                (x.id, x.requested_on, x.answered_on, x.response_working_days)
                for x in session.exec(select(Consultation)).all()
            )
        return stored_counts(engine), steps, dossiers, requests

    live = stored()
    assert len(live[1]) == 3 * 8 + 2 + 1  # intake + 7 answers each, 2 drafts, 1 signature
    assert live[0] == recount(engine)
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0004")
    upgrade(database_url)
    engine = make_engine(database_url)
    assert stored() == live
    engine.dispose()
