"""ngo.operation.issue: issuing an operation registration certificate (Giấy đăng ký hoạt động).

Decree 58/2022/NĐ-CP Art 10–11. The Committee for Foreign NGO Affairs receives, the Ministry of
Foreign Affairs decides. Everything this procedure does is stated here.
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


class OperationIssueFields(FieldsBase):
    """Operation registration certificate (Giấy đăng ký hoạt động), Decree 58/2022 Art 10."""

    provinces: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Địa bàn hoạt động"},
        min_length=1,
        max_length=MAX_PROVINCES,
        description="Provinces where the NGO will operate (địa bàn hoạt động); the People's "
        "Committee of each is consulted.",
    )
    activity_fields: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Lĩnh vực hoạt động"},
        min_length=1,
        max_length=MAX_ACTIVITY_FIELDS,
        description="Fields of activity (lĩnh vực hoạt động); the ministry of each is consulted.",
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"},
        default=3,
        ge=1,
        le=3,
        description="Validity asked for; at most 3 years (Art 10).",
    )
    home_registration_valid_until: HomeRegistrationEnd


REQUIRED = (
    RequiredConsultation(
        source=ConsultationSource.standing,
        agencies=STANDING_MEMBERS,
        legal_basis="Decree 58/2022/NĐ-CP Art 11; Decision 3155/QĐ-BNG: Public Security, "
        "Finance, Home Affairs and the State Bank are consulted on every certificate.",
    ),
    RequiredConsultation(
        source=ConsultationSource.provinces,
        field="provinces",
        legal_basis="Decree 58/2022/NĐ-CP Art 11: the People's Committee of every province "
        "where the NGO will operate.",
    ),
    RequiredConsultation(
        source=ConsultationSource.activity_fields,
        field="activity_fields",
        legal_basis="Decree 58/2022/NĐ-CP Art 11: the ministries managing the registered "
        "activity fields.",
    ),
)

DEFINITION = ProcedureDefinition(
    code="ngo.operation.issue",
    version=1,
    title_vi="Cấp Giấy đăng ký hoạt động cho tổ chức phi chính phủ nước ngoài",
    title_en="Issue an operation registration certificate to a foreign NGO",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 10–11: completeness check 2 WD; requests within 2 WD of "
        "acceptance; agencies answer in 10 WD; MOFA decides in 10 WD; total ≤ 30 WD from a "
        "valid dossier; certificate valid ≤ 3 years and never beyond the home-country "
        "registration (Art 9). Consulted: Decision 3155/QĐ-BNG. Clock stop on a supplement "
        "during review: assumed (Decree 118/2025)."
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
    required_consultations=REQUIRED,
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    validity_years_max=3,
    certificate=CertificateRule(
        obligations_vi=NGO_OBLIGATIONS_VI,
        obligations_en=NGO_OBLIGATIONS_EN,
        type="operation",
        effect=CertificateEffect.issue,
        heading_vi="GIẤY ĐĂNG KÝ HOẠT ĐỘNG CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI",
        number_prefix="GĐK",
        home_registration_field="home_registration_valid_until",
        legal_basis="Decree 58/2022/NĐ-CP Art 9–10: valid ≤ 3 years, not beyond the "
        "home-country registration.",
    ),
    fields_schema=OperationIssueFields,
    steps=(
        intake_step(2, "Decree 58/2022/NĐ-CP Art 11: completeness checked within 2 WD."),
        requests_step(2, "Decree 58/2022/NĐ-CP Art 11: requests sent within 2 WD of acceptance."),
        answers_step(10, "Decree 58/2022/NĐ-CP Art 11: agencies answer within 10 WD."),
        decision_step(
            10,
            "Bộ Ngoại giao xem xét, quyết định",
            "MOFA decides",
            "Decree 58/2022/NĐ-CP Art 11: MOFA decides within 10 WD.",
        ),
    ),
    transitions=STANDARD_TRANSITIONS,
)
