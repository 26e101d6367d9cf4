"""Multipart uploads: one file per named part, no stray file parts (else 422, never "last wins")."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import Depends, Request

from flows.errors import InvalidInput


def one_file_per_part(*fields: str) -> Any:
    """A dependency: each of `fields` comes at most once, and no other part carries a file.

    Starlette keeps every part; FastAPI would silently bind the last of a repeated one."""

    async def check(request: Request) -> None:
        form = await request.form()
        counts = Counter(key for key, _ in form.multi_items() if key in fields)
        repeated = sorted(key for key, n in counts.items() if n > 1)
        if repeated:
            raise InvalidInput(
                f"{', '.join(repeated)}: one file per upload; this request has "
                f"{sum(counts[key] for key in repeated)}"
            )
        stray = sorted(
            {key for key, value in form.multi_items() if key not in fields and _is_file(value)}
        )
        if stray:
            raise InvalidInput(
                f"unexpected file part {', '.join(stray)[:200]}; send the file as "
                f"{' or '.join(fields)}"
            )

    return Depends(check)


def _is_file(value: object) -> bool:
    return not isinstance(value, str)


# The `file` part of the document and letter uploads.
OneFile = Annotated[None, one_file_per_part("file")]
# The two files of an import of historical dossiers.
ImportFiles = Annotated[None, one_file_per_part("dossiers", "consultations")]
