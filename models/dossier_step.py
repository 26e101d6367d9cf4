"""Work a command leaves for after its commit (bước xử lý): run once as a Prefect flow run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime, utcnow


class DossierStep(SQLModel, table=True):
    """One step of a dossier's review: the side effects of one command or fired timer.

    Written in the command's transaction; its id is derived from the dossier, its version and
    the action, so whatever retries happen the step exists, and runs, once.
    """

    __table_args__ = (Index("ix_dossierstep_due", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=36)
    dossier_id: str = Field(index=True, max_length=36)
    dossier_code: str = Field(max_length=60)
    procedure: str = Field(max_length=80)
    version: int = Field(description="The dossier's version the command produced.")
    name: str = Field(max_length=40, description="The action or timer, e.g. consult, remind.")
    tasks: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="One side effect each: {name, outbox_id} (e.g. request BCA).",
    )
    status: str = Field(default="pending", max_length=20, description="pending, running, done")
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    flow_run_id: str | None = Field(default=None, max_length=36)
    last_error: str | None = Field(default=None)
