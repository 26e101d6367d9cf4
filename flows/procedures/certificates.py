"""Certificate procedures of Decree 58/2022/NĐ-CP: the Committee receives, MOFA decides."""

from __future__ import annotations

from typing import Any

from flows.procedures.common import STANDARD_TRANSITIONS
from flows.procedures.schema import (
    ConsultationMode,
    ProcedureDefinition,
    Role,
    SilenceRule,
    Status,
    Step,
)

RECEIVER = "UBCT-PCPNN"  # Committee for Foreign NGO Affairs (Ủy ban công tác về các tổ chức PCPNN)
DECIDER = "BNG"  # Ministry of Foreign Affairs (Bộ Ngoại giao)
# Decision 3155/QĐ-BNG: the standing members consulted on every certificate; sector ministries
# and the provinces of operation are added per dossier.
CORE_CONSULTED = ("BCA", "BTC", "BNV", "NHNN")

ISSUE_STEPS = (
    Step(
        name="intake",
        title_vi="Kiểm tra tính đầy đủ, hợp lệ",
        title_en="Completeness check",
        role=Role.handler,
        statuses=(Status.received, Status.awaiting_supplement),
        working_days=2,
    ),
    Step(
        name="consultation",
        title_vi="Gửi lấy ý kiến (trong 2 ngày) và các cơ quan trả lời",
        title_en="Consultation: requests within 2 WD, agencies answer",
        role=Role.agency,
        statuses=(Status.in_review,),
        working_days=10,
    ),
    Step(
        name="decision",
        title_vi="Bộ Ngoại giao xem xét, quyết định",
        title_en="MOFA decides",
        role=Role.leader,
        statuses=(Status.awaiting_decision,),
        working_days=10,
    ),
)

OPERATION_ISSUE = ProcedureDefinition(
    code="ngo.operation.issue",
    version=1,
    title_vi="Cấp Giấy đăng ký hoạt động cho tổ chức phi chính phủ nước ngoài",
    title_en="Issue an operation registration certificate to a foreign NGO",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 10–11: completeness check 2 WD; requests within 2 WD of "
        "acceptance; agencies answer in 10 WD; MOFA decides in 10 WD; total ≤ 30 WD from a "
        "valid dossier; certificate valid ≤ 3 years. Consulted: Decision 3155/QĐ-BNG. "
        "Clock stop on supplement during review: assumed (Decree 118/2025)."
    ),
    level="national",
    receiving_agency=RECEIVER,
    deciding_agency=DECIDER,
    intake_working_days=2,
    total_working_days=30,
    consultation_working_days=10,
    consultation_mode=ConsultationMode.default,
    default_agencies=CORE_CONSULTED,
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    validity_years_max=3,
    certificate_type="operation",
    certificate_number_prefix="GĐK",
    fields_schema="OperationIssueFields",
    certificate_action="issue",
    steps=ISSUE_STEPS,
    transitions=STANDARD_TRANSITIONS,
)


def _variant(base: ProcedureDefinition, **changes: Any) -> ProcedureDefinition:
    """A procedure sharing the base's agencies and steps, with its own code and rules."""
    return base.model_copy(update=changes)


OFFICE_ISSUE = _variant(
    OPERATION_ISSUE,
    code="ngo.office.issue",
    title_vi="Cấp Giấy đăng ký lập Văn phòng đại diện của tổ chức phi chính phủ nước ngoài",
    title_en="Issue a representative office certificate to a foreign NGO",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 14–15: one office per NGO, only in Hà Nội, Đà Nẵng or "
        "TP Hồ Chí Minh; certificate valid ≤ 5 years. Deadlines as Art 11; total 30 WD assumed."
    ),
    validity_years_max=5,
    certificate_type="office",
    certificate_number_prefix="VPĐD",
    fields_schema="OfficeIssueFields",
)

REISSUE_STEPS = (
    Step(
        name="intake",
        title_vi="Kiểm tra hồ sơ",
        title_en="Completeness check",
        role=Role.handler,
        statuses=(Status.received, Status.awaiting_supplement),
        working_days=2,
    ),
    Step(
        name="content-check",
        title_vi="Kiểm tra nội dung, trình ký",
        title_en="Content check and draft",
        role=Role.handler,
        statuses=(Status.in_review,),
    ),
    Step(
        name="decision",
        title_vi="Ký cấp lại",
        title_en="Sign the re-issue",
        role=Role.leader,
        statuses=(Status.awaiting_decision,),
    ),
)

