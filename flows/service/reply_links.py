"""Signed, expiring agency reply links (single use: the answer closes the request)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date

from flows.errors import DossierError, NotFound

# A genuine token is about 120 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 512


class BadLink(NotFound):
    """The link was altered, is malformed or is not ours: nothing to see (404)."""

    code = "invalid_link"


class ExpiredLink(DossierError):
    """The link's validity has passed."""

    code = "expired_link"


@dataclass(frozen=True)
class ReplyLink:
    """What a reply token carries."""

    consultation_id: str
    expires: date


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), b"reply:" + payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def sign(link: ReplyLink, secret: str) -> str:
    """A URL-safe token: base64(json payload) + "." + HMAC-SHA256."""
    payload = _b64(
        json.dumps(
            {"c": link.consultation_id, "e": link.expires.isoformat()}, separators=(",", ":")
        ).encode()
    )
    return f"{payload}.{_mac(secret, payload)}"


def verify(token: str, secret: str, today: date) -> ReplyLink:
    """The link a genuine, unexpired token names; BadLink or ExpiredLink otherwise."""
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise BadLink("this link is not valid")
    payload, _, mac = token.partition(".")
    if (
        not payload
        or not mac
        or not hmac.compare_digest(mac.encode(), _mac(secret, payload).encode())
    ):
        raise BadLink("this link is not valid")
    try:
        data = json.loads(_unb64(payload))
        link = ReplyLink(consultation_id=str(data["c"]), expires=date.fromisoformat(data["e"]))
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
        raise BadLink("this link is not valid") from exc
    if today > link.expires:
        raise ExpiredLink(f"this link expired on {link.expires:%d/%m/%Y}")
    return link
