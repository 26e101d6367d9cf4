"""ngo.office.reissue: re-issuing a lost or damaged office certificate (cấp lại).

Decree 58/2022/NĐ-CP Art 17: a content check only, nobody is consulted; the certificate keeps
its number and term. Everything this procedure does is stated here.
"""

from __future__ import annotations

from typing import Literal

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
    content_check_step,
    decision_step,
    intake_step,
)
from flows.procedures.fields import CertificateNumber, FieldsBase
from flows.procedures.schema import (
    CertificateEffect,
    CertificateRule,
    ConsultationMode,
    ProcedureDefinition,
    SilenceRule,
)


class OfficeReissueFields(FieldsBase):
    """Re-issue (cấp lại) of a lost or damaged certificate, Art 17."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    reason: Literal["lost", "damaged"] = Field(json_schema_extra={"title_vi": "Lý do cấp lại"})
    explanation: str = Field(
        json_schema_extra={"title_vi": "Giải trình"}, default="", max_length=2000
    )


DEFINITION = ProcedureDefinition(
    code="ngo.office.reissue",
    version=1,
    title_vi="Cấp lại Giấy đăng ký lập Văn phòng đại diện (bị mất, bị hỏng)",
    title_en="Re-issue a lost or damaged representative office certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 17: content check only, nobody consulted; 10 WD "
    "assumed; the re-issued certificate keeps its number and term.",
    level="national",
    receiving_agency=NATIONAL_RECEIVER,
    deciding_agency=NATIONAL_DECIDER,
    intake_working_days=2,
    total_working_days=10,
    consultation_working_days=0,
    at_risk_working_days=3,
    consultation_mode=ConsultationMode.none,
    default_agencies=(),
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    validity_years_max=None,
    certificate=CertificateRule(
        obligations_vi=NGO_OBLIGATIONS_VI,
        obligations_en=NGO_OBLIGATIONS_EN,
        type="office",
        effect=CertificateEffect.reissue,
        heading_vi="GIẤY ĐĂNG KÝ LẬP VĂN PHÒNG ĐẠI DIỆN CỦA TỔ CHỨC PHI CHÍNH PHỦ "
        "NƯỚC NGOÀI (CẤP LẠI)",
        keeps_term=True,
        legal_basis="Decree 58/2022/NĐ-CP Art 17.",
    ),
    fields_schema=OfficeReissueFields,
    steps=(
        intake_step(2, "Completeness within 2 WD (as Art 11)."),
        content_check_step(),
        decision_step(None, "Ký cấp lại", "Sign the re-issue", "Within the 10 WD total."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
