"""What the engine's unit tests share: the calendar and the two issuance definitions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flows.calendar import WorkingCalendar
from flows.procedures import REGISTRY
from flows.procedures.schema import ProcedureDefinition

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()


def _definition(code: str) -> ProcedureDefinition:
    definition = REGISTRY.get(code)
    assert definition is not None
    return definition


OPERATION = _definition("ngo.operation.issue")
OFFICE = _definition("ngo.office.issue")
