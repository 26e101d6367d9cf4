"""Defining procedures as data: the two issuance procedures of Decree 58/2022 and their fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from flows.procedures import REGISTRY, ProcedureRegistry, fields_model, ngo_office_issue
from flows.procedures import ngo_operation_issue as operation_issue
from flows.procedures.ngo_office_issue import OfficeIssueFields
from flows.procedures.ngo_operation_issue import OperationIssueFields
from flows.procedures.schema import ProcedureDefinition, Role, Status

CODES = ("ngo.operation.issue", "ngo.office.issue")
DEFINITIONS = tuple(REGISTRY.latest())
OPERATION_ISSUE = operation_issue.DEFINITION
OFFICE_ISSUE = ngo_office_issue.DEFINITION
HOME = {"home_registration_valid_until": "2030-12-31"}


@pytest.mark.parametrize("code", CODES)
def test_both_issuance_procedures_load_from_the_registry(code: str) -> None:
    definition = REGISTRY.get(code)
    assert definition is not None
    assert definition.code == code
    assert REGISTRY.get(code, 1) is definition
    assert definition in REGISTRY.latest()


def test_an_unknown_procedure_or_version_is_none() -> None:
    assert REGISTRY.get("ngo.unknown") is None
    assert REGISTRY.get("ngo.operation.issue", 99) is None


@pytest.mark.parametrize("code", CODES)
def test_deadlines_follow_decree_58(code: str) -> None:
    definition = REGISTRY.get(code)
    assert definition is not None
    assert definition.total_working_days == 30
    assert definition.consultation_working_days == 10
    assert definition.intake_working_days == 2
    assert "Decree 58/2022" in definition.legal_basis
    assert definition.clock_stops_on_supplement
    steps = {s.name: s for s in definition.steps}
    assert steps["intake"].working_days == 2
    assert steps["consultation"].working_days == 10
    assert steps["decision"].working_days == 10


def test_validity_limits() -> None:
    operation = REGISTRY.get("ngo.operation.issue")
    office = REGISTRY.get("ngo.office.issue")
    assert operation is not None and office is not None
    assert operation.validity_years_max == 3
    assert office.validity_years_max == 5
    assert operation.certificate is not None and office.certificate is not None
    assert operation.certificate.number_prefix == "GĐK"
    assert office.certificate.number_prefix == "VPĐD"


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.code)
def test_every_transition_starts_from_known_statuses(definition: ProcedureDefinition) -> None:
    known = set(Status)
    assert definition.transitions
    for t in definition.transitions:
        assert t.from_statuses, t.action
        assert set(t.from_statuses) <= known, t.action
        assert t.to_status is None or t.to_status in known
        assert t.roles and set(t.roles) <= set(Role), t.action
    for step in definition.steps:
        assert set(step.statuses) <= known


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.code)
def test_action_names_are_unique(definition: ProcedureDefinition) -> None:
    assert len(definition.actions) == len(set(definition.actions))
    assert definition.transition("accept") is not None
    assert definition.transition("no-such-action") is None


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.code)
def test_the_fields_model_is_registered(definition: ProcedureDefinition) -> None:
    model = fields_model(definition)
    assert model is definition.fields_schema
    stored = ProcedureDefinition.model_validate(definition.model_dump(mode="json"))
    assert stored == definition  # a published version stores the class by name


def test_definitions_are_frozen() -> None:
    with pytest.raises(ValidationError):
        OPERATION_ISSUE.total_working_days = 40  # type: ignore[misc]


# --- Representative office: only Hà Nội, Đà Nẵng or TP Hồ Chí Minh (Art 14) --------------------


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Hà Nội", "Hà Nội"),
        ("Ha Noi", "Hà Nội"),
        ("  hanoi ", "Hà Nội"),
        ("Da Nang", "Đà Nẵng"),
        ("Đà Nẵng", "Đà Nẵng"),
        ("TP. Hồ Chí Minh", "TP Hồ Chí Minh"),
        ("Ho Chi Minh City", "TP Hồ Chí Minh"),
        ("TP HCM", "TP Hồ Chí Minh"),
    ],
)
def test_an_office_city_is_normalised(given: str, canonical: str) -> None:
    fields = OfficeIssueFields(
        office_province=given,
        office_address="1 Tràng Tiền",
        activity_fields=["health"],
        home_registration_valid_until="2030-12-31",  # type: ignore[arg-type]
    )
    assert fields.office_province == canonical
    assert fields.requested_validity_years == 5


@pytest.mark.parametrize("city", ["Hải Phòng", "Hai Phong", "Huế", ""])
def test_an_office_outside_the_three_cities_is_refused(city: str) -> None:
    with pytest.raises(ValidationError) as info:
        OfficeIssueFields(
            office_province=city,
            office_address="1 Lạch Tray",
            activity_fields=["education"],
            home_registration_valid_until="2030-12-31",  # type: ignore[arg-type]
        )
    message = str(info.value)
    for name in ("Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh"):
        assert name in message


def test_office_validity_is_at_most_five_years() -> None:
    with pytest.raises(ValidationError):
        OfficeIssueFields(
            office_province="Hà Nội",
            office_address="x",
            activity_fields=["health"],
            requested_validity_years=6,
            home_registration_valid_until="2030-12-31",  # type: ignore[arg-type]
        )


def test_operation_fields_validate() -> None:
    fields = OperationIssueFields.model_validate(
        {"provinces": ["Quảng Trị"], "activity_fields": ["demining"], **HOME}
    )
    assert fields.requested_validity_years == 3
    with pytest.raises(ValidationError):
        OperationIssueFields.model_validate({"provinces": [], "activity_fields": ["x"], **HOME})
    with pytest.raises(ValidationError):
        OperationIssueFields.model_validate(
            {"provinces": ["Quảng Trị"], "activity_fields": ["x"], "requested_validity_years": 4}
            | HOME
        )
    with pytest.raises(ValidationError, match="home_registration_valid_until"):
        OperationIssueFields.model_validate({"provinces": ["Quảng Trị"], "activity_fields": ["x"]})


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (OperationIssueFields, {"provinces": ["Quảng Trị"], "activity_fields": ["health"]}),
        (
            OfficeIssueFields,
            {"office_province": "Hà Nội", "office_address": "x", "activity_fields": ["health"]},
        ),
    ],
)
def test_unknown_fields_are_refused(model: type, data: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="extra"):
        model(**data, **HOME, provinec="Hà Nội")


# --- Registry -----------------------------------------------------------------------------------


def test_a_version_cannot_be_replaced_by_a_different_definition() -> None:
    registry = ProcedureRegistry()
    changed = OPERATION_ISSUE.model_copy(update={"total_working_days": 40})
    with pytest.raises(ValueError, match="already exists"):
        registry.add(changed)
    assert registry.get("ngo.operation.issue") == OPERATION_ISSUE


def test_registering_the_same_definition_again_is_harmless() -> None:
    registry = ProcedureRegistry()
    registry.add(OFFICE_ISSUE)
    assert registry.get("ngo.office.issue") == OFFICE_ISSUE


def test_a_new_version_becomes_the_latest() -> None:
    registry = ProcedureRegistry()
    v2 = OPERATION_ISSUE.model_copy(update={"version": 2, "total_working_days": 25})
    registry.add(v2)
    assert registry.get("ngo.operation.issue") == v2
    assert registry.get("ngo.operation.issue", 1) == OPERATION_ISSUE
    assert REGISTRY.get("ngo.operation.issue") == OPERATION_ISSUE
