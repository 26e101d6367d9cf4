"""What Prefect does per flow run that a long-lived process calling flows in process must not.

- Profiled in `serve` (py-spy, demo backlog): of a dossier step's CPU, 38 % went to
  `ssl.create_default_context` (Prefect builds a new context, re-reading the CA bundle, for
  every client it creates; PrefectHQ/prefect#19106 proposes sharing one) and 29 % to reading the
  server's default result-storage block over HTTP at the start of every flow run.
- Each flow run swaps SIGTERM's handler for one that raises inside whatever runs, here the
  event loop of the whole process: a SIGTERM during a step crashed serve with a traceback and
  left the local Prefect server behind. serve and worker handle SIGTERM themselves (drain,
  cancel, so an interrupted run ends Crashed; ngo_review/shutdown.py).

`install()` shares one SSL context, built as Prefect builds it (the same settings, still
verifying), keeps the server's answer for `RESULT_STORAGE_TTL` seconds per API URL, and lets
flow runs leave SIGTERM alone.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import threading
import time
from typing import Any

RESULT_STORAGE_TTL = 300.0  # an administrator's change of the default is seen within 5 minutes

_installed = False
_lock = threading.Lock()


@functools.cache
def shared_ssl_context(insecure: bool, cert_file: str) -> ssl.SSLContext:
    """The context Prefect would build for these settings, built once."""
    if insecure:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return ssl.create_default_context(cafile=cert_file)


def _context_for_settings() -> ssl.SSLContext:
    import certifi
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_TLS_INSECURE_SKIP_VERIFY

    insecure = bool(PREFECT_API_TLS_INSECURE_SKIP_VERIFY.value())
    return shared_ssl_context(insecure, PREFECT_API_SSL_CERT_FILE.value() or certifi.where())


def _with_shared_context(init: Any) -> Any:
    @functools.wraps(init)
    def wrapper(
        self: Any, *args: Any, httpx_settings: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        settings = dict(httpx_settings or {})
        if "verify" not in settings:  # as Prefect's own setdefault: a caller's choice stands
            settings["verify"] = _context_for_settings()
        init(self, *args, httpx_settings=settings, **kw)

    return wrapper


def _remembered(read: Any) -> Any:
    answers: dict[str, tuple[float, Any]] = {}

    @functools.wraps(read)
    def wrapper() -> Any:
        from prefect.settings import get_current_settings

        url = str(get_current_settings().api.url or "")
        now = time.monotonic()
        known = answers.get(url)
        if known is not None and now - known[0] < RESULT_STORAGE_TTL:
            return known[1]
        answer = read()
        answers[url] = (now, answer)
        return answer

    return wrapper


def install() -> None:
    """Apply both, once per process (after serve has set PREFECT_API_URL)."""
    global _installed  # noqa: PLW0603 - a process-wide patch, applied once
    with _lock:
        if _installed:
            return
        import prefect.flow_engine
        import prefect.results
        from prefect.client.orchestration import PrefectClient, SyncPrefectClient

        for cls in (PrefectClient, SyncPrefectClient):
            cls.__init__ = _with_shared_context(cls.__init__)  # type: ignore[method-assign]
        prefect.results._read_server_default_result_storage_block_id = _remembered(
            prefect.results._read_server_default_result_storage_block_id
        )
        setattr(prefect.flow_engine, "capture_sigterm", contextlib.nullcontext)  # noqa: B010
        _installed = True
