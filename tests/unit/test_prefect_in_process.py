"""In serve/worker: one verifying SSL context, the storage answer kept, SIGTERM left alone."""

from __future__ import annotations

import ssl

import prefect.results
from prefect.client.orchestration import PrefectClient, SyncPrefectClient, get_client

from flows import prefect_in_process


def test_clients_share_one_verifying_context_and_a_callers_choice_stands() -> None:
    prefect_in_process.install()
    prefect_in_process.install()  # twice: still one wrapper
    assert PrefectClient.__init__.__wrapped__.__name__ == "__init__"  # type: ignore[attr-defined]
    first, second = SyncPrefectClient("http://127.0.0.1:9/api"), get_client()
    contexts = [c._client._transport._pool._ssl_context for c in (first, second)]  # type: ignore[attr-defined]
    assert contexts[0] is contexts[1]
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED and contexts[0].check_hostname
    own = ssl.create_default_context()
    mine = SyncPrefectClient("http://127.0.0.1:9/api", httpx_settings={"verify": own})
    assert mine._client._transport._pool._ssl_context is own  # type: ignore[attr-defined]


def test_the_default_result_storage_is_read_once_per_api_url() -> None:
    prefect_in_process.install()
    patched = prefect.results._read_server_default_result_storage_block_id
    assert patched.__wrapped__.__module__ == "prefect.results"  # type: ignore[attr-defined]
    calls: list[int] = []

    def read() -> None:
        calls.append(1)

    remembered = prefect_in_process._remembered(read)
    assert [remembered() for _ in range(5)] == [None] * 5
    assert calls == [1]


def test_a_flow_run_leaves_the_process_sigterm_handler_alone() -> None:
    import signal

    import prefect.flow_engine

    prefect_in_process.install()
    seen: list[object] = []

    def mine(*_: object) -> None:
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        with prefect.flow_engine.capture_sigterm():
            seen.append(signal.getsignal(signal.SIGTERM))
    finally:
        signal.signal(signal.SIGTERM, before)
    assert seen == [mine]
