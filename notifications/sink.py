"""A local SMTP sink (aiosmtpd on 127.0.0.1) that keeps every message in a Maildir."""

from __future__ import annotations

import mailbox
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class MaildirHandler:
    """Stores each accepted message, with its envelope recipients, in a Maildir."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(path, create=True).close()  # cur/, new/, tmp/ exist before any mail
        self.path = path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd hook: keep the message, answer 250."""
        content = (
            envelope.content
            if isinstance(envelope.content, bytes)
            else str(envelope.content).encode()
        )
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        box = mailbox.Maildir(self.path, create=True)
        try:
            box.add(header + content)
        finally:
            box.close()
        return "250 Message accepted for delivery"


class SmtpSink:
    """The sink's lifecycle: start on 127.0.0.1 (a free port by default), stop."""

    def __init__(self, path: Path, port: int = 0) -> None:
        self.path = path
        if port == 0:  # aiosmtpd checks readiness by connecting, so it needs a real port
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
        self.controller = Controller(MaildirHandler(path), hostname="127.0.0.1", port=port)

    def start(self) -> int:
        """Start serving; returns the port."""
        self.controller.start()
        return int(self.controller.port)

    def stop(self) -> None:
        """Stop serving."""
        self.controller.stop()


def read_mail(path: Path) -> list[tuple[str, EmailMessage]]:
    """(key, message) of every message in the Maildir, newest first."""
    if not (path / "cur").is_dir():
        return []
    box = mailbox.Maildir(path, create=False)
    items = []
    try:
        for key in box.keys():
            raw = box.get_bytes(key)
            msg = message_from_bytes(raw, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            items.append((key, msg))
    finally:
        box.close()
    items.sort(key=lambda kv: kv[0], reverse=True)
    return items
