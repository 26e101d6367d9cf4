"""How an agency's reply letter (văn bản trả lời) reads on the control slip."""

from __future__ import annotations

from datetime import date
from typing import Any


def reply_letter_note(answered: dict[str, Any]) -> str:
    """The letter's number and date, and who recorded it when it came on paper."""
    number, dated = answered.get("letter_number"), answered.get("letter_date")
    parts: list[str] = []
    if number:
        parts.append(f"Văn bản số {number}")
    if isinstance(dated, str) and dated:
        parts.append(f"ngày {date.fromisoformat(dated):%d/%m/%Y}")
    text = " ".join(parts)
    recorded_by = answered.get("recorded_by")
    if recorded_by:
        text += f"{'; ' if text else ''}bản giấy, do {recorded_by} ghi nhận"
    return text
