"""Throughput of the full issuance lifecycle (in process) and API action latency (HTTP).

With `--peer spiff`, the same lifecycle also runs on SpiffWorkflow (bench/peer_spiff.py: the
process as BPMN, the workflow serialized into one SQLite row per case at every action) in its
own temporary environment with spiffworkflow pinned, in the same invocation, and the ratio of
ours to the peer's dossiers per second is printed.
Run: .venv/bin/python bench/lifecycle.py [--dossiers 200] [--http-dossiers 50] [--peer spiff]
Prints JSON figures; uses fresh SQLite files under a temporary directory, and runs
`ngo-review check` on each database the runs leave (check_ok).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import run_check  # noqa: E402

from api.app import create_app  # noqa: E402
from config.settings import Settings  # noqa: E402
from flows.engine import commands as c  # noqa: E402
from flows.engine.state import Actor  # noqa: E402
from flows.procedures.schema import Opinion, Outcome  # noqa: E402
from flows.service.admin import create_token, ensure_reference_agencies  # noqa: E402
from flows.service.handle import handle, respond  # noqa: E402
from flows.service.intake import create_dossier  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.schemas import DossierCreate  # noqa: E402

# The standing members, Huế's People's Committee and the health ministry: those the law requires.
AGENCIES = ("BCA", "BTC", "BNV", "NHNN", "BYT", "UBND-HUE")
HANDLER, LEADER = Actor("Bench Handler", "handler"), Actor("Bench Leader", "leader")
PAYLOAD = {
    "procedure": "ngo.operation.issue",
    "applicant": {"name": "Bench NGO", "country": "Norway", "email": "bench@example.org"},
    "subject": "Benchmark dossier",
    "provinces": ["Huế"],
    "activity_fields": ["health"],
    "home_registration_valid_until": "2035-12-31",
}


def one_lifecycle(engine: Engine, payload: DossierCreate, now: datetime) -> None:
    """Create, accept, consult the required agencies, their answers, propose, sign."""
    d = create_dossier(engine, payload, HANDLER, now=now)[0].id
    handle(engine, d, c.Accept(actor=HANDLER), now=now)
    view = handle(engine, d, c.Consult(actor=HANDLER, agencies=AGENCIES), now=now)
    for x in view.consultations:
        respond(
            engine,
            x.id,
            c.Respond(
                actor=Actor("o", "agency", x.agency),
                consultation_id=x.id,
                opinion=Opinion.agree,
            ),
            now=now + timedelta(days=1),
        )
    handle(
        engine,
        d,
        c.Propose(actor=HANDLER, outcome=Outcome.approve),
        now=now + timedelta(days=2),
    )
    handle(engine, d, c.Sign(actor=LEADER), now=now + timedelta(days=3))


def lifecycle_in_process(url: str, n: int) -> dict[str, float]:
    """n full lifecycles through the service layer; dossiers per second."""
    engine = make_engine(url)
    payload = DossierCreate.model_validate(PAYLOAD)
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    one_lifecycle(engine, payload, now)  # warm-up (as the peer's), not counted
    start = time.perf_counter()
    for _ in range(n):
        one_lifecycle(engine, payload, now)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return {
        "dossiers": n,
        "seconds": round(elapsed, 2),
        "dossiers_per_second": round(n / elapsed, 1),
        "commands_per_second": round(n * 11 / elapsed, 1),
    }


def http_latency(url: str, n: int) -> dict[str, float]:
    """Latency of each API call of the lifecycle over real HTTP (uvicorn on 127.0.0.1)."""
    engine = make_engine(url)
    tokens = {
        "handler": create_token(engine, role="handler", name="Bench Handler"),
        "leader": create_token(engine, role="leader", name="Bench Leader"),
    }
    tokens.update(
        {a: create_token(engine, role="agency", name=f"o-{a}", agency=a) for a in AGENCIES}
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(), engine=engine), log_level="warning", lifespan="off", ws="none"
        )
    )
    threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    clients = {
        k: httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {t}"}
        )
        for k, t in tokens.items()
    }
    samples: list[float] = []

    def timed(who: str, method: str, path: str, body: dict | None = None) -> dict:
        t0 = time.perf_counter()
        r = clients[who].request(method, path, json=body)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code in (200, 201), r.text
        return r.json()

    for _ in range(n):
        d = timed("handler", "POST", "/dossiers", PAYLOAD)["id"]
        timed("handler", "POST", f"/dossiers/{d}/actions/accept", {})
        view = timed(
            "handler", "POST", f"/dossiers/{d}/actions/consult", {"agencies": list(AGENCIES)}
        )
        for x in view["consultations"]:
            timed(x["agency"], "POST", f"/consultations/{x['id']}/response", {"opinion": "agree"})
        timed("handler", "POST", f"/dossiers/{d}/actions/propose", {"outcome": "approve"})
        timed("leader", "POST", f"/dossiers/{d}/actions/sign", {})
    server.should_exit = True
    samples.sort()
    q = statistics.quantiles(samples, n=100)
    return {
        "requests": len(samples),
        "p50_ms": round(q[49], 1),
        "p90_ms": round(q[89], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(samples[-1], 1),
    }


PEER_REQUIREMENT = "spiffworkflow==3.2.0"


def spiff_peer(tmp: Path, n: int) -> dict[str, object]:
    """bench/peer_spiff.py in a fresh venv holding only SpiffWorkflow; its JSON."""
    env_dir = tmp / "spiff-venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            PEER_REQUIREMENT,
        ],
        check=True,
    )
    script = Path(__file__).resolve().parent / "peer_spiff.py"
    done = subprocess.run(
        [str(python), str(script), "--dossiers", str(n), "--agencies", str(len(AGENCIES))]
        + ["--db", str(tmp / "peer.db")],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    result["engine"] = PEER_REQUIREMENT
    return result


def main() -> None:
    """Run the measurements on fresh SQLite files and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--http-dossiers", type=int, default=50)
    parser.add_argument("--peer", choices=("spiff",), default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, object] = {}
        if args.peer == "spiff":
            results["peer_spiff"] = spiff_peer(Path(tmp), args.dossiers)
        for name, fn, n in (
            ("lifecycle_in_process", lifecycle_in_process, args.dossiers),
            ("api_latency", http_latency, args.http_dossiers),
        ):
            url = f"sqlite:///{Path(tmp) / (name + '.db')}"
            upgrade(url)
            ensure_reference_agencies(make_engine(url))
            results[name] = fn(url, n)
            results[name]["check_ok"] = run_check(url, Path(tmp)).get("ok")  # type: ignore[index]
        if args.peer == "spiff":
            ours = results["lifecycle_in_process"]["dossiers_per_second"]  # type: ignore[index]
            peer = results["peer_spiff"]["dossiers_per_second"]  # type: ignore[index]
            results["ratio_ours_to_spiff"] = round(ours / peer, 2)
        sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
