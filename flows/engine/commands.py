"""Commands: what a user (or the system) asks the engine to do, in the imperative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from flows.engine.state import Actor
from flows.procedures.schema import Opinion, Outcome


@dataclass(frozen=True)
class Command:
    """Base of every command; `action` is the name used by the API and the procedures."""

    action: ClassVar[str] = ""
    actor: Actor


@dataclass(frozen=True)
class Accept(Command):
    """Accept the dossier as complete and valid (tiếp nhận): the legal clock starts."""

    action: ClassVar[str] = "accept"


@dataclass(frozen=True)
class RequestSupplement(Command):
    """Ask the applicant for missing documents (yêu cầu bổ sung, form 02)."""

    action: ClassVar[str] = "request-supplement"
    missing: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ReceiveSupplement(Command):
    """Record the applicant's supplement; the clock resumes."""

    action: ClassVar[str] = "receive-supplement"
    note: str = ""


@dataclass(frozen=True)
class RejectIntake(Command):
    """Refuse to receive the dossier (từ chối tiếp nhận)."""

    action: ClassVar[str] = "reject-intake"
    reason: str = ""


@dataclass(frozen=True)
class Assign(Command):
    """Set the responsible handler."""

    action: ClassVar[str] = "assign"
    assignee: str = ""


@dataclass(frozen=True)
class Consult(Command):
    """Send consultation requests (lấy ý kiến) to agencies; empty means the defaults."""

    action: ClassVar[str] = "consult"
    agencies: tuple[str, ...] = ()
    working_days: int | None = None


@dataclass(frozen=True)
class Respond(Command):
    """An agency answers its consultation request."""

    action: ClassVar[str] = "respond"
    consultation_id: str = ""
    opinion: Opinion = Opinion.agree
    comments: str = ""
    letter_number: str | None = None  # the agency's official letter (văn bản trả lời)
    letter_date: date | None = None
    letter_document_id: str | None = None  # the signed letter, uploaded to the request
    recorder: Actor | None = None  # a handler recording an answer received on paper


@dataclass(frozen=True)
class Propose(Command):
    """Draft the decision for the leader (trình ký)."""

    action: ClassVar[str] = "propose"
    outcome: Outcome = Outcome.approve
    reasons: str = ""
    validity_years: int | None = None


@dataclass(frozen=True)
class Sign(Command):
    """The leader signs the proposed decision."""

    action: ClassVar[str] = "sign"


@dataclass(frozen=True)
class Return(Command):
    """The leader sends the draft back to the handler."""

    action: ClassVar[str] = "return"
    comment: str = ""


@dataclass(frozen=True)
class Extend(Command):
    """Apology and extension letter (form 04): a new appointment date; still late."""

    action: ClassVar[str] = "extend"
    reason: str = ""
    working_days: int = 1


@dataclass(frozen=True)
class Withdraw(Command):
    """The applicant withdraws the dossier."""

    action: ClassVar[str] = "withdraw"
    reason: str = ""


ALL_COMMANDS: tuple[type[Command], ...] = (
    Accept,
    RequestSupplement,
    ReceiveSupplement,
    RejectIntake,
    Assign,
    Consult,
    Respond,
    Propose,
    Sign,
    Return,
    Extend,
    Withdraw,
)
COMMANDS_BY_ACTION: dict[str, type[Command]] = {c.action: c for c in ALL_COMMANDS}


@dataclass(frozen=True)
class RemindConsultation(Command):
    """System: remind an agency that its answer is due soon (nhắc hạn)."""

    action: ClassVar[str] = "remind"
    consultation_id: str = ""


@dataclass(frozen=True)
class ExpireConsultation(Command):
    """System: an agency's due date passed: overdue, or deemed consent by the silence rule."""

    action: ClassVar[str] = "expire-consultation"
    consultation_id: str = ""


@dataclass(frozen=True)
class FlagAtRisk(Command):
    """System: few working days remain before the appointment date."""

    action: ClassVar[str] = "flag-at-risk"


@dataclass(frozen=True)
class FlagLate(Command):
    """System: the appointment date passed without a result (trễ hạn)."""

    action: ClassVar[str] = "flag-late"


@dataclass(frozen=True)
class FlagStepOverdue(Command):
    """System: a step's own deadline passed (the open steps due `due_date`, or all if None)."""

    action: ClassVar[str] = "flag-step-overdue"
    due_date: date | None = None


SYSTEM_COMMANDS: tuple[type[Command], ...] = (
    RemindConsultation,
    ExpireConsultation,
    FlagAtRisk,
    FlagLate,
    FlagStepOverdue,
)
COMMANDS_BY_ACTION.update({c.action: c for c in SYSTEM_COMMANDS})
