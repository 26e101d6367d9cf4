"""End-to-end tests reuse the HTTP and SMTP fixtures of the integration tests."""

from tests.integration.conftest import (  # noqa: F401 (fixtures are found by name)
    browser,
    client,
    logins,
    server_socket,
    server_url,
    settings,
    smtp,
    tokens,
)
