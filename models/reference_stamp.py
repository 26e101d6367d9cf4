"""The reference-data stamp: raised by database triggers whenever reference data changes."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class ReferenceStamp(SQLModel, table=True):
    """One row: `n` counts changes of agencies, users, calendar overrides and procedure
    versions (raised by triggers, whoever writes); `epoch` is new for every database created
    or restored, so caches of two databases at the same URL never mix."""

    id: int = Field(default=1, primary_key=True)
    epoch: str = Field(max_length=40)
    n: int = Field(default=0)
