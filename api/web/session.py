"""Signed session cookies and CSRF tokens for the pages (HMAC-SHA256 with the secret key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_COOKIE = "ngo_session"
CSRF_COOKIE = "ngo_csrf"
LANG_COOKIE = "ngo_lang"
# Genuine cookies and tokens are under 200 characters; longer ones are not ours.
MAX_SIGNED_LENGTH = 1024


def _same(given: str, expected: str) -> bool:
    """Constant-time equality that is simply False for non-ASCII or overlong input."""
    if len(given) > MAX_SIGNED_LENGTH or not given.isascii():
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, purpose: str, payload: str) -> str:
    return _b64(hmac.new(key.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256).digest())


@dataclass(frozen=True)
class PageSession:
    """Who is signed in: the user, their session epoch, a random id and the expiry."""

    user_id: int
    epoch: int
    sid: str
    expires: datetime

    @classmethod
    def new(cls, user_id: int, epoch: int, now: datetime, lifetime: timedelta) -> PageSession:
        """A fresh session for a user who just signed in."""
        return cls(user_id, epoch, secrets.token_urlsafe(16), now + lifetime)

    def renewed(self, now: datetime, lifetime: timedelta) -> PageSession:
        """The same session with its idle expiry pushed back."""
        return PageSession(self.user_id, self.epoch, self.sid, now + lifetime)

    def encode(self, key: str) -> str:
        """The cookie value: payload and its signature."""
        payload = _b64(
            json.dumps(
                {
                    "u": self.user_id,
                    "e": self.epoch,
                    "s": self.sid,
                    "x": int(self.expires.timestamp()),
                }
            ).encode()
        )
        return f"{payload}.{_mac(key, 'session', payload)}"

    @classmethod
    def decode(cls, value: str, key: str, now: datetime) -> PageSession | None:
        """The session in a cookie, or None when forged, malformed or expired."""
        if len(value) > MAX_SIGNED_LENGTH or not value.isascii():
            return None
        payload, _, signature = value.partition(".")
        if not payload or not _same(signature, _mac(key, "session", payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            expires = datetime.fromtimestamp(int(data["x"]), tz=now.tzinfo)
            session = cls(int(data["u"]), int(data["e"]), str(data["s"]), expires)
        except (ValueError, KeyError, TypeError, OverflowError, OSError):
            return None
        return session if expires > now else None


def new_csrf_seed() -> str:
    """The random value kept in the CSRF cookie."""
    return secrets.token_urlsafe(24)


_SEED_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


def csrf_seed_ok(seed: str | None) -> bool:
    """Whether a CSRF cookie looks like one we set (else the browser gets a fresh one)."""
    return seed is not None and 0 < len(seed) <= 64 and set(seed) <= _SEED_CHARS


def csrf_token(key: str, seed: str, sid: str) -> str:
    """The token a form must carry: bound to the browser's seed and to its session."""
    return _mac(key, "csrf", f"{seed}:{sid}")


def csrf_ok(key: str, seed: str | None, sid: str, token: str | None) -> bool:
    """Whether a submitted form token matches this browser and session."""
    if not csrf_seed_ok(seed) or not token:
        return False
    assert seed is not None
    return _same(token, csrf_token(key, seed, sid))
