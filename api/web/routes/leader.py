"""Leader pages: the proposals waiting for signature, one proposal, sign it or return it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from api.background import after_commit
from api.web.page import Page, check_csrf, page_for
from flows.engine.commands import Return, Sign
from flows.service.handle import handle
from flows.service.queues import decision_queue, decision_review

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

ReaderPage = Annotated[Page, page_for("leader", "manager")]
LeaderPage = Annotated[Page, page_for("leader")]
Version = Annotated[int, Form(ge=1)]

DONE = {
    "signed": ("Đã ký hồ sơ", "Signed dossier"),
    "returned": ("Đã trả lại chuyên viên hồ sơ", "Returned to the handler: dossier"),
}


@router.get("/app/decisions", response_class=HTMLResponse)
def decisions(
    page: ReaderPage,
    done: Annotated[str, Query(max_length=20)] = "",
    code: Annotated[str, Query(max_length=80)] = "",
) -> HTMLResponse:
    """Proposals awaiting signature, the oldest first, with the working days left."""
    notice = DONE.get(done)
    title = "To sign" if page.lang == "en" else "Hồ sơ chờ ký"
    return page.render(
        "app/decisions.html",
        title=title,
        items=decision_queue(page.engine, page.now),
        notice=notice,
        code=code if notice else "",
    )


@router.get("/app/decisions/{dossier_id}", response_class=HTMLResponse)
def review(dossier_id: str, page: ReaderPage) -> HTMLResponse:
    """The proposal, the dossier's summary and the agencies' answers; sign or return."""
    found = decision_review(page.engine, dossier_id, page.now)
    return page.render(
        "app/decision_review.html",
        title=found.dossier.code,
        review=found,
        can_decide=page.actor.role == "leader" and "sign" in found.dossier.allowed_actions,
    )


def _back_to_queue(page: Page, done: str, code: str) -> RedirectResponse:
    """The queue with a notice of what was done."""
    return page.redirect(f"/app/decisions?{urlencode({'done': done, 'code': code})}")


@router.post("/app/decisions/{dossier_id}/sign")
def sign(
    dossier_id: str, page: LeaderPage, background: BackgroundTasks, version: Version
) -> RedirectResponse:
    """Issue the proposed decision, if the dossier is still at the version read."""
    signed = handle(
        page.engine, dossier_id, Sign(actor=page.actor), now=page.now, expected_version=version
    )
    background.add_task(after_commit(page.request))
    return _back_to_queue(page, "signed", signed.code)


@router.post("/app/decisions/{dossier_id}/return")
def return_(
    dossier_id: str,
    page: LeaderPage,
    background: BackgroundTasks,
    version: Version,
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> RedirectResponse:
    """Send the draft back to the handler with a comment (an empty one is refused)."""
    returned = handle(
        page.engine,
        dossier_id,
        Return(actor=page.actor, comment=comment),
        now=page.now,
        expected_version=version,
    )
    background.add_task(after_commit(page.request))
    return _back_to_queue(page, "returned", returned.code)
