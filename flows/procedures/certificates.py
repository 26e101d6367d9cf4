"""Certificate procedures of Decree 58/2022/NĐ-CP: the Committee receives, MOFA decides."""

from __future__ import annotations

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
    Step(name="intake", title_vi="Kiểm tra tính đầy đủ, hợp lệ", title_en="Completeness check",
         role=Role.handler, statuses=(Status.received, Status.awaiting_supplement), working_days=2),
    Step(name="consultation", title_vi="Gửi lấy ý kiến (trong 2 ngày) và các cơ quan trả lời",
         title_en="Consultation: requests within 2 WD, agencies answer",
         role=Role.agency, statuses=(Status.in_review,), working_days=10),
    Step(name="decision", title_vi="Bộ Ngoại giao xem xét, quyết định",
         title_en="MOFA decides", role=Role.leader, statuses=(Status.awaiting_decision,),
         working_days=10),
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
    steps=ISSUE_STEPS,
    transitions=STANDARD_TRANSITIONS,
)

OFFICE_ISSUE = ProcedureDefinition(
    code="ngo.office.issue",
    version=1,
    title_vi="Cấp Giấy đăng ký lập Văn phòng đại diện của tổ chức phi chính phủ nước ngoài",
    title_en="Issue a representative office certificate to a foreign NGO",
    legal_basis=(
        "Decree 58/2022/NĐ-CP Art 14–15: one office per NGO, only in Hà Nội, Đà Nẵng or "
        "TP Hồ Chí Minh; certificate valid ≤ 5 years. Deadlines as Art 11; total 30 WD assumed."
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
    validity_years_max=5,
    certificate_type="office",
    certificate_number_prefix="VPĐD",
    fields_schema="OfficeIssueFields",
    steps=ISSUE_STEPS,
    transitions=STANDARD_TRANSITIONS,
)

DEFINITIONS = (OPERATION_ISSUE, OFFICE_ISSUE)
