"""Time from an API action to its e-mail accepted by the SMTP server, embedded setup.

Starts `ngo-review serve --demo` (local Prefect server, local SMTP sink, SQLite) in a temporary
directory, accepts N dossiers one by one, and reads when the sink stored each receipt.
Run: .venv/bin/python bench/notify.py [--samples 20] [--pause 2.0]
Prints JSON (p50, p95, max in seconds).
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes, policy
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between actions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NGO_REVIEW_", "PREFECT_"))}
        proc = subprocess.Popen(
            [sys.executable, "-m", "ngo_review.cli", "serve", "--demo", "--port", str(port)],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).json().get("prefect") == "ok":
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("serve did not come up")
                time.sleep(0.5)
            time.sleep(15)  # let the runner register and send the demo's own mail
            tokens = json.loads((Path(tmp) / "var" / "demo-tokens.json").read_text())
            handler = {"Authorization": f"Bearer {tokens['handler: Nguyễn Văn An']}"}
            sent_at: dict[str, float] = {}
            with httpx.Client(base_url=base, headers=handler, timeout=30) as client:
                for i in range(args.samples):
                    email = f"bench{i}@bench.example.org"
                    d = client.post(
                        "/dossiers",
                        json={
                            "procedure": "ngo.operation.issue",
                            "subject": f"bench {i}",
                            "applicant": {"name": "Bench", "country": "Norway", "email": email},
                            "provinces": ["Huế"],
                            "activity_fields": ["health"],
                            "home_registration_valid_until": "2035-12-31",
                        },
                    ).json()
                    sent_at[email] = time.time()
                    r = client.post(f"/dossiers/{d['id']}/actions/accept", json={})
                    assert r.status_code == 200, r.text
                    time.sleep(args.pause)
            arrived: dict[str, float] = {}
            deadline = time.monotonic() + 120
            box_path = Path(tmp) / "var" / "mail"
            while len(arrived) < len(sent_at) and time.monotonic() < deadline:
                box = mailbox.Maildir(box_path, create=False)
                for key in box.keys():
                    msg = message_from_bytes(box.get_bytes(key), policy=policy.default)
                    rcpt = str(msg["X-Envelope-To"])
                    if rcpt in sent_at and rcpt not in arrived:
                        found = list(box_path.glob(f"*/{key}*"))
                        arrived[rcpt] = found[0].stat().st_mtime
                box.close()
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    delays = sorted(arrived[e] - sent_at[e] for e in arrived)
    q = statistics.quantiles(delays, n=20) if len(delays) >= 2 else delays * 19
    sys.stdout.write(
        json.dumps(
            {
                "samples": len(sent_at),
                "delivered": len(delays),
                "p50_seconds": round(statistics.median(delays), 2) if delays else None,
                "p95_seconds": round(q[18], 2) if delays else None,
                "max_seconds": round(delays[-1], 2) if delays else None,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
