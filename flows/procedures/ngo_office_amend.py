"""ngo.office.amend: amending a representative office certificate (sửa đổi, bổ sung).

Decree 58/2022/NĐ-CP Art 17: only the agencies concerned by the change are consulted (the
handler chooses them); the certificate keeps its term. Everything this procedure does is here.
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
    answers_step,
    decision_step,
    intake_step,
    requests_step,
)
from flows.procedures.fields import MAX_CHANGES, CertificateNumber, Change, FieldsBase
from flows.procedures.schema import (
    CertificateEffect,
    CertificateRule,
    ConsultationMode,
    ProcedureDefinition,
    SilenceRule,
)


class OfficeAmendFields(FieldsBase):
    """Amendment (sửa đổi, bổ sung), Decree 58/2022 Art 17: what changes."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    changes: list[Change] = Field(
        json_schema_extra={"title_vi": "Nội dung đề nghị sửa đổi, bổ sung"},
        min_length=1,
        max_length=MAX_CHANGES,
        description="Each change asked for.",
    )


DEFINITION = ProcedureDefinition(
    code="ngo.office.amend",
    version=1,
    title_vi="Sửa đổi, bổ sung Giấy đăng ký lập Văn phòng đại diện",
    title_en="Amend a representative office certificate",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 17: only the agencies concerned by the change are "
        "consulted; 2 WD check; total 30 WD assumed; the amended certificate keeps its term."
    ),
    level="national",
    receiving_agency=NATIONAL_RECEIVER,
    deciding_agency=NATIONAL_DECIDER,
    intake_working_days=2,
    total_working_days=30,
    consultation_working_days=10,
    at_risk_working_days=3,
    consultation_mode=ConsultationMode.chosen,
    default_agencies=(),
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    validity_years_max=None,
    certificate=CertificateRule(
        obligations_vi=NGO_OBLIGATIONS_VI,
        obligations_en=NGO_OBLIGATIONS_EN,
        type="office",
        effect=CertificateEffect.amend,
        heading_vi="GIẤY ĐĂNG KÝ LẬP VĂN PHÒNG ĐẠI DIỆN CỦA TỔ CHỨC PHI CHÍNH PHỦ "
        "NƯỚC NGOÀI (SỬA ĐỔI, BỔ SUNG)",
        keeps_term=True,
        legal_basis="Decree 58/2022/NĐ-CP Art 17: the term is not changed by an amendment.",
    ),
    fields_schema=OfficeAmendFields,
    steps=(
        intake_step(2, "Decree 58/2022/NĐ-CP Art 17: completeness within 2 WD."),
        requests_step(2, "Requests to the agencies concerned within 2 WD of acceptance."),
        answers_step(10, "Agencies concerned answer within 10 WD."),
        decision_step(10, "Bộ Ngoại giao xem xét, quyết định", "MOFA decides", "10 WD (assumed)."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
