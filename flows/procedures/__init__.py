"""Procedure definitions as data, one file per procedure, and the registry that finds them."""

from __future__ import annotations

from flows.procedures import (
    aid_nonproject_appraise,
    aid_project_appraise,
    aid_relief_approve,
    ngo_office_amend,
    ngo_office_issue,
    ngo_office_reissue,
    ngo_office_renew,
    ngo_operation_amend,
    ngo_operation_issue,
    ngo_operation_reissue,
    ngo_operation_renew,
    ngo_project_office_close,
    ngo_project_office_renew,
    province_opinion,
)
from flows.procedures.fields import FieldsBase
from flows.procedures.schema import ProcedureDefinition

_BUILT_IN: tuple[ProcedureDefinition, ...] = tuple(
    module.DEFINITION
    for module in (
        ngo_operation_issue,
        ngo_office_issue,
        ngo_operation_renew,
        ngo_office_renew,
        ngo_operation_amend,
        ngo_office_amend,
        ngo_operation_reissue,
        ngo_office_reissue,
        ngo_project_office_renew,
        ngo_project_office_close,
        province_opinion,
        aid_project_appraise,
        aid_nonproject_appraise,
        aid_relief_approve,
    )
)


class ProcedureRegistry:
    """Every known (code, version) of every procedure."""

    def __init__(self, definitions: tuple[ProcedureDefinition, ...] = _BUILT_IN) -> None:
        self._by_key: dict[tuple[str, int], ProcedureDefinition] = {}
        for definition in definitions:
            self.add(definition)

    def add(self, definition: ProcedureDefinition) -> None:
        """Register a version; an existing (code, version) cannot be replaced."""
        key = (definition.code, definition.version)
        if key in self._by_key and self._by_key[key] != definition:
            raise ValueError(f"{definition.code} v{definition.version} already exists")
        self._by_key[key] = definition

    def get(self, code: str, version: int | None = None) -> ProcedureDefinition | None:
        """A given version, or the latest one when version is None."""
        if version is not None:
            return self._by_key.get((code, version))
        versions = [v for (c, v) in self._by_key if c == code]
        return self._by_key[(code, max(versions))] if versions else None

    def latest(self) -> list[ProcedureDefinition]:
        """The latest version of every procedure, by code."""
        codes = sorted({c for (c, _) in self._by_key})
        return [d for d in (self.get(c) for c in codes) if d is not None]


def certificate_types(definitions: tuple[ProcedureDefinition, ...] = _BUILT_IN) -> list[str]:
    """The certificate types the procedures issue or change (operation, office, ...)."""
    return sorted({d.certificate.type for d in definitions if d.certificate is not None})


def fields_model(definition: ProcedureDefinition) -> type[FieldsBase]:
    """The pydantic model that validates a dossier's own fields for this procedure."""
    return definition.fields_schema


REGISTRY = ProcedureRegistry()
