"""The pages' one Jinja2 environment (autoescaped), with bilingual helpers and date formats."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined, pass_context
from jinja2.runtime import Context

from api.web import labels
from flows.calendar import VN_TZ
from flows.procedures import REGISTRY
from flows.procedures.schema import Outcome

templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
templates.env.undefined = StrictUndefined


@pass_context
def tr(ctx: Context, vi: str, en: str) -> str:
    """The Vietnamese or English text, by the page's language."""
    return en if ctx.get("lang") == "en" else vi


def _lang(ctx: Context) -> str:
    return "en" if ctx.get("lang") == "en" else "vi"


def _labeller(table: dict[str, tuple[str, str]]) -> Any:
    @pass_context
    def show(ctx: Context, code: str | None) -> str:
        return labels.label(table, code, _lang(ctx))

    return show


@pass_context
def fmt_outcome(ctx: Context, code: str | None, procedure: str | None = None) -> str:
    """An outcome in the procedure's own words when it has them ("Đồng ý" for an opinion)."""
    definition = REGISTRY.get(procedure) if procedure else None
    if definition is not None and code:
        own = definition.outcome_title(Outcome(code), _lang(ctx))
        if own:
            return own
    return labels.label(labels.OUTCOME, code, _lang(ctx))


def fmt_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (local date for instants)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ).date()
    return value.strftime("%d/%m/%Y")


@pass_context
def fmt_instant(ctx: Context, value: datetime | None) -> str:
    """HH giờ MM phút, ngày dd/mm/yyyy (Vietnamese) or HH:MM, dd/mm/yyyy, in Hà Nội time."""
    if value is None:
        return "—"
    local = value.astimezone(VN_TZ)
    if _lang(ctx) == "en":
        return local.strftime("%H:%M, %d/%m/%Y")
    return local.strftime("%H giờ %M phút, ngày %d/%m/%Y")


def fmt_size(size: int) -> str:
    """A file size for people."""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size = size / 1024  # type: ignore[assignment]
    return f"{size} B"


templates.env.globals.update(tr=tr)
templates.env.filters.update(
    d=fmt_date,
    dt=fmt_instant,
    size=fmt_size,
    status=_labeller(labels.STATUS),
    cstatus=_labeller(labels.CONSULTATION_STATUS),
    opinion=_labeller(labels.OPINION),
    role=_labeller(labels.ROLE),
    outcome=fmt_outcome,
    timeliness=_labeller(labels.TIMELINESS),
    action_label=_labeller(labels.ACTION),
)
