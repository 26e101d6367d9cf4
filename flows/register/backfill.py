"""Obligations for certificates that predate the register (migration 0011 linked them to their
NGO without obligations): only what is still ahead of today, never a deadline already past."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from config.settings import get_settings
from flows.calendar import local_date
from flows.register.obligations import ANNUAL_DUE, annual_years, new_obligation
from flows.register.risk import reassess
from flows.service.calendar import load_calendar
from models.certificate import Certificate
from models.db import write_session
from models.obligation import Obligation


def backfill_obligations(engine: Engine, now: datetime) -> dict[str, int]:
    """For each active certificate owing nothing yet: the annual reports due from today on and
    its renewal; a second run adds nothing. Returns {certificates, obligations}."""
    today = local_date(now)
    settings = get_settings()
    with write_session(engine) as session:
        calendar = load_calendar(session)
        owing = select(Obligation.certificate_id).where(col(Obligation.certificate_id).is_not(None))
        certs = session.exec(
            select(Certificate).where(
                Certificate.status == "active",
                col(Certificate.ngo_id).is_not(None),
                col(Certificate.valid_until) >= today,
                col(Certificate.id).not_in(owing),
            )
        ).all()
        made: list[Obligation] = []
        for cert in certs:
            assert cert.ngo_id is not None and cert.valid_until is not None
            known = set(
                session.exec(
                    select(Obligation.period_year).where(
                        Obligation.ngo_id == cert.ngo_id, Obligation.kind == "annual_report"
                    )
                ).all()
            ) | {o.period_year for o in made if o.ngo_id == cert.ngo_id}
            for year in annual_years(cert.valid_from or today, cert.valid_until):
                due = date(year, *ANNUAL_DUE)
                if due >= today and year not in known:
                    made.append(
                        new_obligation(
                            "annual_report",
                            cert.ngo_id,
                            due,
                            now,
                            calendar,
                            settings,
                            certificate_id=cert.id,
                            dossier_id=cert.issued_by_dossier,
                            period_year=year,
                        )
                    )
            made.append(
                new_obligation(
                    "renewal",
                    cert.ngo_id,
                    cert.valid_until,
                    now,
                    calendar,
                    settings,
                    certificate_id=cert.id,
                    dossier_id=cert.issued_by_dossier,
                )
            )
        session.add_all(made)
        session.flush()
        for ngo_id in sorted({c.ngo_id for c in certs if c.ngo_id}):
            reassess(session, ngo_id, now, "obligations backfilled")
        return {"certificates": len(certs), "obligations": len(made)}
