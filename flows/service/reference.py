"""Reference data cached per process: agencies, staff, calendar overrides, procedure versions.

They change rarely and every command reads them. Database triggers raise one stamp row on any
change to them (migration 0010), whoever writes: each read costs one primary-key lookup of the
stamp, and a changed stamp reloads everything in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import event, select
from sqlmodel import Session, col

from flows.calendar import CalendarEntry, DayKind, WorkingCalendar
from models.agency import Agency
from models.calendar_override import CalendarOverride
from models.procedure_version import ProcedureVersion
from models.reference_stamp import ReferenceStamp
from models.user import User

# Core, not ORM: read per command, it needs neither an autoflush nor ORM result handling.
_STAMP_TABLE = ReferenceStamp.__table__  # type: ignore[attr-defined]
_STAMP = select(_STAMP_TABLE.c.epoch, _STAMP_TABLE.c.n).where(_STAMP_TABLE.c.id == 1)
_WATCHED = (Agency, User, CalendarOverride, ProcedureVersion)
_MEMO = "ngo_review.reference_stamp"  # session.info key: the stamp read in this transaction


@dataclass(frozen=True)
class AgencyRef:
    """An agency (cơ quan) as the write path reads it."""

    code: str
    name_vi: str
    name_en: str
    email: str
    active: bool


@dataclass(frozen=True)
class StaffRef:
    """A user as notifications and assignment read them."""

    display_name: str
    role: str
    email: str
    language: str
    active: bool


@dataclass
class Reference:
    """One database's reference data at one stamp."""

    stamp: tuple[str, str, int] | None
    agencies: dict[str, AgencyRef]
    users: tuple[StaffRef, ...]
    overrides: tuple[CalendarEntry, ...]
    calendars: dict[time | None, WorkingCalendar] = field(default_factory=dict)

    def staff(self, roles: list[str] | tuple[str, ...]) -> list[StaffRef]:
        """Active users of these roles."""
        return [u for u in self.users if u.active and u.role in roles]

    def calendar(self, cutoff: time | None) -> WorkingCalendar:
        """The working calendar with these overrides and office-hours cut-off (built once:
        its per-day cache then lives as long as the stamp)."""
        found = self.calendars.get(cutoff)
        if found is None:
            found = self.calendars[cutoff] = WorkingCalendar(
                overrides=list(self.overrides), office_hours_end=cutoff
            )
        return found


_cache: dict[str, Reference] = {}  # by database URL; one dict store replaces an entry


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_: object) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: object, _instances: object) -> None:
    # Reference rows written in this transaction raise the stamp: read it again after.
    if _MEMO in session.info and _touches_reference(session):
        session.info.pop(_MEMO, None)


def _touches_reference(session: Session) -> bool:
    return any(
        isinstance(obj, _WATCHED)
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    )


def stamp_of(session: Session) -> tuple[str, str, int] | None:
    """The database's current stamp (None on a database without the stamp row), read once
    per transaction unless the transaction itself changes reference data."""
    memo = session.info.get(_MEMO)
    if memo is not None and not any(isinstance(obj, _WATCHED) for obj in session.new):
        return memo  # type: ignore[no-any-return]
    if _touches_reference(session):
        session.flush()  # the triggers raise the stamp when the rows reach the database
    found = session.execute(_STAMP).first()
    if found is None:
        return None
    stamp = (str(session.get_bind().engine.url), str(found[0]), int(found[1]))
    session.info[_MEMO] = stamp
    return stamp


def reference(session: Session) -> Reference:
    """The session's database's reference data as of this transaction."""
    stamp = stamp_of(session)
    url = str(session.get_bind().engine.url)
    cached = _cache.get(url)
    if cached is not None and stamp is not None and cached.stamp == stamp:
        return cached
    loaded = _load(session, stamp)
    if stamp is not None:
        _cache[url] = loaded
    return loaded


def _load(session: Session, stamp: tuple[str, str, int] | None) -> Reference:
    # Columns, not rows: nothing cached is attached to (or changed through) a session.
    agencies = {
        row[0]: AgencyRef(*row)
        for row in session.execute(
            select(
                *(
                    col(c)
                    for c in (
                        Agency.code,
                        Agency.name_vi,
                        Agency.name_en,
                        Agency.email,
                        Agency.active,
                    )
                )
            )
        ).all()
    }
    users = tuple(
        StaffRef(*row)
        for row in session.execute(
            select(
                *(
                    col(c)
                    for c in (User.display_name, User.role, User.email, User.language, User.active)
                )
            )
        ).all()
    )
    overrides = tuple(
        CalendarEntry(day=day, kind=DayKind(kind), note=note, source=source)
        for day, kind, note, source in session.execute(
            select(
                col(CalendarOverride.day),
                col(CalendarOverride.kind),
                col(CalendarOverride.note),
                col(CalendarOverride.source),
            )
        ).all()
    )
    return Reference(stamp, agencies, users, overrides)
