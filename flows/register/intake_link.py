"""What the register adds to a dossier received: its NGO and the consultations its risk group
requires (review depth by risk, set per procedure in the scorecard)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from flows.procedures.schema import CertificateEffect, ProcedureDefinition
from flows.register.ngos import ngo_for_dossier
from flows.register.obligations import meet_renewal_filed
from flows.register.risk import extra_agencies, is_fresh, reassess
from flows.service.reference import reference
from models.certificate import Certificate
from models.dossier import Dossier


def link_new_dossier(
    session: Session,
    procedure: ProcedureDefinition,
    fields: dict[str, Any],
    applicant: Any,
    concerned: Certificate | None,
    now: datetime,
) -> tuple[str | None, str | None, list[str]]:
    """(NGO id, its risk group, agencies its group adds) for a dossier being received."""
    ngo, created = ngo_for_dossier(session, procedure, fields, applicant, concerned, now)
    if ngo is None:
        return None, None, []
    if not created and not is_fresh(ngo, now):  # a new NGO has no history to score
        ngo = reassess(session, ngo.id, now, "dossier received")
    known = reference(session).agencies
    extras = [a for a in extra_agencies(session, ngo, procedure.code) if a in known]
    return ngo.id, ngo.risk_group, extras


def after_receipt(
    session: Session,
    procedure: ProcedureDefinition,
    concerned: Certificate | None,
    row: Dossier,
    now: datetime,
) -> None:
    """A renewal received meets the certificate's renewal obligation."""
    rule = procedure.certificate
    if concerned is not None and rule is not None and rule.effect == CertificateEffect.renew:
        meet_renewal_filed(session, concerned, row, now)
