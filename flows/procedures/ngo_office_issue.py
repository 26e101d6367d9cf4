"""ngo.office.issue: a representative office certificate (Giấy đăng ký lập Văn phòng đại diện).

Decree 58/2022/NĐ-CP Art 14–15: one office per NGO, only in Hà Nội, Đà Nẵng or TP Hồ Chí
Minh. Everything this procedure does is stated here.
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


class OfficeIssueFields(FieldsBase):
    """Representative office certificate (Văn phòng đại diện), Decree 58/2022 Art 14."""

    office_province: str = Field(
        max_length=100,
        json_schema_extra={"title_vi": "Thành phố đặt văn phòng"},
        description="City of the office: Hà Nội, Đà Nẵng or TP Hồ Chí Minh only (Art 14).",
    )
    office_address: NonEmpty = Field(
        json_schema_extra={"title_vi": "Địa chỉ văn phòng dự kiến"},
        description="Planned address of the office.",
    )
    activity_fields: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Lĩnh vực hoạt động"},
        min_length=1,
        max_length=MAX_ACTIVITY_FIELDS,
        description="Fields of activity; the ministry of each is consulted.",
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"},
        default=5,
        ge=1,
        le=5,
        description="Validity asked for; at most 5 years (Art 14).",
    )
    home_registration_valid_until: HomeRegistrationEnd

    @field_validator("office_province")
    @classmethod
    def _only_three_cities(cls, value: str) -> str:
        """Decree 58/2022 Art 14: only Hà Nội, Đà Nẵng or TP Hồ Chí Minh."""
        return office_city(value)


DEFINITION = ProcedureDefinition(
    code="ngo.office.issue",
    version=1,
    title_vi="Cấp Giấy đăng ký lập Văn phòng đại diện của tổ chức phi chính phủ nước ngoài",
    title_en="Issue a representative office certificate to a foreign NGO",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 14–15: one office per NGO, only in Hà Nội, Đà Nẵng or "
        "TP Hồ Chí Minh; certificate valid ≤ 5 years and never beyond the home-country "
        "registration (Art 9). Deadlines as Art 11; total 30 WD assumed."
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
            legal_basis="Decree 58/2022/NĐ-CP Art 15; Decision 3155/QĐ-BNG: the standing members.",
        ),
        RequiredConsultation(
            source=ConsultationSource.provinces,
            field="office_province",
            legal_basis="Decree 58/2022/NĐ-CP Art 15: the People's Committee of the city where "
            "the office will be.",
        ),
        RequiredConsultation(
            source=ConsultationSource.activity_fields,
            field="activity_fields",
            legal_basis="Decree 58/2022/NĐ-CP Art 15: the ministries of the activity fields.",
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
        effect=CertificateEffect.issue,
        heading_vi="GIẤY ĐĂNG KÝ LẬP VĂN PHÒNG ĐẠI DIỆN CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI",
        number_prefix="VPĐD",
        home_registration_field="home_registration_valid_until",
        legal_basis="Decree 58/2022/NĐ-CP Art 9, 14: valid ≤ 5 years, not beyond the "
        "home-country registration.",
    ),
    fields_schema=OfficeIssueFields,
    steps=(
        intake_step(2, "Decree 58/2022/NĐ-CP Art 15: completeness checked within 2 WD."),
        requests_step(2, "Decree 58/2022/NĐ-CP Art 15: requests sent within 2 WD of acceptance."),
        answers_step(10, "Decree 58/2022/NĐ-CP Art 15: agencies answer within 10 WD."),
        decision_step(
            10,
            "Bộ Ngoại giao xem xét, quyết định",
            "MOFA decides",
            "Decree 58/2022/NĐ-CP Art 15: MOFA decides within 10 WD.",
        ),
    ),
    transitions=STANDARD_TRANSITIONS,
)
