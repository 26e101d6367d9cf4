"""Written opinions (trả lời bằng văn bản): the rules on the agency's reply letter."""

from __future__ import annotations

from datetime import date, datetime

from flows.calendar import local_date
from flows.errors import InvalidInput

MAX_LETTER_NUMBER = 60  # official numbers such as "123/BCA-A03" are short


def check_letter(
    number: str | None, dated: date | None, requested_at: datetime, now: datetime
) -> None:
    """A reply letter is dated between the request and today, with a short number."""
    if number is not None and len(number) > MAX_LETTER_NUMBER:
        raise InvalidInput(f"letter_number is at most {MAX_LETTER_NUMBER} characters")
    if dated is None:
        return
    if dated > local_date(now):
        raise InvalidInput(f"the letter date {dated:%d/%m/%Y} is in the future")
    asked = local_date(requested_at)
    if dated < asked:
        raise InvalidInput(
            f"the letter date {dated:%d/%m/%Y} is before the request of {asked:%d/%m/%Y}"
        )
