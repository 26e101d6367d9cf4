"""No message sent twice: one Message-ID, and one content, per message delivered."""

from __future__ import annotations

from sqlalchemy import Connection, Text, cast, func, select
from sqlmodel import col

from flows.service.check.report import Break, CheckReport
from models.outbox import Outbox

SENT = col(Outbox.status) == "sent"


def check_outbox(conn: Connection, report: CheckReport) -> None:
    """Sent messages sharing a Message-ID, or the same dossier, template, recipient and
    content (ids derive from what caused a message, so only a fault makes either)."""
    report.count("sent_messages", conn.execute(select(func.count()).where(SENT)).scalar_one())
    times = func.count().label("times")
    for message_id, count in conn.execute(
        select(col(Outbox.message_id), times)
        .where(SENT)
        .group_by(col(Outbox.message_id))
        .having(func.count() > 1)
        .order_by(col(Outbox.message_id))
    ):
        report.add(Break("outbox", f"message {message_id} was sent {count} times"))
    content = cast(col(Outbox.context), Text).label("content")
    for dossier_id, template, recipient, _content, count in conn.execute(
        select(col(Outbox.dossier_id), col(Outbox.template), col(Outbox.recipient), content, times)
        .where(SENT)
        .group_by(col(Outbox.dossier_id), col(Outbox.template), col(Outbox.recipient), content)
        .having(func.count() > 1)
        .order_by(col(Outbox.dossier_id), col(Outbox.template), col(Outbox.recipient))
    ):
        report.add(
            Break(
                "outbox",
                f"{template} to {recipient} was sent {count} times with the same content",
                dossier=dossier_id,
            )
        )
    for outbox_id, message_id in conn.execute(
        select(col(Outbox.id), col(Outbox.message_id)).where(SENT, col(Outbox.sent_at).is_(None))
    ):
        report.add(Break("outbox", f"message {message_id} ({outbox_id}) is sent without a date"))
