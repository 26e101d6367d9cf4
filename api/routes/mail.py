"""/mail: the messages caught by the embedded SMTP sink, for signed-in administrators only."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.web.page import Page, page_for
from flows.errors import NotFound
from notifications.sink import read_mail


def mail_dir(request: Request) -> Path:
    """The sink's Maildir; without the embedded sink /mail does not exist (404)."""
    path: Path | None = getattr(request.app.state, "mail_dir", None)
    if path is None:
        raise NotFound("no local mail sink: mail goes to the configured SMTP server")
    return path


MailDir = Annotated[Path, Depends(mail_dir)]
Admin = Annotated[Page, page_for("admin")]
# The sink's existence is checked first: without it, /mail is a 404 for everyone.
router = APIRouter(
    tags=["embedded mail"],
    include_in_schema=False,
    dependencies=[Depends(mail_dir), page_for("admin")],
)


def _find(path: Path, key: str) -> EmailMessage:
    for k, msg in read_mail(path):
        if k == key:
            return msg
    raise NotFound(f"no message {key}")


def _part(msg: EmailMessage, subtype: str) -> str:
    body = msg.get_body(preferencelist=(subtype,))
    return body.get_content() if body is not None else ""


@router.get("/mail", response_class=HTMLResponse)
def mail_list(page: Admin, path: MailDir) -> HTMLResponse:
    """Every message, newest first."""
    return page.render("mail_list.html", lang="en", title="Mail", items=read_mail(path))


@router.get("/mail/{key}", response_class=HTMLResponse)
def mail_show(key: str, page: Admin, path: MailDir) -> HTMLResponse:
    """One message: headers, links, text and (sandboxed) HTML."""
    msg = _find(path, key)
    text = _part(msg, "plain")
    links = sorted(set(re.findall(r"https?://\S+", text)))
    return page.render(
        "mail_show.html",
        lang="en",
        title=str(msg["Subject"]),
        msg=msg,
        key=key,
        text=text,
        links=links,
        has_html=bool(_part(msg, "html")),
    )


@router.get("/mail/{key}/html")
def mail_html(key: str, _: Admin, path: MailDir) -> Response:
    """The HTML part, served sandboxed (no scripts, no same-origin)."""
    html = _part(_find(path, key), "html")
    return Response(
        html,
        media_type="text/html",
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store",
        },
    )
