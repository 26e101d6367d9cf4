"""The register's invariants: every certificate and NGO-linked dossier points at an NGO that
exists (the link has no foreign key), and each obligation's status agrees with its dates."""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlmodel import col

from flows.service.check.report import Break, CheckReport
from models.certificate import Certificate
from models.dossier import Dossier
from models.ngo import Ngo
from models.obligation import Obligation


def check_register(conn: Connection, report: CheckReport) -> None:
    """Dangling or missing NGO links; obligations whose status contradicts their fields."""
    known = select(col(Ngo.id))
    report.count("ngos", conn.execute(select(func.count()).select_from(Ngo)).scalar_one())
    for cert_id, number in conn.execute(
        select(col(Certificate.id), col(Certificate.number)).where(
            col(Certificate.ngo_id).is_(None) | col(Certificate.ngo_id).not_in(known)
        )
    ):
        report.add(Break("register", f"certificate {number} ({cert_id}) has no NGO"))
    for (dossier_id,) in conn.execute(
        select(col(Dossier.id)).where(
            col(Dossier.ngo_id).is_not(None), col(Dossier.ngo_id).not_in(known)
        )
    ):
        report.add(Break("register", "the dossier names an NGO not in the register", dossier_id))
    rows = conn.execute(
        select(
            col(Obligation.id),
            col(Obligation.status),
            col(Obligation.due_date),
            col(Obligation.received_on),
            col(Obligation.met_late),
            col(Obligation.overdue_at),
        )
    ).all()
    report.count("obligations", len(rows))
    for oid, status, due, received, late, overdue_at in rows:
        if status == "met" and (received is None or late != (received > due)):
            report.add(Break("register", f"obligation {oid} is met without a consistent receipt"))
        elif status == "overdue" and overdue_at is None:
            report.add(Break("register", f"obligation {oid} is overdue without a date"))
        elif status not in ("met", "cancelled") and received is not None:
            report.add(Break("register", f"obligation {oid} has a receipt but is {status}"))
