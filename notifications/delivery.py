"""One delivery pass: claim due outbox rows, render, send, record; nothing lost or doubled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from functools import partial
from typing import Any

import aiosmtplib
import anyio
from jinja2 import TemplateError
from sqlalchemy import Engine

from config.settings import Settings
from flows.documents.render import RenderError
from flows.documents.service import message_attachment
from flows.runtime import Runtime
from flows.service import outbox
from flows.service.effects import procedure_context
from flows.service.registry import sync_registry
from flows.service.reply_links import ReplyLink, sign
from models.db import read_session
from models.dossier import Dossier
from notifications.render import render
from notifications.sender import build_message, send

log = logging.getLogger("ngo_review.delivery")

LEASE = timedelta(minutes=5)
REPLY_TEMPLATES = outbox.REPLY_TEMPLATES
# Staff messages about work waiting for them link to the page where they do it.
PAGE_LINKS = {
    "decision_waiting": ("decision_url", "/app/decisions/{dossier_id}"),
    "consultations_complete": ("dossier_url", "/app/dossiers/{dossier_id}"),
    "dossier_assigned": ("dossier_url", "/app/dossiers/{dossier_id}"),
}


@dataclass
class DeliverySummary:
    """What a delivery pass did; printed by `ngo-review deliver`."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "sent": self.sent,
            "failed": self.failed,
            "dead": self.dead,
            "skipped": self.skipped,
            "errors": self.errors[:20],
        }


def reply_context(template: str, context: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the signed reply link to messages that ask an agency for its opinion."""
    if template not in REPLY_TEMPLATES:
        return context
    expires = date.fromisoformat(context["due_date"]) + timedelta(days=settings.reply_link_days)
    token = sign(ReplyLink(context["consultation_id"], expires), settings.resolved_secret_key())
    return {
        **context,
        "reply_url": f"{settings.base_url.rstrip('/')}/reply/{token}",
        "reply_expires": expires.isoformat(),
    }


def page_context(template: str, context: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the link to the page where a staff member acts on what the message tells them."""
    if template not in PAGE_LINKS:
        return context
    key, path = PAGE_LINKS[template]
    url = settings.base_url.rstrip("/") + path.format(dossier_id=context["dossier_id"])
    return {**context, key: url}


def sender_context(engine: Engine, context: dict[str, Any]) -> dict[str, Any]:
    """Add what a dossier message says about its procedure (the sender, whether the applicant
    is a state body, ...) to a message queued before the outbox wrote it; others unchanged."""
    dossier_id = context.get("dossier_id")
    if not isinstance(dossier_id, str) or not dossier_id or "sender_vi" in context:
        return context
    with read_session(engine) as session:
        dossier = session.get(Dossier, dossier_id)
        procedure = (
            sync_registry(session).get(dossier.procedure, dossier.procedure_version)
            if dossier is not None
            else None
        )
        if procedure is None:
            return context
        return {**procedure_context(session, procedure), **context}


async def deliver_once(
    engine: Engine,
    settings: Settings,
    *,
    batch_size: int = 100,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DeliverySummary:
    """Deliver every due message (in batches) once; failures wait for their backoff.

    The database and the PDF forms are worked in threads: this runs on the event loop of
    `serve`, beside the API and the step runner, which a 0.2 s render must not stall.
    """
    summary = DeliverySummary()
    seen: set[str] = set()
    while True:
        claimed = await anyio.to_thread.run_sync(
            partial(outbox.claim_batch, engine, clock(), batch_size, LEASE)
        )
        summary.skipped += len(claimed.skipped)
        if claimed.skipped:
            log.info("skipped %d requests for opinions no longer awaited", len(claimed.skipped))
        batch = [m for m in claimed.messages if m.id not in seen]
        if not batch and not claimed.skipped:  # a batch only of skipped rows: more may be due
            return summary
        for item in batch:
            seen.add(item.id)
            await _deliver(engine, settings, item, clock, summary)


async def deliver_now(runtime: Runtime) -> dict[str, Any]:
    """Deliver what is due right after a commit in this process, without a Prefect flow run."""
    summary = await deliver_once(runtime.engine, runtime.settings, clock=runtime.clock)
    if summary.sent or summary.failed:
        log.info("delivered after a commit: %s", summary.as_dict())
    return summary.as_dict()


async def deliver_messages(
    engine: Engine,
    settings: Settings,
    ids: list[str],
    *,
    due_only: bool = True,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DeliverySummary:
    """Deliver these messages now if due (`due_only` false: even before their backoff ends, a
    step run again by hand); one already sent, dead, skipped, waiting for its backoff or held
    by another deliverer is left alone."""
    summary = DeliverySummary()
    claimed = await anyio.to_thread.run_sync(
        partial(outbox.claim_batch, engine, clock(), len(ids), LEASE, ids=ids, due_only=due_only)
    )
    summary.skipped += len(claimed.skipped)
    for item in claimed.messages:
        await _deliver(engine, settings, item, clock, summary)
    return summary


async def _deliver(
    engine: Engine,
    settings: Settings,
    item: outbox.Claimed,
    clock: Callable[[], datetime],
    summary: DeliverySummary,
) -> None:
    """Render and send one claimed message; record it sent, or failed with its backoff."""
    try:
        msg = await anyio.to_thread.run_sync(compose, engine, settings, item, clock)
        await send(settings, msg)
    except (
        aiosmtplib.SMTPException,
        OSError,
        TemplateError,
        RenderError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:  # each is one failed attempt, never a stop
        error = f"{type(exc).__name__}: {exc}"
        admins = [a.strip() for a in settings.admin_emails.split(",") if a.strip()]
        dead = await anyio.to_thread.run_sync(
            partial(
                outbox.mark_failed,
                engine,
                item.id,
                clock(),
                error,
                max_attempts=settings.delivery_max_attempts,
                backoff_seconds=settings.delivery_backoff_seconds,
                admin_emails=admins,
            )
        )
        summary.failed += 1
        summary.dead += int(dead)
        summary.errors.append(f"{item.recipient} {item.template}: {error}")
        log.warning("delivery of %s to %s failed: %s", item.template, item.recipient, error)
        return
    await anyio.to_thread.run_sync(outbox.mark_sent, engine, item.id, clock())
    summary.sent += 1


def compose(
    engine: Engine, settings: Settings, item: outbox.Claimed, clock: Callable[[], datetime]
) -> EmailMessage:
    """The e-mail of a claimed message: its text, links and the PDF of its form, if any."""
    context = reply_context(item.template, sender_context(engine, item.context), settings)
    rendered = render(item.template, item.language, page_context(item.template, context, settings))
    form = message_attachment(engine, item.template, item.context, clock())
    return build_message(
        sender=settings.mail_from,
        recipient=item.recipient,
        rendered=rendered,
        message_id=item.message_id,
        attachments=[(form.filename, form.content)] if form else [],
    )
