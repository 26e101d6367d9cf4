"""aid.nonproject.appraise: appraising and approving foreign non-project aid (viện trợ phi dự án).

Decree 313/2025/NĐ-CP (in force from 08/12/2025, replacing Decree 80/2020/NĐ-CP): the
provincial Department of Finance receives, members give written opinions, the People's Committee
approves, refuses, or forwards what is for the Prime Minister. Everything it does is here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flows.procedures.common import (
    AID_FORWARD_FIELDS,
    AID_FORWARD_TEXT_EN,
    AID_FORWARD_TEXT_VI,
    EXTENSION_ONCE,
    INTAKE_SUPPLEMENT_ONCE,
    PROVINCE_FINANCE,
    PROVINCE_FOREIGN_AFFAIRS,
    PROVINCE_FRIENDSHIP,
    PROVINCE_POLICE,
    PROVINCE_PPC,
    REVIEW_SUPPLEMENT_ONCE,
    STANDARD_TRANSITIONS,
    answers_step,
    decision_step,
    intake_step,
    requests_step,
)
from flows.procedures.fields import MAX_ITEMS, AidFields, NonEmpty
from flows.procedures.schema import (
    ConsultationMode,
    ConsultationSource,
    ForwardRule,
    Outcome,
    ProcedureDefinition,
    RequiredConsultation,
    SilenceRule,
)


class AidNonProjectFields(AidFields):
    """Non-project aid: cash, goods, experts, conferences, training."""

    kind: Literal["cash", "goods", "experts", "conference", "training"] = Field(
        json_schema_extra={"title_vi": "Loại viện trợ"}
    )
    purpose: NonEmpty = Field(json_schema_extra={"title_vi": "Mục đích"})
    goods_list: list[NonEmpty] = Field(
        max_length=MAX_ITEMS,
        json_schema_extra={"title_vi": "Danh mục hàng hóa"},
        default_factory=list,
    )


DEFINITION = ProcedureDefinition(
    code="aid.nonproject.appraise",
    version=1,
    title_vi="Thẩm định, phê duyệt khoản viện trợ phi dự án",
    title_en="Appraise and approve non-project aid",
    legal_basis=(
        "Decree 313/2025/NĐ-CP (in force from 08/12/2025; replaced Decree 80/2020/NĐ-CP): "
        "non-project aid (cash, goods, experts, conferences, training), a lighter dossier; "
        "written opinions of Police, Foreign Affairs, the sector departments and, when the "
        "donor is a foreign NGO, the Union of Friendship Organisations; appraisal within 20 "
        "days of a complete dossier (working days assumed); agencies answer in 10 WD "
        "(assumed); aid the Prime Minister decides is forwarded."
    ),
    level="provincial",
    receiving_agency=PROVINCE_FINANCE,
    deciding_agency=PROVINCE_PPC,
    intake_working_days=2,
    total_working_days=20,
    consultation_working_days=10,
    at_risk_working_days=3,
    consultation_mode=ConsultationMode.default,
    default_agencies=(PROVINCE_POLICE, PROVINCE_FOREIGN_AFFAIRS),
    required_consultations=(
        RequiredConsultation(
            source=ConsultationSource.standing,
            agencies=(PROVINCE_POLICE, PROVINCE_FOREIGN_AFFAIRS),
            legal_basis="Decree 313/2025/NĐ-CP: the managing agency asks Police and Foreign "
            "Affairs for written opinions.",
        ),
        RequiredConsultation(
            source=ConsultationSource.when_field,
            field="donor_is_foreign_ngo",
            agencies=(PROVINCE_FRIENDSHIP,),
            legal_basis="Decree 313/2025/NĐ-CP: the Union of Friendship Organisations gives its "
            "opinion only when the donor is a foreign NGO.",
        ),
    ),
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    outcomes=(Outcome.approve, Outcome.refuse, Outcome.forward),
    forward=ForwardRule(
        when_any_field=AID_FORWARD_FIELDS, text_vi=AID_FORWARD_TEXT_VI, text_en=AID_FORWARD_TEXT_EN
    ),
    fields_schema=AidNonProjectFields,
    steps=(
        intake_step(2, "Validity check within 2 WD (assumed)."),
        requests_step(2, "Requests within 2 WD of acceptance (assumed)."),
        answers_step(10, "Agencies answer within 10 WD (assumed)."),
        decision_step(None, "UBND tỉnh phê duyệt", "PPC approval", "Within the 20-day total."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
