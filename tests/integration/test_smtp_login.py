"""Notifications reach a server that wants STARTTLS and a login; the password never leaks."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from config.settings import Settings
from notifications.delivery import deliver_once
from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue

USERNAME, PASSWORD = "ngo-review@example.gov.vn", "s3cret p@ss"
APPLICANT = "contact@savetherivers.example.org"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now (nothing secret on disk beforehand)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class SubmissionServer:
    """What the server saw: logins tried (user, password, over TLS?) and messages accepted."""

    logins: list[tuple[str, str, bool]] = field(default_factory=list)
    received: list[tuple[list[str], bool, str]] = field(default_factory=list)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        user, password = data.login.decode(), data.password.decode()
        self.logins.append((user, password, session.ssl is not None))
        return AuthResult(success=(user, password) == (USERNAME, PASSWORD))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((list(envelope.rcpt_tos), session.ssl is not None, session.login_data))
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def submission(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SubmissionServer]:
    """aiosmtpd on 127.0.0.1 offering STARTTLS, and AUTH only once the connection is TLS."""
    cert, key = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    # The app trusts the system's CAs; a private CA is added as a deployment would add it.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    state = SubmissionServer()
    controller = Controller(
        state,
        hostname="127.0.0.1",
        port=_port(),
        tls_context=tls,
        require_starttls=True,
        authenticator=state.authenticate,
        auth_require_tls=True,
        auth_required=True,
    )
    controller.start()
    settings.smtp_port = int(controller.port)
    settings.smtp_username, settings.smtp_password = USERNAME, PASSWORD
    settings.smtp_starttls = True
    # A refused login surfaces here only at the client's timeout: 5 s, not the 30 s default.
    settings.smtp_timeout = 5
    yield state
    controller.stop()


def _one_message(client: Client) -> None:
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "request-supplement", {"missing": ["Certified charter"]})


async def test_starttls_then_login_then_delivery(
    client: Client, clock: Clock, engine: Engine, settings: Settings, submission: SubmissionServer
) -> None:
    _one_message(client)
    summary = (await deliver_once(engine, settings, clock=clock)).as_dict()
    assert summary["sent"] >= 1 and summary["failed"] == 0, summary
    assert submission.logins and all(tls for _, _, tls in submission.logins)
    assert (USERNAME, PASSWORD, True) in submission.logins
    to_applicant = [r for r in submission.received if APPLICANT in r[0]]
    assert to_applicant and all(tls for _, tls, _ in to_applicant)


async def test_a_wrong_password_sends_nothing_and_is_retried(
    client: Client, clock: Clock, engine: Engine, settings: Settings, submission: SubmissionServer
) -> None:
    settings.smtp_password = "wrong"
    _one_message(client)
    summary = (await deliver_once(engine, settings, clock=clock)).as_dict()
    assert summary["sent"] == 0 and summary["failed"] >= 1, summary
    assert submission.received == []
    assert "wrong" not in " ".join(summary["errors"])  # the password never reaches a log line


async def test_without_starttls_the_password_is_never_sent_in_clear(
    client: Client, clock: Clock, engine: Engine, settings: Settings, submission: SubmissionServer
) -> None:
    """A deployment that forgot NGO_REVIEW_SMTP_STARTTLS fails loudly instead of leaking."""
    settings.smtp_starttls = False
    _one_message(client)
    summary = (await deliver_once(engine, settings, clock=clock)).as_dict()
    assert summary["sent"] == 0 and summary["failed"] >= 1, summary
    assert submission.logins == [] and submission.received == []
