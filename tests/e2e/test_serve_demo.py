"""`ngo-review serve --demo` on a fresh directory: starts, prints tokens, serves demo data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.conftest import csrf_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_starts_with_data_and_tokens(tmp_path: Path) -> None:
    """The README's first command, minus the install: a working system with demo dossiers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ngo_review.cli", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /health in time"
            time.sleep(0.3)
        assert httpx.get(f"{base}/health", timeout=5).json()["prefect"] == "ok"
        with httpx.Client(base_url=base, timeout=10) as admin:
            form = admin.get("/app/login")
            assert admin.get("/mail").status_code == 303  # only for signed-in administrators
            signed = admin.post(
                "/app/login",
                data={
                    "username": "quan.tri.he.thong",
                    "password": "demo-password-2026",
                    "csrf_token": csrf_of(form.text),
                },
            )
            assert signed.headers["location"] == "/app/admin"
            assert admin.get("/mail").status_code == 200
        tokens = json.loads((tmp_path / "var" / "demo-tokens.json").read_text())
        manager = {"Authorization": f"Bearer {tokens['manager: Phạm Thu Dung']}"}
        page = httpx.get(f"{base}/dossiers", params={"limit": 100}, headers=manager).json()
        statuses = {d["status"] for d in page["items"]}
        assert {
            "received",
            "awaiting_supplement",
            "in_review",
            "awaiting_decision",
            "approved",
            "refused",
            "rejected_at_intake",
            "withdrawn",
        } <= statuses
        agency = {"Authorization": f"Bearer {tokens['agency: BCA']}"}
        own = httpx.get(f"{base}/consultations", headers=agency).json()
        assert own and {c["agency"] for c in own} == {"BCA"}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "Demo users" in out and "demo-password-2026" in out and "nguyen.van.an" in out
    assert f"http://127.0.0.1:{port}/docs" in out
    assert f"http://127.0.0.1:{port}/mail" in out and "Prefect UI" in out
