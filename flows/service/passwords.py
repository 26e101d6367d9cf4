"""Password hashing with Argon2 (pwdlib's recommended parameters)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("no password is set for this user")


def verify_password(password: str, password_hash: str) -> bool:
    """Whether the password matches; an empty hash (no password set) never matches."""
    if not password_hash:
        # Same cost as a real check, so timing does not tell which users have no password.
        _hasher().verify(password, _dummy_hash())
        return False
    return bool(_hasher().verify(password, password_hash))
