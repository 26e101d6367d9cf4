"""What `ngo-review check` found: how much it read, and every broken invariant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A wrecked database of a million dossiers would otherwise print a report of gigabytes; the
# total still counts every break.
MAX_LISTED = 1000
COUNTED = ("dossiers", "audit_events", "admin_events", "consultations", "timers", "sent_messages")


@dataclass(frozen=True)
class Break:
    """One invariant that does not hold: which check, which dossier and event, and why."""

    check: str
    detail: str
    dossier: str | None = None
    event: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The break as the report prints it (absent keys: not about one dossier or event)."""
        out: dict[str, Any] = {"check": self.check}
        if self.dossier is not None:
            out["dossier"] = self.dossier
        if self.event is not None:
            out["event"] = self.event
        out["detail"] = self.detail
        return out


@dataclass
class CheckReport:
    """Counts of what was read, and the breaks found (the first MAX_LISTED of them)."""

    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    breaks: list[Break] = field(default_factory=list)
    breaks_total: int = 0

    @property
    def ok(self) -> bool:
        """Whether every invariant holds."""
        return self.breaks_total == 0

    def count(self, what: str, how_many: int = 1) -> None:
        """Note that `how_many` more rows of a kind were checked."""
        self.checked[what] = self.checked.get(what, 0) + how_many

    def add(self, found: Break) -> None:
        """Record a break."""
        self.breaks_total += 1
        if len(self.breaks) < MAX_LISTED:
            self.breaks.append(found)

    def to_json(self) -> dict[str, Any]:
        """{ok, checked, breaks, breaks_total}, as `ngo-review check` prints it."""
        return {
            "ok": self.ok,
            "checked": dict(self.checked),
            "breaks": [b.to_json() for b in self.breaks],
            "breaks_total": self.breaks_total,
        }
