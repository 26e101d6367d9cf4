"""ngo.office.renew: renewing a representative office certificate (gia hạn).

Decree 58/2022/NĐ-CP Art 16. Consulted and timed as issuance; the renewed term runs from the
old expiry when the renewal is filed before it. Everything this procedure does is stated here.
"""

from __future__ import annotations

from pydantic import Field, field_validator

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
    CertificateNumber,
    FieldsBase,
    HomeRegistrationEnd,
    NonEmpty,
    office_city,
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


class OfficeRenewFields(FieldsBase):
    """Renewal of an office (gia hạn), Decree 58/2022 Art 16."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    office_province: str = Field(
        max_length=100,
        json_schema_extra={"title_vi": "Thành phố đặt văn phòng"},
        description="City of the office; its People's Committee is consulted.",
    )
    activity_fields: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Lĩnh vực hoạt động"},
        min_length=1,
        max_length=MAX_ACTIVITY_FIELDS,
        description="Activity fields; the ministry of each is consulted.",
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
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"}, default=5, ge=1, le=5
    )
    home_registration_valid_until: HomeRegistrationEnd

    @field_validator("office_province")
    @classmethod
    def _only_three_cities(cls, value: str) -> str:
        """Decree 58/2022 Art 14: only Hà Nội, Đà Nẵng or TP Hồ Chí Minh."""
        return office_city(value)


DEFINITION = ProcedureDefinition(
    code="ngo.office.renew",
    version=1,
    title_vi="Gia hạn Giấy đăng ký lập Văn phòng đại diện",
    title_en="Renew a representative office certificate",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 16: consulted and timed as issuance (30 WD); renewed term "
        "≤ 5 years, from the old expiry when filed before it, never beyond the home-country "
        "registration (Art 9)."
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
            legal_basis="Decree 58/2022/NĐ-CP Art 16; Decision 3155/QĐ-BNG.",
        ),
        RequiredConsultation(
            source=ConsultationSource.provinces,
            field="office_province",
            legal_basis="Decree 58/2022/NĐ-CP Art 16: the People's Committee of the office's city.",
        ),
        RequiredConsultation(
            source=ConsultationSource.activity_fields,
            field="activity_fields",
            legal_basis="Decree 58/2022/NĐ-CP Art 16: the ministries of the activity fields.",
        ),
    ),
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    validity_years_max=5,
    certificate=CertificateRule(
        obligations_vi=NGO_OBLIGATIONS_VI,
        obligations_en=NGO_OBLIGATIONS_EN,
        type="office",
        effect=CertificateEffect.renew,
        heading_vi="GIẤY ĐĂNG KÝ LẬP VĂN PHÒNG ĐẠI DIỆN CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI "
        "(GIA HẠN)",
        renews_from_expiry=True,
        home_registration_field="home_registration_valid_until",
        legal_basis="Decree 58/2022/NĐ-CP Art 9, 16.",
    ),
    fields_schema=OfficeRenewFields,
    steps=(
        intake_step(2, "Decree 58/2022/NĐ-CP Art 16: completeness within 2 WD."),
        requests_step(2, "Requests sent within 2 WD of acceptance."),
        answers_step(10, "Agencies answer within 10 WD."),
        decision_step(10, "Bộ Ngoại giao xem xét, quyết định", "MOFA decides", "10 WD."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
