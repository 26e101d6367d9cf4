"""SMTP sending with aiosmtplib: one multipart (text + HTML) message per outbox row."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from config.settings import Settings
from notifications.render import Rendered


def build_message(
    *,
    sender: str,
    recipient: str,
    rendered: Rendered,
    message_id: str,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> EmailMessage:
    """The e-mail; its Message-ID is fixed per outbox row so receivers can drop repeats.
    `attachments` are PDFs (file name, bytes): the form the message carries."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = rendered.subject
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    for filename, content in attachments:
        msg.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    return msg


async def send(settings: Settings, msg: EmailMessage) -> None:
    """Hand the message to the configured SMTP server (STARTTLS and login when set)."""
    await aiosmtplib.send(
        msg,
        hostname=settings.smtp_host or "127.0.0.1",
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        use_tls=False,
        timeout=settings.smtp_timeout,
    )
