"""The reply letter's rules (dated between the request and today) and its control-slip note."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from flows.documents.letters import reply_letter_note
from flows.engine.letters import check_letter
from flows.errors import InvalidInput

# 23/11/2026 in Hà Nội, requested late in the evening of 20/11 local time (13:30 UTC).
REQUESTED = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("dated", [date(2026, 11, 20), date(2026, 11, 23), None])
def test_a_letter_dated_from_the_request_day_to_today_is_kept(dated: date | None) -> None:
    """The request's local day and today are both allowed; no date at all too."""
    check_letter("123/BCA-A03", dated, REQUESTED, NOW)


@pytest.mark.parametrize(
    ("number", "dated", "reason"),
    [
        ("1/BCA", date(2026, 11, 24), "future"),
        ("1/BCA", date(2026, 11, 19), "before the request"),
        ("x" * 61, None, "at most 60"),
    ],
)
def test_a_letter_from_the_future_or_before_the_request_is_refused(
    number: str, dated: date | None, reason: str
) -> None:
    """Tomorrow, the day before the request and an overlong number are invalid input."""
    with pytest.raises(InvalidInput, match=reason):
        check_letter(number, dated, REQUESTED, NOW)


def test_the_control_slip_names_the_letter_and_who_recorded_it() -> None:
    """Number and date as a civil servant writes them; a paper answer names its recorder."""
    answered = {"letter_number": "123/BCA-A03", "letter_date": "2026-11-23"}
    assert reply_letter_note(answered) == "Văn bản số 123/BCA-A03 ngày 23/11/2026"
    paper = {**answered, "recorded_by": "Nguyễn Văn An"}
    assert reply_letter_note(paper).endswith("; bản giấy, do Nguyễn Văn An ghi nhận")
    assert reply_letter_note({}) == ""
