"""ngo.operation.renew: renewing an operation registration certificate (gia hạn).

Decree 58/2022/NĐ-CP Art 12. Consulted and timed as issuance; the renewed term runs from the
old expiry when the renewal is filed before it. Everything this procedure does is stated here.
"""

from __future__ import annotations

from pydantic import Field

from flows.procedures.common import (
    EXTENSION_ONCE,
    INTAKE_SUPPLEMENT_ONCE,
    NATIONAL_DECIDER,
    NATIONAL_RECEIVER,
    NGO_OBLIGATIONS_EN,
    NGO_OBLIGATIONS_VI,
    REVIEW_SUPPLEMENT_ONCE,
    STANDARD_TRANSITIONS,
    STANDING_MEMBERS,
    answers_step,
    decision_step,
    intake_step,
    requests_step,
)
from flows.procedures.fields import (
    MAX_ACTIVITY_FIELDS,
    MAX_PROVINCES,
    CertificateNumber,
    FieldsBase,
    HomeRegistrationEnd,
    NonEmpty,
)
from flows.procedures.schema import (
    CertificateEffect,
    CertificateRule,
    ConsultationMode,
    ConsultationSource,
    ProcedureDefinition,
    RequiredConsultation,
    SilenceRule,
)


class OperationRenewFields(FieldsBase):
    """Renewal (gia hạn), Decree 58/2022 Art 12: report on the term, plan for the next."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    provinces: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Địa bàn hoạt động"},
        min_length=1,
        max_length=MAX_PROVINCES,
        description="Provinces of operation in the next term; each one's People's Committee "
        "is consulted.",
    )
    activity_fields: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Lĩnh vực hoạt động"},
        min_length=1,
        max_length=MAX_ACTIVITY_FIELDS,
        description="Activity fields of the next term; the ministry of each is consulted.",
    )
    past_term_report: NonEmpty = Field(
        json_schema_extra={"title_vi": "Báo cáo hoạt động nhiệm kỳ trước"},
        description="Report on activities of the past term.",
    )
    next_term_plan: NonEmpty = Field(
        json_schema_extra={"title_vi": "Kế hoạch hoạt động nhiệm kỳ tới"},
        description="Plan of activities for the next term.",
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"}, default=3, ge=1, le=3
    )
    home_registration_valid_until: HomeRegistrationEnd


DEFINITION = ProcedureDefinition(
    code="ngo.operation.renew",
    version=1,
    title_vi="Gia hạn Giấy đăng ký hoạt động của tổ chức phi chính phủ nước ngoài",
    title_en="Renew a foreign NGO's operation registration certificate",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 12: application, original certificate, report on the past "
        "term, plan for the next; consulted as issuance (Art 11, Decision 3155/QĐ-BNG); "
        "deadlines as issuance (30 WD assumed); renewed term ≤ 3 years, from the old expiry "
        "when filed before it, never beyond the home-country registration (Art 9)."
    ),
    level="national",
    receiving_agency=NATIONAL_RECEIVER,
    deciding_agency=NATIONAL_DECIDER,
    intake_working_days=2,
    total_working_days=30,
    consultation_working_days=10,
    at_risk_working_days=3,
    consultation_mode=ConsultationMode.default,
    default_agencies=STANDING_MEMBERS,
    required_consultations=(
        RequiredConsultation(
            source=ConsultationSource.standing,
            agencies=STANDING_MEMBERS,
            legal_basis="Decree 58/2022/NĐ-CP Art 12; Decision 3155/QĐ-BNG: the standing members.",
        ),
        RequiredConsultation(
            source=ConsultationSource.provinces,
            field="provinces",
            legal_basis="Decree 58/2022/NĐ-CP Art 11–12: the People's Committees of the "
            "provinces of operation.",
        ),
        RequiredConsultation(
            source=ConsultationSource.activity_fields,
            field="activity_fields",
            legal_basis="Decree 58/2022/NĐ-CP Art 11–12: the ministries of the activity fields.",
        ),
    ),
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    validity_years_max=3,
    certificate=CertificateRule(
        obligations_vi=NGO_OBLIGATIONS_VI,
        obligations_en=NGO_OBLIGATIONS_EN,
        type="operation",
        effect=CertificateEffect.renew,
        heading_vi="GIẤY ĐĂNG KÝ HOẠT ĐỘNG CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI (GIA HẠN)",
        renews_from_expiry=True,
        home_registration_field="home_registration_valid_until",
        legal_basis="Decree 58/2022/NĐ-CP Art 9, 12.",
    ),
    fields_schema=OperationRenewFields,
    steps=(
        intake_step(2, "Decree 58/2022/NĐ-CP Art 12 (as Art 11): completeness within 2 WD."),
        requests_step(2, "As Art 11: requests sent within 2 WD of acceptance."),
        answers_step(10, "As Art 11: agencies answer within 10 WD."),
        decision_step(10, "Bộ Ngoại giao xem xét, quyết định", "MOFA decides", "As Art 11: 10 WD."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
