"""ngo.project_office.renew: retired. A legacy project office is closed or kept until expiry.

Decree 58/2022/NĐ-CP has no project-office certificate and we found no transitional provision
allowing one opened under Decree 12/2012 to be renewed: no new dossier is received; a dossier
already running finishes under this definition. Everything this procedure does is stated here.
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
from flows.procedures.fields import CertificateNumber, FieldsBase, NonEmpty
from flows.procedures.schema import (
    CertificateEffect,
    CertificateRule,
    ConsultationMode,
    ProcedureDefinition,
    SilenceRule,
)


class ProjectOfficeRenewFields(FieldsBase):
    """Renewal of a legacy project office (kept only for dossiers already running)."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    past_term_report: NonEmpty = Field(
        json_schema_extra={"title_vi": "Báo cáo hoạt động nhiệm kỳ trước"}
    )
    next_term_plan: NonEmpty = Field(
        json_schema_extra={"title_vi": "Kế hoạch hoạt động nhiệm kỳ tới"}
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"}, default=3, ge=1, le=3
    )


DEFINITION = ProcedureDefinition(
    code="ngo.project_office.renew",
    version=1,
    title_vi="Gia hạn Giấy đăng ký lập Văn phòng dự án (theo Nghị định 12/2012) — đã bãi bỏ",
    title_en="Renew a legacy project office certificate (retired)",
    legal_basis="Decree 58/2022/NĐ-CP has no project-office certificate; a project office opened "
    "under Decree 12/2012/NĐ-CP is closed or kept until its certificate expires. No "
    "transitional provision allowing renewal was found, so no new dossier is received.",
    level="national",
    receiving_agency=NATIONAL_RECEIVER,
    deciding_agency=NATIONAL_DECIDER,
    intake_working_days=2,
    total_working_days=30,
    consultation_working_days=10,
    at_risk_working_days=3,
    consultation_mode=ConsultationMode.default,
    default_agencies=STANDING_MEMBERS,
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    once_only=(INTAKE_SUPPLEMENT_ONCE, REVIEW_SUPPLEMENT_ONCE, EXTENSION_ONCE),
    validity_years_max=3,
    certificate=CertificateRule(
        obligations_vi=NGO_OBLIGATIONS_VI,
        obligations_en=NGO_OBLIGATIONS_EN,
        type="project_office",
        effect=CertificateEffect.renew,
        heading_vi="GIẤY ĐĂNG KÝ LẬP VĂN PHÒNG DỰ ÁN CỦA TỔ CHỨC PHI CHÍNH PHỦ NƯỚC NGOÀI",
        renews_from_expiry=True,
        legal_basis="Decree 12/2012/NĐ-CP (legacy).",
    ),
    fields_schema=ProjectOfficeRenewFields,
    accepts_new=False,
    retired_note="Nghị định 58/2022/NĐ-CP không quy định Giấy đăng ký lập Văn phòng dự án: văn "
    "phòng dự án chỉ được chấm dứt hoặc hoạt động đến hết thời hạn (legacy project offices are "
    "closed or kept until expiry, not renewed).",
    steps=(
        intake_step(2, "Completeness within 2 WD."),
        requests_step(2, "Requests within 2 WD of acceptance."),
        answers_step(10, "Agencies answer within 10 WD."),
        decision_step(10, "Bộ Ngoại giao xem xét, quyết định", "MOFA decides", "10 WD."),
    ),
    transitions=STANDARD_TRANSITIONS,
)
