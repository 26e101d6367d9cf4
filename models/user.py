"""People who sign in (người dùng): one role each, an agency for partner-agency officers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UtcDateTime, utcnow


class User(SQLModel, table=True):
    """A person with one role; API tokens and page sessions both act as a user."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=80, description="Sign-in name (tên đăng nhập).")
    display_name: str = Field(
        index=True, max_length=120, description="Full name, shown as the actor in the trail."
    )
    role: str = Field(max_length=20, description="handler, leader, manager, agency or admin.")
    agency_code: str | None = Field(
        default=None,
        foreign_key="agency.code",
        max_length=40,
        description="The partner agency (cơ quan được lấy ý kiến) of an agency officer.",
    )
    email: str = Field(default="", max_length=320, description="Where notifications go.")
    language: str = Field(default="vi", max_length=2, description="vi or en.")
    active: bool = Field(default=True, description="Disabled users can neither sign in nor act.")
    password_hash: str = Field(default="", max_length=255, description="Argon2; empty: none.")
    failed_logins: int = Field(default=0, description="Failed sign-ins since the last success.")
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    session_epoch: int = Field(
        default=0, description="Raised on disable, role change or password reset: ends sessions."
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
