"""The one Settings object: environment variables prefixed NGO_REVIEW_, or a .env file.

This is the only module that reads or writes `os.environ`; everything else is given a Settings.
Prefect reads its own configuration from the environment, so what it must see is exported here.
"""

from __future__ import annotations

import os
import secrets
from datetime import time
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of ngo-review; every field can be set as NGO_REVIEW_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="NGO_REVIEW_", env_file=".env", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Where embedded state lives.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL of the dossier database; default var/ngo-review.db."
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public URL used in e-mail links."
    )
    prefect_port: int = Field(
        default=4200,
        description="Port of the local Prefect server serve starts (next free one if taken).",
    )
    prefect_api_url: str = Field(
        default="",
        validation_alias=AliasChoices("PREFECT_API_URL", "NGO_REVIEW_PREFECT_API_URL"),
        description="API of the Prefect server to use (PREFECT_API_URL); empty: serve starts one.",
    )
    secret_key: str = Field(
        default="", description="Signs reply links; generated under var/ when empty."
    )
    receiving_agency: str = Field(
        default="", description="Override of the receiving agency code used in dossier codes."
    )
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, description="Largest upload accepted.")
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest request body (JSON, form) accepted; beyond it 413 `too_large`."
        " Multipart bodies of routes that take a file may be max_upload_bytes (+64 KiB).",
    )
    max_in_flight: int = Field(
        default=64,
        ge=0,
        description="Requests handled at once; beyond it 503 `overloaded` with Retry-After at"
        " once instead of queueing (/health is exempt). 0 sheds nothing.",
    )
    smtp_host: str = Field(default="", description="SMTP server; empty runs a local sink.")
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_username: str = Field(default="", description="SMTP login, when the server needs one.")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with TLS.")
    mail_from: str = Field(
        default="ngo-review@localhost", description="Sender address of notifications."
    )
    smtp_timeout: float = Field(default=30.0, description="Seconds before an SMTP call fails.")
    step_concurrency: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Dossier steps a serve/worker process runs at once: 1 against a Prefect"
        " server on SQLite (the local one), 2-4 against one on PostgreSQL.",
    )
    delivery_max_attempts: int = Field(
        default=8, description="Attempts before a message is dead and administrators alerted."
    )
    delivery_backoff_seconds: float = Field(
        default=30.0, description="First retry delay; doubles with each failed attempt."
    )
    obligation_reminder_working_days: int = Field(
        default=5,
        ge=0,
        le=60,
        description="An NGO is reminded of an obligation this many working days before it is due.",
    )
    renewal_reminder_days: int = Field(
        default=90,
        ge=0,
        le=730,
        description="An NGO is reminded to renew this many days before its certificate expires.",
    )
    public_lookups_per_10_minutes: int = Field(
        default=30,
        ge=0,
        description="Public status lookups one address may make in 10 minutes (0: no limit).",
    )
    reply_link_days: int = Field(
        default=30, description="Agency reply links stay valid this many days after due date."
    )
    session_minutes: int = Field(
        default=120, ge=5, description="A page session ends after this many idle minutes."
    )
    demo_password: str = Field(
        default="demo-password-2026", description="Password of the demo users (serve --demo)."
    )
    admin_emails: str = Field(
        default="", description="Comma-separated administrators alerted about dead messages."
    )
    office_hours_end: str = Field(
        default="",
        pattern=r"^$|^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description=(
            "End of office hours (HH:MM, Asia/Ho_Chi_Minh): a dossier received after it, or on a"
            " non-working day, counts as received the next working day; empty: no cut-off."
        ),
    )

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in var/secret-key."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def office_hours_cutoff(self) -> time | None:
        """`office_hours_end` as a local time, or None when there is no cut-off."""
        return time.fromisoformat(self.office_hours_end) if self.office_hours_end else None

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under var_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'ngo-review.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()


def env_name(field: str) -> str:
    """The environment variable that sets `field`."""
    return "PREFECT_API_URL" if field == "prefect_api_url" else f"NGO_REVIEW_{field.upper()}"


def override(settings: Settings, **changes: object) -> Settings:
    """`settings` with `changes`, exported too: Prefect's runner starts manual runs as child
    processes, which read their settings from the environment they inherit."""
    for field, value in changes.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        os.environ[env_name(field)] = text
    get_settings.cache_clear()
    return settings.model_copy(update=changes)


def prefect_defaults(**values: str) -> None:
    """Defaults for Prefect's own settings (PREFECT_<NAME>) unless the operator set them."""
    for name, value in values.items():
        os.environ.setdefault(f"PREFECT_{name}", value)


def child_environment(
    defaults: dict[str, str], values: dict[str, str], drop: tuple[str, ...] = ()
) -> dict[str, str]:
    """The environment for a child process: `defaults` under ours, `values` on top."""
    env = {**defaults, **os.environ, **values}
    for name in drop:
        env.pop(name, None)
    return env
