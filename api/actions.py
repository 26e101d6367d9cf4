"""The body of each dossier action, and how it becomes an engine command."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flows.engine import commands as c
from flows.engine.decide import MAX_WORKING_DAYS
from flows.engine.state import Actor
from flows.procedures.schema import Outcome
from models.schemas import Strict

Text = Field(default="", max_length=5000)
# One missing item, one document id, one agency code; and how many of each a body may list.
Item = Annotated[str, Field(min_length=1, max_length=500)]
DocumentId = Annotated[str, Field(min_length=1, max_length=36)]
AgencyCode = Annotated[str, Field(min_length=1, max_length=40)]
MAX_ITEMS = 50


class ActionBody(Strict):
    """Base of action bodies: each knows the command it becomes."""

    def to_command(self, actor: Actor) -> c.Command:
        """The engine command for this body."""
        raise TypeError(f"{type(self).__name__} has no command")


class Empty(ActionBody):
    """No fields."""


class AcceptBody(Empty):
    """No fields: the dossier is complete and valid."""

    def to_command(self, actor: Actor) -> c.Command:
        """Accept."""
        return c.Accept(actor=actor)


class SignBody(Empty):
    """No fields: the leader signs the proposed decision."""

    def to_command(self, actor: Actor) -> c.Command:
        """Sign."""
        return c.Sign(actor=actor)


class RequestSupplementBody(ActionBody):
    """Missing items, listed (form 02)."""

    missing: list[Item] = Field(
        min_length=1, max_length=MAX_ITEMS, examples=[["Certified copy of the charter"]]
    )
    note: str = Text

    def to_command(self, actor: Actor) -> c.Command:
        """RequestSupplement."""
        return c.RequestSupplement(actor=actor, missing=tuple(self.missing), note=self.note)


class ReceiveSupplementBody(ActionBody):
    """What the applicant supplied."""

    note: str = Text
    documents: list[DocumentId] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Ids of uploaded documents."
    )

    def to_command(self, actor: Actor) -> c.Command:
        """ReceiveSupplement."""
        return c.ReceiveSupplement(actor=actor, note=self.note)


class RejectIntakeBody(ActionBody):
    """Why the dossier is refused at intake."""

    reason: str = Field(min_length=1, max_length=5000)

    def to_command(self, actor: Actor) -> c.Command:
        """RejectIntake."""
        return c.RejectIntake(actor=actor, reason=self.reason)


class WithdrawBody(ActionBody):
    """The applicant's reason for withdrawing."""

    reason: str = Field(min_length=1, max_length=5000)

    def to_command(self, actor: Actor) -> c.Command:
        """Withdraw."""
        return c.Withdraw(actor=actor, reason=self.reason)


class AssignBody(ActionBody):
    """The handler to make responsible."""

    assignee: str = Field(min_length=1, max_length=120, examples=["Nguyễn Văn An"])

    def to_command(self, actor: Actor) -> c.Command:
        """Assign."""
        return c.Assign(actor=actor, assignee=self.assignee)


class ConsultBody(ActionBody):
    """Agencies to consult; empty means the procedure's defaults."""

    agencies: list[AgencyCode] = Field(
        default_factory=list, max_length=MAX_ITEMS, examples=[["BCA", "BTC", "BNV"]]
    )
    working_days: int | None = Field(default=None, ge=1, le=MAX_WORKING_DAYS)

    def to_command(self, actor: Actor) -> c.Command:
        """Consult."""
        return c.Consult(actor=actor, agencies=tuple(self.agencies), working_days=self.working_days)


class ProposeBody(ActionBody):
    """The draft decision."""

    outcome: Outcome = Field(examples=["approve"])
    reasons: str = Text
    validity_years: int | None = Field(default=None, ge=1, le=10)

    def to_command(self, actor: Actor) -> c.Command:
        """Propose."""
        return c.Propose(
            actor=actor,
            outcome=self.outcome,
            reasons=self.reasons,
            validity_years=self.validity_years,
        )


class ReturnBody(ActionBody):
    """The leader's comment on a returned draft."""

    comment: str = Field(min_length=1, max_length=5000)

    def to_command(self, actor: Actor) -> c.Command:
        """Return."""
        return c.Return(actor=actor, comment=self.comment)


class ExtendBody(ActionBody):
    """Apology and extension letter (form 04)."""

    reason: str = Field(min_length=1, max_length=5000)
    working_days: int = Field(ge=1, le=MAX_WORKING_DAYS, examples=[5])

    def to_command(self, actor: Actor) -> c.Command:
        """Extend."""
        return c.Extend(actor=actor, reason=self.reason, working_days=self.working_days)


ACTIONS: dict[str, tuple[type[ActionBody], str]] = {
    "accept": (AcceptBody, "Accept as complete and valid; the legal clock starts"),
    "request-supplement": (
        RequestSupplementBody,
        "Ask the applicant for missing documents (stops the clock in review)",
    ),
    "receive-supplement": (
        ReceiveSupplementBody,
        "Record the applicant's supplement; the clock resumes",
    ),
    "reject-intake": (RejectIntakeBody, "Refuse to receive the dossier"),
    "assign": (AssignBody, "Set the responsible handler"),
    "consult": (ConsultBody, "Send consultation requests; each agency gets its own due date"),
    "propose": (ProposeBody, "Draft the decision for the leader"),
    "sign": (SignBody, "Sign and issue the decision"),
    "return": (ReturnBody, "Send the draft back to the handler"),
    "extend": (
        ExtendBody,
        "Apology and extension letter: a new appointment date; the dossier stays late",
    ),
    "withdraw": (WithdrawBody, "The applicant withdrew the dossier"),
}
