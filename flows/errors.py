"""The one error hierarchy of ngo-review; api/ maps it to HTTP in one place."""

from __future__ import annotations

from collections.abc import Sequence


class DossierError(Exception):
    """Base of every expected failure; `code` is the machine-readable error name."""

    code = "error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DossierError):
    """The thing does not exist, or the caller may not see it."""

    code = "not_found"


class Forbidden(DossierError):
    """The caller's role may not take this action."""

    code = "forbidden"


class InvalidInput(DossierError):
    """The input is well-formed but breaks a rule of the procedure."""

    code = "invalid_input"


class NotAllowed(DossierError):
    """The action is not allowed in the dossier's current state."""

    code = "not_allowed"

    def __init__(self, detail: str, allowed_actions: Sequence[str]) -> None:
        super().__init__(detail)
        self.allowed_actions = list(allowed_actions)


class Conflict(DossierError):
    """The action clashes with what already exists (duplicate, concurrent change)."""

    code = "conflict"


class PreconditionFailed(DossierError):
    """The caller's `If-Match` version is not the current one."""

    code = "version_mismatch"


class TooLarge(DossierError):
    """An upload is larger than allowed."""

    code = "too_large"
