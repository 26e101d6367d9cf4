"""Pages of the leader area (being built)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.web.page import check_csrf

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
