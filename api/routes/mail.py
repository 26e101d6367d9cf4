"""/mail: the messages caught by the embedded SMTP sink (only when the sink runs)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.templates import templates
from flows.errors import NotFound
from notifications.sink import read_mail

router = APIRouter(tags=["embedded mail"], include_in_schema=False)


def _mail_dir(request: Request) -> Path:
    path: Path | None = getattr(request.app.state, "mail_dir", None)
    if path is None:
        raise NotFound("no local mail sink: mail goes to the configured SMTP server")
    return path


def _find(request: Request, key: str) -> EmailMessage:
    for k, msg in read_mail(_mail_dir(request)):
        if k == key:
            return msg
    raise NotFound(f"no message {key}")


def _part(msg: EmailMessage, subtype: str) -> str:
    body = msg.get_body(preferencelist=(subtype,))
    return body.get_content() if body is not None else ""


@router.get("/mail", response_class=HTMLResponse)
def mail_list(request: Request) -> HTMLResponse:
    """Every message, newest first."""
    items = read_mail(_mail_dir(request))
    return templates.TemplateResponse(request, "mail_list.html",
                                      {"lang": "en", "title": "Mail", "items": items})


@router.get("/mail/{key}", response_class=HTMLResponse)
def mail_show(key: str, request: Request) -> HTMLResponse:
    """One message: headers, links, text and (sandboxed) HTML."""
    msg = _find(request, key)
    text = _part(msg, "plain")
    links = sorted(set(re.findall(r"https?://\S+", text)))
    return templates.TemplateResponse(request, "mail_show.html", {
        "lang": "en", "title": str(msg["Subject"]), "msg": msg, "key": key, "text": text,
        "links": links, "has_html": bool(_part(msg, "html"))})


@router.get("/mail/{key}/html")
def mail_html(key: str, request: Request) -> Response:
    """The HTML part, served sandboxed (no scripts, no same-origin)."""
    html = _part(_find(request, key), "html")
    return Response(html, media_type="text/html",
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'; "
                                                        "style-src 'unsafe-inline'"})
