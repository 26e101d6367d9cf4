"""province.opinion: the province's opinion (cho ý kiến) asked by the Committee on a certificate.

The Department of Foreign Affairs drafts the People's Committee's answer: it asks local members,
synthesises, and the PPC leader signs, all inside the Committee's 10 WD counted from the day the
province received the Committee's letter. Everything this procedure does is stated here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from flows.procedures.common import (
    EXTENSION_ONCE,
    INTAKE_SUPPLEMENT_ONCE,
    PROVINCE_FINANCE,
    PROVINCE_FOREIGN_AFFAIRS,
    PROVINCE_FRIENDSHIP,
    PROVINCE_POLICE,
    PROVINCE_PPC,
    STANDARD_TRANSITIONS,
    intake_step,
)
from flows.procedures.fields import FieldsBase, NonEmpty
from flows.procedures.schema import (
    ConsultationMode,
    ConsultationSource,
    Outcome,
    ProcedureDefinition,
    RequiredConsultation,
    Role,
    SilenceRule,
    Status,
    Step,
    StepStart,
)


class ProvinceOpinionFields(FieldsBase):
    """The province's opinion (cho ý kiến) asked by the Committee on a certificate dossier."""

    opinion_on: Literal["issue", "renew", "amend", "reissue"] = Field(
        json_schema_extra={"title_vi": "Thủ tục được cho ý kiến"},
        description="Which certificate procedure the Committee is running.",
    )
    ngo_name: NonEmpty = Field(json_schema_extra={"title_vi": "Tên tổ chức"})
    committee_request_ref: NonEmpty = Field(
        json_schema_extra={"title_vi": "Số văn bản đề nghị của Ủy ban"},
        description="Number of the Committee's letter.",
    )
    committee_request_received_on: date = Field(
        json_schema_extra={"title_vi": "Ngày nhận văn bản đề nghị của Ủy ban"},
        description="The day the province received the Committee's letter: the 10 WD count "
        "from the next working day.",
    )
    province: NonEmpty = Field(json_schema_extra={"title_vi": "Tỉnh, thành phố"})


DEFINITION = ProcedureDefinition(
    code="province.opinion",
    version=1,
    title_vi="Cho ý kiến về hồ sơ của tổ chức phi chính phủ nước ngoài (cấp tỉnh)",
    title_en="Provincial opinion on a foreign NGO certificate dossier",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 11: the Committee consults the PPCs of the provinces of "
        "operation, who answer within 10 WD of receiving its letter. Published provincial "
        "procedures give members 7 WD with silence as agreement; default here (assumed, fits the "
        "10 WD): forward 1 WD, members 5 WD (silence = deemed agreement), synthesis 2 WD, PPC "
        "leader's signature 2 WD. The answer reads 'đồng ý / không đồng ý'."
    ),
    level="provincial",
    receiving_agency=PROVINCE_FOREIGN_AFFAIRS,
    deciding_agency=PROVINCE_PPC,
    intake_working_days=1,
    total_working_days=10,
    consultation_working_days=5,
    reminder_working_days_before=1,
    at_risk_working_days=2,
    consultation_mode=ConsultationMode.default,
    default_agencies=(PROVINCE_POLICE, PROVINCE_FINANCE, PROVINCE_FRIENDSHIP),
    required_consultations=(
        RequiredConsultation(
            source=ConsultationSource.standing,
            agencies=(PROVINCE_POLICE, PROVINCE_FINANCE),
            legal_basis="Published provincial procedures: the provincial Police and Department "
            "of Finance give their opinion (silence past 5 WD is agreement).",
        ),
    ),
    silence_rule=SilenceRule.deemed_consent,
    clock_stops_on_supplement=False,
    once_only=(INTAKE_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    outcomes=(Outcome.approve, Outcome.refuse),
    outcome_titles_vi={Outcome.approve: "Đồng ý", Outcome.refuse: "Không đồng ý"},
    outcome_titles_en={Outcome.approve: "Agree", Outcome.refuse: "Do not agree"},
    due_anchor_field="committee_request_received_on",
    applicant_is_agency=True,
    fields_schema=ProvinceOpinionFields,
    steps=(
        intake_step(1, "Assumed: the letter is checked and forwarded within 1 WD."),
        Step(
            name="requests",
            title_vi="Chuyển lấy ý kiến thành viên",
            title_en="Forward to members",
            role=Role.handler,
            statuses=(Status.in_review,),
            working_days=1,
            starts_on=StepStart.accepted,
            ends_with=("consult",),
            legal_basis="Assumed: forwarded to members within 1 WD.",
        ),
        Step(
            name="consultation",
            title_vi="Thành viên cho ý kiến (quá hạn coi như đồng ý)",
            title_en="Members answer (silence is agreement)",
            role=Role.agency,
            statuses=(Status.in_review,),
            working_days=5,
            legal_basis="Published provincial procedures: silence is agreement.",
        ),
        Step(
            name="synthesis",
            title_vi="Tổng hợp, dự thảo văn bản",
            title_en="Synthesis and draft",
            role=Role.handler,
            statuses=(Status.in_review,),
            working_days=2,
        ),
        Step(
            name="decision",
            title_vi="Lãnh đạo UBND tỉnh ký",
            title_en="PPC leader signs",
            role=Role.leader,
            statuses=(Status.awaiting_decision,),
            working_days=2,
            starts_on=StepStart.proposed,
            ends_with=("sign", "return"),
            legal_basis="Assumed: the PPC leader signs within 2 WD.",
        ),
    ),
    transitions=STANDARD_TRANSITIONS,
)
