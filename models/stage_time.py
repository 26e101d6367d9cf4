"""How long each finished step of a dossier took, recorded when the step ends."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class StageTime(SQLModel, table=True):
    """One finished step (bước): receipt to acceptance, request to answer, and so on."""

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=36)
    stage: str = Field(
        max_length=30,
        description="intake (receipt → acceptance), consultation (request → answer or deemed "
        "consent, per agency), drafting (acceptance or last answer → proposal), signature "
        "(proposal → signature).",
    )
    agency_code: str | None = Field(
        default=None, max_length=40, description="The consulted agency, for consultation."
    )
    started_on: date = Field(description="Local date the step started.")
    ended_on: date = Field(description="Local date the step ended.")
    working_days: int = Field(
        description="Working days from the working day after the start up to and including "
        "the end (clock stops not deducted)."
    )
    procedure: str = Field(max_length=80)
    receiving_agency: str = Field(max_length=40)
