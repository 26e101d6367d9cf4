"""Forms built from a procedure's JSON Schema, and typed text read back as JSON values."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from api.actions import ConsultBody, ProposeBody
from api.web import schema_form
from api.web.schema_form import FormField
from flows.procedures.aid_nonproject_appraise import AidNonProjectFields
from flows.procedures.ngo_operation_amend import OperationAmendFields as AmendFields
from flows.procedures.ngo_operation_issue import OperationIssueFields
from flows.procedures.ngo_operation_reissue import OperationReissueFields as ReissueFields


def _by_name(model: type[BaseModel]) -> dict[str, FormField]:
    """The form fields of a model, by name."""
    return {f.name: f for f in schema_form.fields_of(model.model_json_schema())}


def test_operation_issue_fields_become_lines_and_a_bounded_number() -> None:
    """Lists of strings are one-per-line textareas; the description is the hint."""
    fields = _by_name(OperationIssueFields)
    assert list(fields) == [
        "provinces",
        "activity_fields",
        "requested_validity_years",
        "home_registration_valid_until",
    ]
    provinces = fields["provinces"]
    assert (provinces.kind, provinces.required, provinces.label) == ("lines", True, "Provinces")
    assert "địa bàn hoạt động" in provinces.hint
    years = fields["requested_validity_years"]
    assert (years.kind, years.required, years.minimum, years.maximum, years.default) == (
        "integer",
        False,
        1,
        3,
        3,
    )


def test_enums_booleans_decimals_and_long_text() -> None:
    """Literal → select, bool → checkbox, Decimal (number or string) → decimal text."""
    aid = _by_name(AidNonProjectFields)
    assert aid["kind"].kind == "select"
    assert aid["kind"].options == ("cash", "goods", "experts", "conference", "training")
    assert aid["donor_is_foreign_ngo"].kind == "checkbox"
    assert aid["amount"].kind == "decimal" and aid["amount"].minimum == 0
    assert aid["currency"].kind == "text" and aid["currency"].placeholder == "USD"
    assert aid["goods_list"].kind == "lines" and not aid["goods_list"].required
    reissue = _by_name(ReissueFields)
    assert reissue["explanation"].kind == "textarea"
    assert reissue["certificate_number"].max_length == 120


def test_lists_of_objects_are_json_with_an_example_from_the_referenced_model() -> None:
    """`changes: list[Change]` follows its $ref; the hint shows the expected shape."""
    changes = _by_name(AmendFields)["changes"]
    assert changes.kind == "json" and changes.required
    assert changes.example == '[{"what": "name", "new_value": ""}]'


def test_optional_and_referenced_fields_of_action_bodies() -> None:
    """`int | None` is an optional integer; an enum behind $ref is a select."""
    propose = _by_name(ProposeBody)
    assert propose["outcome"].kind == "select" and propose["outcome"].required
    assert propose["outcome"].options == ("approve", "refuse", "forward")
    assert propose["validity_years"].kind == "integer"
    assert not propose["validity_years"].required and propose["validity_years"].maximum == 10
    assert propose["reasons"].kind == "textarea"
    assert _by_name(ConsultBody)["agencies"].kind == "lines"


def test_prefix_names_the_inputs() -> None:
    """Inputs of a nested model get a dotted prefix."""
    fields = schema_form.fields_of(ReissueFields.model_json_schema(), "fields.")
    assert fields[0].name == "fields.certificate_number"


def test_parse_reads_each_kind() -> None:
    """Lines split and trimmed, numbers read, checkboxes on or off, JSON decoded."""
    fields = [
        *schema_form.fields_of(AidNonProjectFields.model_json_schema()),
        *schema_form.fields_of(AmendFields.model_json_schema()),
    ]
    raw = {
        "donor": [" Quỹ A "],
        "donor_is_foreign_ngo": ["on"],
        "amount": ["1 000.50"],
        "goods_list": ["gạo\r\n\r\n mì \n"],
        "changes": ['[{"what": "name", "new_value": "B"}]'],
        "kind": ["goods"],
    }
    values, problems = schema_form.parse(fields, raw)
    assert problems == {}
    assert values["donor"] == "Quỹ A" and values["donor_is_foreign_ngo"] is True
    assert values["amount"] == "1000.50" and Decimal(values["amount"]) == Decimal("1000.50")
    assert values["goods_list"] == ["gạo", "mì"]
    assert values["changes"] == [{"what": "name", "new_value": "B"}]
    assert values["touches_security_defence_religion"] is False  # an unticked checkbox
    assert "purpose" not in values and "currency" not in values  # empty: left out


def test_parse_reports_what_it_cannot_read_in_the_user_language() -> None:
    """A word for a number, broken JSON: named problems, in Vietnamese or English."""
    fields = [
        *schema_form.fields_of(OperationIssueFields.model_json_schema()),
        *schema_form.fields_of(AmendFields.model_json_schema()),
    ]
    raw = {"requested_validity_years": ["ba"], "changes": ["[{"]}
    _, problems = schema_form.parse(fields, raw, "vi")
    assert problems["requested_validity_years"] == "Phải là số nguyên."
    assert problems["changes"].startswith("JSON không hợp lệ")
    _, problems = schema_form.parse(fields, raw, "en")
    assert problems["requested_validity_years"] == "Must be a whole number."


def test_required_lists_are_sent_empty_so_validation_names_them() -> None:
    """An empty required list stays in the values; the model then says what is missing."""
    fields = schema_form.fields_of(OperationIssueFields.model_json_schema())
    values, _ = schema_form.parse(fields, {"provinces": ["\n  \n"]})
    assert values == {"provinces": [], "activity_fields": []}
    problems = schema_form.check(OperationIssueFields, values, "vi")
    assert problems == {
        "provinces": "Cần ít nhất 1 mục.",
        "activity_fields": "Cần ít nhất 1 mục.",
        "home_registration_valid_until": "Bắt buộc phải nhập.",
    }
    assert (
        schema_form.check(OperationIssueFields, {**values, "requested_validity_years": 9}, "en")[
            "requested_validity_years"
        ]
        == "Must be at most 3."
    )


def test_nested_errors_go_to_the_input_with_the_rest_of_the_location() -> None:
    """An error inside a JSON list item lands on that input, naming the item."""
    problems = schema_form.check(
        AmendFields,
        {"certificate_number": "GĐK-1", "changes": [{"what": "colour", "new_value": "x"}]},
        "en",
    )
    assert problems == {"changes": "0.what: Choose one of the listed values."}


def test_initial_values_show_defaults_as_text() -> None:
    """Defaults become what the form shows, and parse reads them back."""
    fields = schema_form.fields_of(OperationIssueFields.model_json_schema())
    raw = schema_form.initial(fields)
    assert raw == {
        "provinces": [],
        "activity_fields": [],
        "requested_validity_years": ["3"],
        "home_registration_valid_until": [],
    }
    amend = schema_form.fields_of(AmendFields.model_json_schema())
    changes = [{"what": "name", "new_value": "B"}]
    assert (
        schema_form.parse(amend, {"changes": schema_form.as_text(amend[1], changes)})[0]["changes"]
        == changes
    )
