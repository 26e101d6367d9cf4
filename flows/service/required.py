"""Which agencies the law requires to be consulted on a dossier, from its fields and the
agency registry (a province → its People's Committee, an activity field → its ministry)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from flows.errors import InvalidInput
from flows.procedures.fields import fold
from flows.procedures.schema import ConsultationSource, ProcedureDefinition
from models.agency import Agency


def required_agencies(
    session: Session, procedure: ProcedureDefinition, fields: dict[str, Any]
) -> list[str]:
    """The required agencies in rule order; a province or field nobody answers for is a 422."""
    if not procedure.required_consultations:
        return []
    rows = session.exec(select(Agency).where(col(Agency.active))).all()
    by_province = {fold(p): a.code for a in rows for p in a.provinces}
    by_field = {fold(f): a.code for a in rows for f in a.activity_fields}
    found: list[str] = []
    for rule in procedure.required_consultations:
        value = fields.get(rule.field) if rule.field else None
        if rule.source == ConsultationSource.standing:
            found += rule.agencies
        elif rule.source == ConsultationSource.when_field:
            if value:
                found += rule.agencies
        else:
            names = value if isinstance(value, list) else [value] if value else []
            table = by_province if rule.source == ConsultationSource.provinces else by_field
            what = (
                "People's Committee for province"
                if rule.source == ConsultationSource.provinces
                else "ministry for activity field"
            )
            unknown = [n for n in names if fold(str(n)) not in table]
            if unknown:
                known = sorted({n for a in rows for n in _names(a, rule.source)})
                raise InvalidInput(
                    f"{rule.field}: no {what} {', '.join(repr(n) for n in unknown)} in the "
                    f"agency registry; known: {', '.join(known[:60])}"
                )
            found += [table[fold(str(n))] for n in names]
    return list(dict.fromkeys(found))


def _names(agency: Agency, source: ConsultationSource) -> list[str]:
    return agency.provinces if source == ConsultationSource.provinces else agency.activity_fields
