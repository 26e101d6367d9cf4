"""The bounded `offset` parameter shared by every list route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Far beyond any real list, and far below the 64-bit integers the databases bind: a larger
# offset is a 422, never an overflow inside the database driver.
MAX_OFFSET = 10_000_000

Offset = Annotated[
    int,
    Query(ge=0, le=MAX_OFFSET, description=f"Items to skip, 0 to {MAX_OFFSET:,}.", examples=[0]),
]
