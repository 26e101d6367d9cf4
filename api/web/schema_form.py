"""Forms from a JSON Schema (a procedure's own fields), and what was typed back to JSON values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

Kind = Literal[
    "text",
    "textarea",
    "email",
    "date",
    "select",
    "integer",
    "number",
    "decimal",
    "checkbox",
    "lines",
    "json",
]

# Strings allowed to be longer than this get a textarea rather than a one-line input.
LONG_TEXT = 300

Raw = dict[str, list[str]]


@dataclass(frozen=True)
class FormField:
    """One input of a form built from a JSON Schema property."""

    name: str
    label: str
    kind: Kind
    required: bool
    hint: str = ""
    options: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    placeholder: str = ""
    example: str = ""
    default: Any = None
    label_vi: str = ""


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """The schema node with `$ref` and single-item `allOf` replaced by what they point to."""
    merged = {k: v for k, v in node.items() if k not in ("$ref", "allOf")}
    targets: list[Mapping[str, Any]] = list(node.get("allOf", []))
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        targets.append(defs.get(ref.removeprefix("#/$defs/"), {}))
    for target in targets:
        resolved = _resolve(target, defs)
        merged = {**resolved, **merged}
    return merged


def _without_null(node: dict[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """`X | None` read as X; other `anyOf`s are kept as they are."""
    options = [_resolve(o, defs) for o in node.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        rest = {k: v for k, v in node.items() if k != "anyOf"}
        return {**options[0], **rest}
    if options:
        return {**node, "anyOf": options}
    return node


def example_of(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Any:
    """A skeleton value of the schema, to show what a JSON field expects."""
    node = _without_null(_resolve(node, defs), defs)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {name: example_of(sub, defs) for name, sub in node.get("properties", {}).items()}
    if kind == "array":
        return [example_of(node.get("items", {}), defs)]
    return {"integer": 0, "number": 0, "boolean": False}.get(str(kind), "")


def _kind(node: dict[str, Any], defs: Mapping[str, Any]) -> Kind:
    """Which input suits the schema node."""
    if "anyOf" in node:
        types = {o.get("type") for o in node["anyOf"]}
        return "decimal" if types == {"number", "string"} else "json"
    kind = node.get("type")
    if "enum" in node:
        return "select"
    if kind == "string":
        fmt = node.get("format")
        if fmt in ("email", "date"):
            return "email" if fmt == "email" else "date"
        length = node.get("maxLength")
        return "textarea" if length is not None and length > LONG_TEXT else "text"
    if kind in ("integer", "number"):
        return "integer" if kind == "integer" else "number"
    if kind == "boolean":
        return "checkbox"
    if kind == "array":
        items = _without_null(_resolve(node.get("items", {}), defs), defs)
        return "lines" if items.get("type") == "string" else "json"
    return "json"


def _bound(node: Mapping[str, Any], *keys: str) -> float | None:
    """The first numeric bound found in the node or its `anyOf` branches."""
    for branch in (node, *node.get("anyOf", [])):
        for key in keys:
            if isinstance(branch.get(key), int | float):
                return float(branch[key])
    return None


def fields_of(schema: Mapping[str, Any], prefix: str = "") -> list[FormField]:
    """The form inputs of an object schema, in its property order (names after `prefix`)."""
    defs: Mapping[str, Any] = schema.get("$defs", {})
    required = set(schema.get("required", []))
    found: list[FormField] = []
    for name, prop in schema.get("properties", {}).items():
        node = _without_null(_resolve(prop, defs), defs)
        kind = _kind(node, defs)
        examples = node.get("examples") or []
        found.append(
            FormField(
                name=prefix + name,
                label=str(node.get("title") or name.replace("_", " ").capitalize()),
                kind=kind,
                required=name in required,
                hint=str(node.get("description") or ""),
                options=tuple(str(o) for o in node.get("enum", [])),
                max_length=node.get("maxLength"),
                minimum=_bound(node, "minimum", "exclusiveMinimum"),
                maximum=_bound(node, "maximum", "exclusiveMaximum"),
                placeholder=str(examples[0]) if examples else "",
                example=json.dumps(example_of(node, defs), ensure_ascii=False)
                if kind == "json"
                else "",
                default=node.get("default"),
                label_vi=str(node.get("title_vi") or ""),
            )
        )
    return found


def as_text(field: FormField, value: Any) -> list[str]:
    """A JSON value as the form shows it (the inverse of `parse`)."""
    if value is None:
        return []
    if field.kind == "checkbox":
        return ["on"] if value else []
    if field.kind == "lines":
        return ["\n".join(str(v) for v in value)] if isinstance(value, list) else [str(value)]
    if field.kind == "json":
        return [json.dumps(value, ensure_ascii=False, indent=1)]
    return [str(value)]


def initial(fields: Iterable[FormField]) -> Raw:
    """What a fresh form shows: each field's default."""
    return {f.name: as_text(f, f.default) for f in fields}


def read(form: Any, names: Iterable[str]) -> Raw:
    """What was typed in the named inputs of a submitted form (files ignored)."""
    return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in names}


def text_of(raw: Mapping[str, list[str]], name: str) -> str:
    """One input's typed text, or empty."""
    values = raw.get(name) or [""]
    return "\n".join(values)


MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Bắt buộc phải nhập.", "Required."),
    "too_short": ("Cần ít nhất {min_length} mục.", "At least {min_length} item(s)."),
    "too_long": ("Nhiều nhất {max_length} mục.", "At most {max_length} item(s)."),
    "string_too_short": ("Cần ít nhất {min_length} ký tự.", "At least {min_length} character(s)."),
    "string_too_long": ("Nhiều nhất {max_length} ký tự.", "At most {max_length} characters."),
    "string_pattern_mismatch": ("Không đúng định dạng.", "Not in the expected format."),
    "greater_than_equal": ("Không được nhỏ hơn {ge}.", "Must be at least {ge}."),
    "greater_than": ("Phải lớn hơn {gt}.", "Must be more than {gt}."),
    "less_than_equal": ("Không được lớn hơn {le}.", "Must be at most {le}."),
    "less_than": ("Phải nhỏ hơn {lt}.", "Must be less than {lt}."),
    "int_parsing": ("Phải là số nguyên.", "Must be a whole number."),
    "int_type": ("Phải là số nguyên.", "Must be a whole number."),
    "int_from_float": ("Phải là số nguyên.", "Must be a whole number."),
    "float_parsing": ("Phải là số.", "Must be a number."),
    "decimal_parsing": ("Phải là số (dấu chấm thập phân).", "Must be a number (decimal point)."),
    "decimal_type": ("Phải là số.", "Must be a number."),
    "decimal_max_digits": ("Quá nhiều chữ số.", "Too many digits."),
    "decimal_max_places": ("Quá nhiều chữ số thập phân.", "Too many decimal places."),
    "literal_error": ("Hãy chọn một giá trị trong danh sách.", "Choose one of the listed values."),
    "enum": ("Hãy chọn một giá trị trong danh sách.", "Choose one of the listed values."),
    "bool_parsing": ("Phải là có hoặc không.", "Must be yes or no."),
    "list_type": ("Phải là một danh sách.", "Must be a list."),
    "string_type": ("Phải là chữ.", "Must be text."),
    "extra_forbidden": ("Trường này không được phép.", "This field is not allowed."),
    "json_invalid": ("JSON không hợp lệ: {error}", "Not valid JSON: {error}"),
}


def message(error: ErrorDetails, lang: str) -> str:
    """A pydantic error in the user's language (its own text when there is no translation)."""
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    kind = error["type"]
    if kind == "string_too_short" and context.get("min_length") == "1":
        kind = "missing"  # an empty required text
    pair = MESSAGES.get(kind)
    if pair is None:
        return str(error["msg"]).removeprefix("Value error, ")
    template = pair[1] if lang == "en" else pair[0]
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return str(error["msg"])


def _problem(kind: str, lang: str, **ctx: Any) -> str:
    """One of MESSAGES, filled in."""
    vi, en = MESSAGES[kind]
    return (en if lang == "en" else vi).format(**ctx)


def parse(
    fields: Iterable[FormField], raw: Mapping[str, list[str]], lang: str = "vi"
) -> tuple[dict[str, Any], dict[str, str]]:
    """JSON values from what was typed, and the inputs that could not be read (by name)."""
    # An empty input is left out, so that the model applies its default or says it is
    # required; an empty list of lines is kept when required, for the same message.
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in fields:
        typed = [v for v in raw.get(field.name, []) if v is not None]
        text = "\n".join(typed).strip()
        if field.kind == "checkbox":
            values[field.name] = text.lower() in ("on", "true", "1", "yes")
        elif field.kind == "lines":
            items = [line.strip() for v in typed for line in v.splitlines() if line.strip()]
            if items or field.required:
                values[field.name] = items
        elif not text:
            continue
        elif field.kind == "integer":
            try:
                values[field.name] = int(text.replace(" ", ""))
            except ValueError:
                problems[field.name] = _problem("int_parsing", lang)
        elif field.kind in ("number", "decimal"):
            number = text.replace(" ", "")
            try:
                Decimal(number)
            except InvalidOperation:
                problems[field.name] = _problem("decimal_parsing", lang)
            else:
                values[field.name] = number if field.kind == "decimal" else float(number)
        elif field.kind == "json":
            try:
                values[field.name] = json.loads(text)
            except json.JSONDecodeError as exc:
                problems[field.name] = _problem("json_invalid", lang, error=exc.msg)
        else:
            values[field.name] = text
    return values, problems


def problems_of(exc: ValidationError, lang: str, names: Iterable[str]) -> dict[str, str]:
    """Validation errors by input name ("" for errors that name no input)."""
    # An error goes to the input named by the longest dotted prefix of its location; the rest
    # of the location (an item of a JSON list, say) leads its message.
    known = set(names)
    problems: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        key, rest = "", loc
        for cut in range(len(loc), 0, -1):
            if ".".join(loc[:cut]) in known:
                key, rest = ".".join(loc[:cut]), loc[cut:]
                break
        text = message(error, lang)
        if rest:
            text = f"{'.'.join(rest)}: {text}"
        problems[key] = f"{problems[key]} {text}" if key in problems else text
    return problems


def check(
    model: type[BaseModel], values: Mapping[str, Any], lang: str, names: Iterable[str] = ()
) -> dict[str, str]:
    """The model's complaints about the values, by input name (none: valid)."""
    try:
        model.model_validate(dict(values))
    except ValidationError as exc:
        return problems_of(exc, lang, names or model.model_fields)
    return {}
