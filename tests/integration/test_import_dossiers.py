"""Importing historical dossiers: all or nothing, dry runs, XLSX, the CLI and the admin page."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine
from sqlmodel import col, select

from models.db import make_engine, read_session
from models.dossier import Dossier, DossierSequence
from models.timer import Timer
from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import ok, operation_issue

DOSSIER_HEADER = (
    "code,procedure,applicant_name,applicant_country,subject,received_at,accepted_at,outcome,"
    "decided_at,stopped_working_days,extended"
)
# Two dossiers: one approved (accepted Mon 2/3/2026, due 14/4; signed 10/4: 28 WD, early) with
# two answers, one pending with an open request.
GOOD_DOSSIERS = "\n".join(
    [
        DOSSIER_HEADER,
        "UBCT-PCPNN-20260302-0001,ngo.operation.issue,Rivers,Norway,Water,2026-03-02,"
        "2026-03-03,approved,2026-04-10,,",
        ",ngo.operation.issue,Forests,Sweden,Trees,2026-11-02,2026-11-03,,,,",
    ]
)
GOOD_CONSULTATIONS = "\n".join(
    [
        "dossier_code,agency,requested_at,due_date,answered_at,opinion",
        "UBCT-PCPNN-20260302-0001,BCA,2026-03-04,,2026-03-13,agree",
        "UBCT-PCPNN-20260302-0001,BTC,2026-03-04,,2026-03-20,object",
    ]
)


def _files(dossiers: str, consultations: str | None = None) -> dict[str, tuple[str, bytes, str]]:
    files = {"dossiers": ("dossiers.csv", dossiers.encode(), "text/csv")}
    if consultations is not None:
        files["consultations"] = ("consultations.csv", consultations.encode(), "text/csv")
    return files


def _count(engine: Engine) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(Dossier.id)).all())


def test_bad_rows_are_reported_and_nothing_is_imported(client: Client, engine: Engine) -> None:
    """Every problem with its file, line, column and reason; no dossier is left behind."""
    dossiers = "\n".join(
        [
            "code,procedure,applicant_name,applicant_country,subject,received_at,accepted_at,"
            "outcome,decided_at",
            "X-1,ngo.operation.issue,A,Norway,s,2026-03-05,2026-03-04,approved,2026-04-01",
            "X-2,ngo.unknown,A,Norway,s,2026-03-05,,,",
            "X-3,ngo.operation.issue,A,Norway,s,05/03/2026,,,",
            "X-4,ngo.operation.issue,A,Norway,s,2026-03-05,2026-03-06,approved,",
            "X-5,ngo.operation.issue,,Norway,s,2026-03-05,,,",
            "X-6,ngo.operation.issue,A,Norway,s,2026-03-05,2026-03-06,,",
            "X-6,ngo.operation.issue,A,Norway,s,2026-03-05,,,",
            "X-7,ngo.operation.issue,A,Norway,s,2027-03-05,,,",
            "X-8,ngo.operation.issue,A,Norway,s,2026-03-05,,rejected_at_intake,2026-03-06,extra",
        ]
    )
    consultations = "\n".join(
        [
            "dossier_code,agency,requested_at,answered_at,opinion",
            "X-6,BCA,2026-03-07,2026-03-10,",
            "X-9,BCA,2026-03-07,,",
            "X-6,XYZ,2026-03-07,,",
            "X-6,BTC,2026-03-07,,deemed_consent",
        ]
    )
    answer = client("admin").post("/imports/dossiers", files=_files(dossiers, consultations))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "invalid_import" and "nothing was imported" in body["detail"]
    found = [(e["file"], e["line"], e["column"], e["reason"]) for e in body["errors"]]
    assert found == [
        ("dossiers.csv", 2, "accepted_at", "before received_at (2026-03-05)"),
        ("dossiers.csv", 3, "procedure", "unknown procedure 'ngo.unknown'"),
        (
            "dossiers.csv",
            4,
            "received_at",
            "'05/03/2026' is not a date (YYYY-MM-DD) or an ISO-8601 instant",
        ),
        ("dossiers.csv", 5, "decided_at", "required with the outcome approved"),
        ("dossiers.csv", 6, "applicant_name", "required"),
        ("dossiers.csv", 8, "code", "the code of line 7 again"),
        ("dossiers.csv", 9, "received_at", "2027-03-05 is in the future"),
        ("dossiers.csv", 10, "", "10 cells but 9 columns"),
        ("consultations.csv", 2, "opinion", "an answered request needs the agency's opinion"),
        (
            "consultations.csv",
            3,
            "dossier_code",
            "no dossier 'X-9' in the dossiers file (give a dossier a code to attach its "
            "consultations)",
        ),
        ("consultations.csv", 4, "agency", "unknown agency 'XYZ'"),
        (
            "consultations.csv",
            5,
            "opinion",
            "ngo.operation.issue never takes silence as consent",
        ),
    ]
    assert _count(engine) == 0
    header = client("admin").post(
        "/imports/dossiers",
        files=_files("procedure,applicant_name,applicant_country,subject,recieved_at\n"),
    )
    assert [(e["line"], e["column"], e["reason"]) for e in header.json()["errors"]] == [
        (1, "received_at", "missing column"),
        (1, "recieved_at", header.json()["errors"][1]["reason"]),
    ]
    assert header.json()["errors"][1]["reason"].startswith("unknown column; known: code,")
    # The clash with an existing dossier is found too, and the whole file is refused.
    ok(client("admin").post("/imports/dossiers", files=_files(GOOD_DOSSIERS)))
    again = client("admin").post("/imports/dossiers", files=_files(GOOD_DOSSIERS))
    assert [(e["line"], e["column"], e["reason"]) for e in again.json()["errors"]] == [
        (2, "code", "already used")
    ]
    assert _count(engine) == 2
    assert (
        client("manager").post("/imports/dossiers", files=_files(GOOD_DOSSIERS)).status_code == 403
    )


def test_a_dry_run_reports_and_imports_nothing(client: Client, engine: Engine) -> None:
    """The counts of what would be imported; no dossier, no sequence number, no figure."""
    answer = ok(
        client("admin").post(
            "/imports/dossiers",
            params={"dry_run": "true"},
            files=_files(GOOD_DOSSIERS, GOOD_CONSULTATIONS),
        )
    )
    assert answer == {
        "dossiers": 2,
        "consultations": 2,
        "dry_run": True,
        "by_status": {"approved": 1, "in_review": 1},
    }
    assert _count(engine) == 0
    with read_session(engine) as session:
        assert session.exec(select(DossierSequence)).all() == []
    assert ok(client("manager").get("/metrics/summary"))["received"] == 0


def test_imported_dossiers_behave_like_live_ones(client: Client, engine: Engine) -> None:
    """Codes follow the live sequence, history says imported, timers run for open ones."""
    dossiers = GOOD_DOSSIERS + "\n,ngo.operation.issue,Today,Laos,s,2026-11-23T08:00,,,,,"
    ok(client("admin").post("/imports/dossiers", files=_files(dossiers, GOOD_CONSULTATIONS)))
    live = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    assert live["code"] == "UBCT-PCPNN-20261123-0002"  # the imported one took 0001
    page = ok(client("manager").get("/dossiers", params={"q": "20260302"}))
    signed = page["items"][0]
    assert (signed["status"], signed["accepted_at"]) == ("approved", "2026-03-03T00:00:00+07:00")
    assert (signed["legal_due_date"], signed["decision"]["timeliness"]) == ("2026-04-14", "early")
    assert signed["decision"]["working_days_used"] == 28
    answers = {c["agency"]: c for c in signed["consultations"]}
    assert (answers["BCA"]["answered_late"], answers["BTC"]["answered_late"]) == (False, True)
    assert answers["BTC"]["due_date"] == "2026-03-18" and answers["BTC"]["opinion"] == "object"
    history = ok(client("manager").get(f"/dossiers/{signed['id']}/history"))
    assert [(h["action"], h["actor"], h["to_status"]) for h in history] == [
        ("import", "Quản trị", "approved")
    ]
    assert history[0]["details"]["imported"] is True and history[0]["details"]["line"] == 2
    pending = ok(client("manager").get("/dossiers", params={"q": "20261102"}))["items"][0]
    assert pending["code"] == "UBCT-PCPNN-20261102-0001"
    assert (pending["status"], pending["due_date"], pending["working_days_left"]) == (
        "in_review",
        "2026-12-16",
        16,
    )
    assert "consult" in pending["allowed_actions"]
    with read_session(engine) as session:
        kinds = session.exec(
            select(Timer.kind).where(Timer.dossier_id == pending["id"]).order_by(col(Timer.kind))
        ).all()
        row = session.get(Dossier, signed["id"])
        assert row is not None and row.imported and row.received_on == date(2026, 3, 2)
    assert kinds == ["dossier_at_risk", "dossier_late"]


def test_an_xlsx_import(client: Client, engine: Engine) -> None:
    """The same columns in a workbook, with real date cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(DOSSIER_HEADER.split(","))
    sheet.append(
        [
            "SNGV-QT-20260105-0001",
            "province.opinion",
            "Mekong Aid",
            "Germany",
            "Opinion",
            datetime(2026, 1, 5, 9, 30),
            date(2026, 1, 5),
            "approved",
            datetime(2026, 1, 16),
            None,
            False,
        ]
    )
    consultations = Workbook()
    requests = consultations.active
    assert requests is not None
    requests.append(
        ["dossier_code", "agency", "requested_at", "due_date", "answered_at", "opinion"]
    )
    requests.append(
        ["SNGV-QT-20260105-0001", "CA-QT", date(2026, 1, 6), None, None, "deemed_consent"]
    )
    files = {}
    for name, workbook in (("dossiers", book), ("consultations", consultations)):
        buffer = io.BytesIO()
        workbook.save(buffer)
        files[name] = (f"{name}.xlsx", buffer.getvalue(), "application/octet-stream")
    report = ok(client("admin").post("/imports/dossiers", files=files))
    assert (report["dossiers"], report["consultations"]) == (1, 1)
    item = ok(client("manager").get("/dossiers", params={"q": "SNGV-QT"}))["items"][0]
    assert item["received_at"] == "2026-01-05T09:30:00+07:00"
    # 6/1-16/1 with Saturday 10/1 worked for Friday 2/1 (12729/VPCP-KGVX): 10 WD, not 9.
    decision = item["decision"]
    assert decision["working_days_used"] == 10 and decision["timeliness"] == "on_time"  # due 16/1
    assert [(c["status"], c["due_date"]) for c in item["consultations"]] == [
        ("deemed_consent", "2026-01-12")  # 5 WD from Tue 6/1: 7, 8, 9, Sat 10, 12
    ]
    summary = ok(client("manager").get("/metrics/summary", params={"receiving_agency": "SNGV-QT"}))
    assert (summary["completed_on_time"], summary["by_agency"][0]["deemed_consent"]) == (1, 1)


