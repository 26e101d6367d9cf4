"""Rendering notifications: Jinja2 (autoescape, StrictUndefined), HTML and text, vi and en."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Undefined,
    select_autoescape,
)

from flows.calendar import VN_TZ

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("vi", "en")

# Every message ngo-review sends; each has <name>.<lang>.txt.j2 and <name>.<lang>.html.j2.
# The first line of the text template is the subject.
MESSAGES = (
    "receipt",  # form 01: receipt and appointment slip (applicant)
    "supplement_request",  # form 02: missing items (applicant)
    "intake_rejected",  # form 03: refusal to receive (applicant)
    "consultation_request",  # request for an opinion, with reply link (agency)
    "consultation_reminder",  # reminder before the due date, with reply link (agency)
    "consultation_overdue",  # overdue notice and escalation (handler, managers)
    "deemed_consent",  # silence taken as agreement (handler, agency)
    "decision",  # approval with certificate, refusal with reasons, or forwarding (applicant)
    "extension",  # form 04: apology and extension letter (applicant)
    "stopped",  # form 05: notice of stopping, after a withdrawal (applicant)
    "dossier_at_risk",  # few working days left (handler)
    "dossier_late",  # appointment date passed (handler, managers)
    "decision_waiting",  # a draft decision awaits signature, with a link to sign (leaders)
    "consultations_complete",  # every consulted agency has answered or is deemed (handler)
    "dossier_assigned",  # made responsible for a dossier, with a link to it (assignee)
    "daily_digest",  # overdue and at-risk dossiers, late agencies (managers)
    "delivery_dead",  # a message could not be delivered after every attempt (admins)
    "obligation_reminder",  # an obligation after approval comes due (NGO)
    "obligation_overdue",  # an obligation after approval was missed (NGO, managers)
)


def _to_date(value: str | date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ).date()
    if isinstance(value, date):
        return value
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        return parsed.astimezone(VN_TZ).date()
    return parsed.date()


def _defined(value: Any) -> None:
    """A missing context key must fail as UndefinedError, not as a TypeError further on."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises here


def vn_date(value: str | date | None) -> str:
    """dd/mm/yyyy, the way Vietnamese forms write dates."""
    _defined(value)
    return "" if value is None else _to_date(value).strftime("%d/%m/%Y")


def vn_datetime(value: str | datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Asia/Ho_Chi_Minh."""
    _defined(value)
    if value is None:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def vn_time(value: str | datetime | None) -> str:
    """HH giờ MM phút, ngày dd/mm/yyyy in Asia/Ho_Chi_Minh: how a Vietnamese letter writes
    an instant (the English messages keep `vn_datetime`)."""
    _defined(value)
    if value is None:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment: autoescaped HTML, undefined variables are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["vn_date"] = vn_date
    env.filters["vn_datetime"] = vn_datetime
    env.filters["vn_time"] = vn_time
    return env


@dataclass(frozen=True)
class Rendered:
    """A message ready to send."""

    subject: str
    text: str
    html: str


def render(template: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render one message; unknown template or language, or a missing variable, raises."""
    if template not in MESSAGES:
        raise ValueError(f"unknown message template {template!r}")
    lang = language if language in LANGUAGES else "vi"
    env = environment()
    text = env.get_template(f"{template}.{lang}.txt.j2").render(**context)
    subject, _, body = text.partition("\n")
    html = env.get_template(f"{template}.{lang}.html.j2").render(
        **context, email_subject=subject.strip()
    )
    return Rendered(subject=subject.strip(), text=body.lstrip("\n"), html=html)
