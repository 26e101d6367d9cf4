"""Printing a form: HTML by Jinja2 (autoescaped, strict) and PDF by WeasyPrint, offline.

The pages and the PDFs use the same template and the same fonts (Noto Serif, vendored under
`api/static/vendor/fonts/noto-serif/`): the browser loads them from `/static/...`, WeasyPrint
from `file://` URLs that its fetcher serves from `api/static` only, so rendering never touches
the network.
"""

from __future__ import annotations

import mimetypes
import threading
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from flows.calendar import VN_TZ
from flows.documents.forms import Form

TEMPLATES = Path(__file__).parent / "templates"
# `api/static`, next to this package wherever it is installed (the fonts live there because
# the pages serve them too).
STATIC_DIR = Path(__file__).resolve().parents[2] / "api" / "static"
FONT_DIR = "vendor/fonts/noto-serif"


class RenderError(RuntimeError):
    """A form could not be printed (a template or WeasyPrint failed)."""


def _local(value: date | datetime) -> date | datetime:
    return value.astimezone(VN_TZ) if isinstance(value, datetime) else value


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (the local date of an instant)."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local.day:02d}/{local.month:02d}/{local.year}"


def vn_time(value: datetime | None) -> str:
    """HH giờ MM phút, ngày dd/mm/yyyy, in Asia/Ho_Chi_Minh."""
    if value is None:
        return ""
    local = value.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {vn_date(local)}"


def long_date(value: date | datetime) -> str:
    """ngày dd tháng mm năm yyyy, as Decree 30/2020 writes the date of a document: a zero
    before days under 10 and before months 1 and 2 only."""
    local = _local(value)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def vn_upper(value: str) -> str:
    """Upper case of Vietnamese text (ủy ban → ỦY BAN)."""
    return value.upper()


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The forms' own Jinja2 environment: autoescaped, undefined variables are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(d=vn_date, hm=vn_time, long_date=long_date, vn_upper=vn_upper)
    return env


def render_html(form: Form, static_url: str = "/static") -> str:
    """The printable page of a form; fonts are loaded from `static_url`."""
    template = environment().get_template(form.template)
    return template.render(form=form, fonts=f"{static_url.rstrip('/')}/{FONT_DIR}")


def static_file(url: str, root: Path = STATIC_DIR) -> Path | None:
    """The file under `root` that a `file://` URL names, or None for anything else."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parsed.path)).resolve()
    base = root.resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


class StaticFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint's URL fetcher, limited to the files of `api/static`: no network at all."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        path = static_file(url)
        if path is None:
            raise ValueError(f"forms load nothing but files under {STATIC_DIR}: {url}")
        kind = mimetypes.guess_type(path.name)[0] or (
            "font/woff2" if path.suffix == ".woff2" else "application/octet-stream"
        )
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})


# One Fontconfig set-up for every render: WeasyPrint decodes each WOFF2 face once per
# configuration, which was half of a receipt's 0.5 s. Fontconfig's state is not thread-safe, so
# renders take turns (callers run them in worker threads, off the event loop).
_fonts_lock = threading.Lock()


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


def render_pdf(form: Form) -> bytes:
    """The form as an A4 PDF, its Vietnamese text in the embedded Noto Serif."""
    try:
        html = render_html(form, static_url=STATIC_DIR.as_uri())
        document = HTML(
            string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticFetcher()
        )
        with _fonts_lock:
            pdf: bytes = document.write_pdf(font_config=_font_config())
    except Exception as exc:  # WeasyPrint's failures have no common base class
        raise RenderError(f"form {form.number} could not be printed: {exc}") from exc
    return pdf