def test_the_import_page(browser: Browser, engine: Engine) -> None:
    """An administrator checks, imports and sees the problems on the page; others cannot."""
    admin = browser("admin")
    assert "/app/admin/import" in admin.get("/app/admin").text
    form = admin.get("/app/admin/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    token = csrf_of(form.text)
    checked = admin.post(
        "/app/admin/import",
        data={"csrf_token": token, "dry_run": "1"},
        files=_files(GOOD_DOSSIERS, GOOD_CONSULTATIONS),
    )
    assert checked.status_code == 200, checked.text
    assert '<b class="dossiers">2</b>' in checked.text and "Sẽ nhập" in checked.text
    assert _count(engine) == 0
    bad = admin.post(
        "/app/admin/import",
        data={"csrf_token": token},
        files=_files(DOSSIER_HEADER + "\n,ngo.operation.issue,A,B,s,not-a-date,,,,,"),
    )
    assert bad.status_code == 422 and 'class="import-errors"' in bad.text
    assert "<code>received_at</code>" in bad.text and "not a date" in bad.text
    done = admin.post("/app/admin/import", data={"csrf_token": token}, files=_files(GOOD_DOSSIERS))
    assert done.status_code == 200 and '<b class="dossiers">2</b>' in done.text
    assert _count(engine) == 2
    no_token = admin.post("/app/admin/import", files=_files(GOOD_DOSSIERS))
    assert no_token.status_code == 403
    assert browser("manager").get("/app/admin/import").status_code == 403


def test_the_import_command(tmp_path: Path) -> None:
    """`ngo-review import FILE --consultations FILE` prints the JSON report; errors exit 2."""
    (tmp_path / "dossiers.csv").write_text(GOOD_DOSSIERS, encoding="utf-8")
    (tmp_path / "consultations.csv").write_text(GOOD_CONSULTATIONS, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(DOSSIER_HEADER + "\n,ngo.x,A,B,s,2026-01-01,,,,,")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
        "NGO_REVIEW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "NGO_REVIEW_VAR_DIR": str(tmp_path / "var"),
        "PREFECT_HOME": str(tmp_path / "pf"),
    }
    script = (
        "import sys; from typer.testing import CliRunner; from ngo_review.cli import app\n"
        "runner = CliRunner()\n"
        "for args in (sys.argv[1:4], ['import', 'bad.csv']):\n"
        "    result = runner.invoke(app, args)\n"
        "    print(result.exit_code); print(result.stdout.strip().splitlines()[-1])\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "import",
            "dossiers.csv",
            "--consultations=consultations.csv",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    good_code, good, bad_code, bad = run.stdout.strip().splitlines()[-4:]
    assert (good_code, json.loads(good)) == (
        "0",
        {
            "dossiers": 2,
            "consultations": 2,
            "dry_run": False,
            "by_status": {"approved": 1, "in_review": 1},
        },
    )
    assert bad_code == "2"
    assert json.loads(bad) == {
        "errors": [
            {
                "file": "bad.csv",
                "line": 2,
                "column": "procedure",
                "reason": "unknown procedure 'ngo.x'",
            }
        ]
    }
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    assert _count(engine) == 2
    engine.dispose()


def test_bulk_values_are_stored_as_sqlalchemy_stores_them() -> None:
    """The import's quick converters write exactly what the column types would."""
    from datetime import UTC, timedelta, timezone

    from sqlalchemy.dialects import postgresql, sqlite

    from flows.service.imports.load import converter
    from tests.conftest import VN

    table = Dossier.__table__  # type: ignore[attr-defined]
    instants = [
        datetime(2026, 3, 3, 9, 30, tzinfo=VN),
        datetime(2026, 3, 3, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 12, 31, 20, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5))),
        None,
    ]
    days = [date(1, 1, 1), date(2026, 2, 16), None]
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        for column, values in (
            (table.c.received_at, instants),
            (table.c.completed_at, instants),
            (table.c.received_on, days),
            (table.c.legal_due_date, days),
        ):
            quick = converter(column, dialect)
            usual = column.type.dialect_impl(dialect).bind_processor(dialect)
            assert [quick(v) if quick else v for v in values] == [
                usual(v) if usual else v for v in values
            ], (dialect.name, column.name)


def test_imported_certificate_dossiers_are_in_the_register(client: Client) -> None:
    """Each imported NGO dossier finds or creates its NGO (folded name and country)."""
    issue = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    dossiers = "\n".join(
        [
            DOSSIER_HEADER,
            ",ngo.operation.issue,save the rivers foundation,NORWAY,Old one,2025-03-02,,,,,",
            ",ngo.operation.issue,Forests,Sweden,Trees,2026-11-02,2026-11-03,,,,",
            ",ngo.office.issue,Forests,Sweden,Office,2026-11-02,,,,,",
        ]
    )
    ok(client("admin").post("/imports/dossiers", files=_files(dossiers)))
    page = ok(client("manager").get("/ngos"))
    assert sorted(n["name"] for n in page["items"]) == ["Forests", "Save the Rivers Foundation"]
    rivers = next(n for n in page["items"] if n["name"].startswith("Save"))
    detail = ok(client("manager").get(f"/ngos/{rivers['id']}"))
    assert sorted(d["subject"] for d in detail["dossiers"]) == ["Old one", issue["subject"]]
    forests = next(n for n in page["items"] if n["name"] == "Forests")
    assert len(ok(client("manager").get(f"/ngos/{forests['id']}"))["dossiers"]) == 2
