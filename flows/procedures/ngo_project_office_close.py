"""ngo.project_office.close: closing a legacy project office (Văn phòng dự án, Decree 12/2012).

Decree 58/2022/NĐ-CP has no project-office certificate: offices opened under Decree 12/2012 are
closed on request or kept until their certificate expires. Content check only, nobody consulted.
Everything this procedure does is stated here.
"""

from __future__ import annotations

from pydantic import Field

from flows.procedures.common import (
    EXTENSION_ONCE,
    INTAKE_SUPPLEMENT_ONCE,
    NATIONAL_DECIDER,
    NATIONAL_RECEIVER,
    REVIEW_SUPPLEMENT_ONCE,
    STANDARD_TRANSITIONS,
    content_check_step,
    decision_step,
    intake_step,
)
from flows.procedures.fields import CertificateNumber, FieldsBase, NonEmpty
from flows.procedures.schema import (
    CertificateEffect,
    CertificateRule,
    ConsultationMode,
    ProcedureDefinition,
    SilenceRule,
)


class CloseFields(FieldsBase):
    """Closing a legacy project office (Decree 12/2012)."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    reason: NonEmpty = Field(json_schema_extra={"title_vi": "Lý do chấm dứt hoạt động"})


DEFINITION = ProcedureDefinition(
    code="ngo.project_office.close",
    version=1,
    title_vi="Chấm dứt hoạt động Văn phòng dự án",
    title_en="Close a legacy project office",
    legal_basis="Legacy project office (Decree 12/2012/NĐ-CP; Decree 58/2022/NĐ-CP has no "
    "project-office certificate): closure on request; content check only, 10 WD assumed.",
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
        type="project_office",
        effect=CertificateEffect.close,
        heading_vi="QUYẾT ĐỊNH CHẤM DỨT HOẠT ĐỘNG VĂN PHÒNG DỰ ÁN",
        keeps_term=True,
        legal_basis="Decree 12/2012/NĐ-CP (legacy).",
    ),
    fields_schema=CloseFields,
    steps=(
        intake_step(2, "Completeness within 2 WD (as Decree 58/2022 Art 11)."),
        content_check_step(),
        decision_step(None, "Ký quyết định", "Sign", "Within the 10 WD total."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
