"""Written opinions on the pages: the handler records an agency's answer received on paper."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from api.background import after_commit
from api.uploads import OneFile
from api.web.page import Page, check_csrf, page_for
from api.web.templates import fmt_size
from flows.engine.letters import MAX_LETTER_NUMBER
from flows.errors import InvalidInput, TooLarge
from flows.procedures.schema import Opinion
from flows.service.written import PaperAnswer, Upload, record_answer

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

HandlerPage = Annotated[Page, page_for("handler")]


def letter_date(page: Page, text: str) -> date | None:
    """The date a date field sent (YYYY-MM-DD), or a readable 422."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"Ngày văn bản không hợp lệ: {text!r}"
            if page.lang == "vi"
            else f"The letter date is not a date: {text!r}"
        ) from None


def uploaded(request: Request, page: Page, file: UploadFile | None) -> Upload | None:
    """The file a form sent (none when the field was left empty), within the size limit."""
    if file is None or not file.filename:
        return None
    limit: int = request.app.state.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(
            f"Tệp lớn hơn giới hạn {fmt_size(limit)}."
            if page.lang == "vi"
            else f"The file is larger than the limit of {fmt_size(limit)}."
        )
    return Upload(file.filename, file.content_type or "", content)


@router.post("/app/consultations/{consultation_id}/record-answer")
def record(
    consultation_id: str,
    request: Request,
    page: HandlerPage,
    background: BackgroundTasks,
    opinion: Annotated[Opinion, Form()],
    letter_number: Annotated[str, Form(max_length=MAX_LETTER_NUMBER)],
    letter_date_text: Annotated[str, Form(alias="letter_date", max_length=20)],
    comments: Annotated[str, Form(max_length=10000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
    _one: OneFile = None,
) -> RedirectResponse:
    """Record the paper answer with its letter (and scan); back to the dossier page."""
    dated = letter_date(page, letter_date_text)
    if dated is None or not letter_number.strip():
        raise InvalidInput(
            "Cần nhập số và ngày của văn bản trả lời."
            if page.lang == "vi"
            else "Enter the reply letter's number and date."
        )
    answer = PaperAnswer(opinion, comments.strip(), letter_number.strip(), dated)
    found = record_answer(
        page.engine,
        page.actor,
        consultation_id,
        answer,
        upload=uploaded(request, page, file),
        now=page.now,
    )
    background.add_task(after_commit(page.request))
    return page.redirect(f"/app/dossiers/{found.dossier_id}?done=record-answer#consultations")
