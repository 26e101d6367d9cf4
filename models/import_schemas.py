"""Shapes of the import of historical dossiers (`POST /imports/dossiers`, `ngo-review import`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportProblem(BaseModel):
    """One bad cell (or row, or header) of an import file."""

    file: str = Field(examples=["dossiers.csv"], description="The file's name.")
    line: int = Field(
        examples=[7], description="Line of the CSV file (the header is line 1), or XLSX row."
    )
    column: str = Field(examples=["accepted_at"], description="The column, or '' for a row.")
    reason: str = Field(examples=["before received_at (2025-03-04)"])


class ImportReport(BaseModel):
    """What was imported (or, in a dry run, would be): all or nothing."""

    dossiers: int
    consultations: int
    dry_run: bool
    by_status: dict[str, int] = Field(
        description="Imported dossiers per status.", examples=[{"approved": 10, "in_review": 2}]
    )