OPERATION_RENEW = _variant(
    OPERATION_ISSUE,
    code="ngo.operation.renew",
    title_vi="Gia hạn Giấy đăng ký hoạt động của tổ chức phi chính phủ nước ngoài",
    title_en="Renew a foreign NGO's operation registration certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 12: application, original certificate, report on "
    "the past term, plan for the next; deadlines as issuance (30 WD assumed); renewed term "
    "≤ 3 years.",
    fields_schema="RenewFields",
    certificate_action="renew",
)
OFFICE_RENEW = _variant(
    OFFICE_ISSUE,
    code="ngo.office.renew",
    title_vi="Gia hạn Giấy đăng ký lập Văn phòng đại diện",
    title_en="Renew a representative office certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 16: deadlines as issuance (30 WD); renewed term "
    "≤ 5 years.",
    fields_schema="RenewFields",
    certificate_action="renew",
)
OPERATION_AMEND = _variant(
    OPERATION_ISSUE,
    code="ngo.operation.amend",
    title_vi="Sửa đổi, bổ sung Giấy đăng ký hoạt động",
    title_en="Amend an operation registration certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 13: only the agencies concerned by the change are "
    "consulted; 2 WD check; total 30 WD assumed.",
    consultation_mode=ConsultationMode.chosen,
    default_agencies=(),
    fields_schema="AmendFields",
    certificate_action="amend",
    validity_years_max=None,
)
OFFICE_AMEND = _variant(
    OFFICE_ISSUE,
    code="ngo.office.amend",
    title_vi="Sửa đổi, bổ sung Giấy đăng ký lập Văn phòng đại diện",
    title_en="Amend a representative office certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 17: only the agencies concerned are consulted; "
    "total 30 WD assumed.",
    consultation_mode=ConsultationMode.chosen,
    default_agencies=(),
    fields_schema="AmendFields",
    certificate_action="amend",
    validity_years_max=None,
)
OPERATION_REISSUE = _variant(
    OPERATION_ISSUE,
    code="ngo.operation.reissue",
    title_vi="Cấp lại Giấy đăng ký hoạt động (bị mất, bị hỏng)",
    title_en="Re-issue a lost or damaged operation registration certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 13: content check only, nobody consulted; 10 WD assumed.",
    total_working_days=10,
    consultation_working_days=0,
    consultation_mode=ConsultationMode.none,
    default_agencies=(),
    fields_schema="ReissueFields",
    certificate_action="reissue",
    validity_years_max=None,
    steps=REISSUE_STEPS,
)
OFFICE_REISSUE = _variant(
    OPERATION_REISSUE,
    code="ngo.office.reissue",
    certificate_type="office",
    certificate_number_prefix="VPĐD",
    title_vi="Cấp lại Giấy đăng ký lập Văn phòng đại diện (bị mất, bị hỏng)",
    title_en="Re-issue a lost or damaged representative office certificate",
    legal_basis="Decree 58/2022/NĐ-CP Art 17: content check only; 10 WD assumed.",
)
PROJECT_OFFICE_RENEW = _variant(
    OPERATION_RENEW,
    code="ngo.project_office.renew",
    certificate_type="project_office",
    certificate_number_prefix="VPDA",
    title_vi="Gia hạn Giấy đăng ký lập Văn phòng dự án (theo Nghị định 12/2012)",
    title_en="Renew a legacy project office certificate",
    legal_basis="Project offices under Decree 12/2012/NĐ-CP are a legacy type under Decree "
    "58/2022: renewed or closed, never newly issued. Deadlines as renewal (assumed).",
)
PROJECT_OFFICE_CLOSE = _variant(
    OPERATION_REISSUE,
    code="ngo.project_office.close",
    certificate_type="project_office",
    certificate_number_prefix=None,
    title_vi="Chấm dứt hoạt động Văn phòng dự án",
    title_en="Close a legacy project office",
    legal_basis="Legacy project office (Decree 12/2012/NĐ-CP): closure on request; content "
    "check only, 10 WD assumed.",
    fields_schema="CloseFields",
    certificate_action="close",
)

DEFINITIONS = (
    OPERATION_ISSUE,
    OFFICE_ISSUE,
    OPERATION_RENEW,
    OFFICE_RENEW,
    OPERATION_AMEND,
    OFFICE_AMEND,
    OPERATION_REISSUE,
    OFFICE_REISSUE,
    PROJECT_OFFICE_RENEW,
    PROJECT_OFFICE_CLOSE,
)
