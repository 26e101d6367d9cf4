"""Reading the register pages' forms: typed text kept for showing back, dates as picked or
typed (dd/mm/yyyy), whole numbers and amounts, each problem named by its input, in the page's
language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from api.web import schema_form
from api.web.page import Page
from flows.calendar import local_date

M = TypeVar("M", bound=BaseModel)

REQUIRED = ("Bắt buộc phải nhập.", "Required.")
NOT_A_DATE = ("Không phải là ngày (dd/mm/yyyy).", "Not a date (dd/mm/yyyy).")
IN_FUTURE = ("Không được sau ngày hôm nay.", "Cannot be after today.")
NOT_A_NUMBER = ("Phải là số nguyên.", "Must be a whole number.")
NOT_AN_AMOUNT = ("Phải là số (dấu chấm thập phân).", "Must be a number (decimal point).")
FIX_MARKED = (
    "Chưa ghi nhận: hãy sửa các ô được đánh dấu.",
    "Nothing recorded: please correct the marked fields.",
)


def say(page: Page, pair: tuple[str, str]) -> str:
    """The (Vietnamese, English) pair in the page's language."""
    return pair[1] if page.lang == "en" else pair[0]


def en(page: Page, vi: str, english: str) -> str:
    """The Vietnamese or the English text, as the page's language."""
    return english if page.lang == "en" else vi


def plain(text: str, limit: int) -> bool:
    """Short enough and free of control characters (which the databases refuse in text)."""
    return len(text) <= limit and all(ch.isprintable() or ch in "\t\n\r" for ch in text)


@dataclass
class FormState:
    """A submitted form shown back: what was typed, what is wrong with it, a sentence."""

    key: str
    raw: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    message: str = ""


def read_fields(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """The typed text of each named input (empty when missing or not text)."""
    found: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        found[name] = value.strip() if isinstance(value, str) else ""
    return found


def parse_day(
    page: Page, raw: Mapping[str, str], name: str, problems: dict[str, str]
) -> date | None:
    """A date input (YYYY-MM-DD from a date picker, or dd/mm/yyyy typed by hand)."""
    text = raw.get(name, "")
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        problems[name] = say(page, NOT_A_DATE)
        return None


def require(page: Page, raw: Mapping[str, str], problems: dict[str, str], *names: str) -> None:
    """Each named input left empty is a problem."""
    for name in names:
        if not raw.get(name) and name not in problems:
            problems[name] = say(page, REQUIRED)


def not_future(page: Page, day: date | None, name: str, problems: dict[str, str]) -> None:
    """A day after today is a problem (what was received cannot be yet to come)."""
    if day is not None and day > local_date(page.now) and name not in problems:
        problems[name] = say(page, IN_FUTURE)


def whole(page: Page, raw: Mapping[str, str], name: str, problems: dict[str, str]) -> int | None:
    """A whole number input (empty: None)."""
    text = raw.get(name, "").replace(" ", "")
    if not text:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 12:
        problems[name] = say(page, NOT_A_NUMBER)
        return None
    return int(text)


def validated(
    page: Page, model: type[M], values: dict[str, Any], problems: dict[str, str]
) -> M | None:
    """The model of the values, or None with its complaints added (by input name)."""
    try:
        built = model.model_validate(values)
    except ValidationError as exc:
        for name, text in schema_form.problems_of(exc, page.lang, model.model_fields).items():
            problems.setdefault(name, text)
        return None
    return None if problems else built


def amount(page: Page, raw: Mapping[str, str], name: str, problems: dict[str, str]) -> Any:
    """An amount input, thousands commas allowed (empty: None)."""
    text = raw.get(name, "").replace(" ", "").replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems[name] = say(page, NOT_AN_AMOUNT)
        return None
    if not value.is_finite():
        problems[name] = say(page, NOT_AN_AMOUNT)
        return None
    return value
