"""SQL statements one issuance lifecycle sends (a deterministic cost figure beside the timings).

Run: .venv/bin/python bench/statements.py [--dossiers 20]
Prints JSON: statements per lifecycle (create, accept, consult 6, 6 answers, propose, sign), on a
fresh SQLite file, after one warm-up lifecycle, and the same split by command.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lifecycle import PAYLOAD, one_lifecycle  # noqa: E402

from flows.service.admin import ensure_reference_agencies  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.schemas import DossierCreate  # noqa: E402


def count(n: int) -> dict[str, Any]:
    """Statements per lifecycle over n lifecycles, and per statement verb."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/statements.db"
        upgrade(url)
        engine = make_engine(url)
        ensure_reference_agencies(engine)
        payload = DossierCreate.model_validate(PAYLOAD)
        now = datetime(2026, 11, 23, 2, tzinfo=UTC)
        one_lifecycle(engine, payload, now)
        verbs: Counter[str] = Counter()

        def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            verbs[statement.split(None, 1)[0].upper()] += 1

        event.listen(engine, "before_cursor_execute", seen)
        for _ in range(n):
            one_lifecycle(engine, payload, now)
        engine.dispose()
    total = sum(verbs.values())
    return {
        "lifecycles": n,
        "statements_per_lifecycle": round(total / n, 1),
        "by_verb": {v: round(k / n, 1) for v, k in verbs.most_common()},
    }


def main() -> None:
    """Parse arguments, count, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=20)
    sys.stdout.write(json.dumps(count(parser.parse_args().dossiers), indent=2) + "\n")


if __name__ == "__main__":
    main()
