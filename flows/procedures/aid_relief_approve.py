"""aid.relief.approve: receiving and approving emergency relief aid (viện trợ khẩn cấp).

Decree 50/2020/NĐ-CP: relief for a disaster is approved within 3 days of a complete dossier and
only within 3 months of the disaster; consultation optional, silence is agreement. Everything
this procedure does is stated here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from flows.procedures.common import (
    AID_FORWARD_FIELDS,
    AID_FORWARD_TEXT_EN,
    AID_FORWARD_TEXT_VI,
    EXTENSION_ONCE,
    INTAKE_SUPPLEMENT_ONCE,
    PROVINCE_FINANCE,
    PROVINCE_PPC,
    STANDARD_TRANSITIONS,
    decision_step,
    intake_step,
)
from flows.procedures.fields import MAX_ITEMS, FieldsBase, NonEmpty
from flows.procedures.schema import (
    ConsultationMode,
    ForwardRule,
    IntakeWindow,
    Outcome,
    ProcedureDefinition,
    SilenceRule,
)


class ReliefFields(FieldsBase):
    """Emergency relief (Decree 50/2020)."""

    donor: NonEmpty = Field(json_schema_extra={"title_vi": "Bên tài trợ"})
    amount: Decimal = Field(
        json_schema_extra={"title_vi": "Giá trị khoản viện trợ"},
        gt=0,
        max_digits=18,
        decimal_places=2,
    )
    currency: str = Field(json_schema_extra={"title_vi": "Loại tiền"}, pattern="^[A-Z]{3}$")
    province: NonEmpty = Field(json_schema_extra={"title_vi": "Tỉnh, thành phố"})
    disaster: NonEmpty = Field(
        json_schema_extra={"title_vi": "Thiên tai, tình trạng khẩn cấp"},
        description="The disaster or emergency relieved.",
    )
    disaster_date: date = Field(
        json_schema_extra={"title_vi": "Ngày xảy ra thiên tai"},
        description="Relief is received only within 3 months of this day (Decree 50/2020).",
    )
    items: list[NonEmpty] = Field(
        max_length=MAX_ITEMS,
        json_schema_extra={"title_vi": "Danh mục hàng cứu trợ"},
        default_factory=list,
    )
    touches_security_defence_religion: bool = Field(
        default=False, json_schema_extra={"title_vi": "Liên quan đến an ninh, quốc phòng, tôn giáo"}
    )
    for_legal_drafting: bool = Field(
        default=False,
        json_schema_extra={"title_vi": "Viện trợ cho xây dựng văn bản quy phạm pháp luật"},
    )
    includes_listed_goods: bool = Field(
        default=False,
        json_schema_extra={"title_vi": "Có hàng hóa thuộc danh mục phải trình Thủ tướng"},
    )


DEFINITION = ProcedureDefinition(
    code="aid.relief.approve",
    version=1,
    title_vi="Tiếp nhận, phê duyệt viện trợ khẩn cấp khắc phục hậu quả thiên tai",
    title_en="Approve emergency relief aid",
    legal_basis="Decree 50/2020/NĐ-CP: approval within 3 days of a complete dossier (working "
    "days); aid received and used within 3 months of the disaster; consultation optional.",
    level="provincial",
    receiving_agency=PROVINCE_FINANCE,
    deciding_agency=PROVINCE_PPC,
    intake_working_days=1,
    total_working_days=3,
    consultation_working_days=1,
    reminder_working_days_before=0,
    at_risk_working_days=1,
    consultation_mode=ConsultationMode.chosen,
    default_agencies=(),
    silence_rule=SilenceRule.deemed_consent,
    clock_stops_on_supplement=False,
    once_only=(INTAKE_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    outcomes=(Outcome.approve, Outcome.refuse, Outcome.forward),
    forward=ForwardRule(
        when_any_field=AID_FORWARD_FIELDS, text_vi=AID_FORWARD_TEXT_VI, text_en=AID_FORWARD_TEXT_EN
    ),
    intake_window=IntakeWindow(
        field="disaster_date",
        months=3,
        legal_basis="Decree 50/2020/NĐ-CP: emergency relief is aid received and used within 3 "
        "months of the disaster.",
    ),
    fields_schema=ReliefFields,
    steps=(
        intake_step(1, "Decree 50/2020/NĐ-CP: received and checked within 1 WD (assumed)."),
        decision_step(2, "Phê duyệt", "Approval", "Decree 50/2020/NĐ-CP: within the 3 days."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
