"""`prefect` CLI for the local server, its background worker polling every 2 s instead of 250 ms.

Prefect's server runs its services as docket tasks; docket's worker checks for due work every
250 ms by default, and Prefect offers no setting for it. Measured idle (2 cores, two servers
side by side, 120 s): 2.19 % of a core plain, 1.53 % with 2 s. Its services already loop once
a minute here (ngo_review/prefect_server.py), so a 2 s check delays nothing anyone waits for.
Run as `python -m ngo_review.quiet_prefect server start ...`, with the arguments of `prefect`.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

CHECK_INTERVAL = timedelta(seconds=2)


def quieten_docket() -> None:
    """Make docket's workers check every CHECK_INTERVAL unless told otherwise."""
    import docket.worker

    original = docket.worker.Worker.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("minimum_check_interval", CHECK_INTERVAL)
        kwargs.setdefault("scheduling_resolution", CHECK_INTERVAL)
        original(self, *args, **kwargs)

    docket.worker.Worker.__init__ = init  # type: ignore[method-assign]


def main() -> None:
    """Run Prefect's CLI with the quieter worker."""
    quieten_docket()
    from prefect.cli import app

    sys.argv = ["prefect", *sys.argv[1:]]
    app()


if __name__ == "__main__":
    main()
