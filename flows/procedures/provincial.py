"""Provincial procedures: the PPC's opinion on certificates, aid appraisal, emergency relief."""

from __future__ import annotations

from flows.procedures.common import STANDARD_TRANSITIONS
from flows.procedures.schema import (
    ConsultationMode,
    Outcome,
    ProcedureDefinition,
    Role,
    SilenceRule,
    Status,
    Step,
)

# Agencies are a registry: these are the reference province's (Quảng Trị) codes; another
# province publishes a version with its own.
PPC = "UBND-QT"
FOREIGN_AFFAIRS = "SNGV-QT"  # Sở Ngoại vụ (in some provinces now the PPC Office)
FINANCE = "STC-QT"  # Sở Tài chính: managing agency for aid since Planning merged into Finance
POLICE = "CA-QT"
FRIENDSHIP = "LHHN-QT"  # Liên hiệp các tổ chức hữu nghị tỉnh
HEALTH = "SYT-QT"

PROVINCE_OPINION = ProcedureDefinition(
    code="province.opinion",
    version=1,
    title_vi="Cho ý kiến về hồ sơ của tổ chức phi chính phủ nước ngoài (cấp tỉnh)",
    title_en="Provincial opinion on a foreign NGO certificate dossier",
    legal_basis="Decree 58/2022/NĐ-CP: the Committee consults the PPCs of the provinces of "
    "operation (10 WD). Published provincial procedures give members 7 WD with silence as "
    "agreement; default here (assumed, fits the 10 WD): forward 1 WD, members 5 WD (silence = "
    "deemed agreement), synthesis 2 WD, PPC leader's signature 2 WD.",
    level="provincial",
    receiving_agency=FOREIGN_AFFAIRS,
    deciding_agency=PPC,
    intake_working_days=1,
    total_working_days=10,
    consultation_working_days=5,
    reminder_working_days_before=1,
    at_risk_working_days=2,
    consultation_mode=ConsultationMode.default,
    default_agencies=(POLICE, FINANCE, FRIENDSHIP),
    silence_rule=SilenceRule.deemed_consent,
    clock_stops_on_supplement=False,
    outcomes=(Outcome.approve, Outcome.refuse),
    fields_schema="ProvinceOpinionFields",
    steps=(
        Step(
            name="forward",
            title_vi="Chuyển lấy ý kiến thành viên",
            title_en="Forward to members",
            role=Role.handler,
            statuses=(Status.received, Status.in_review),
            working_days=1,
        ),
        Step(
            name="members",
            title_vi="Thành viên cho ý kiến (quá hạn coi như đồng ý)",
            title_en="Members answer (silence is agreement)",
            role=Role.agency,
            statuses=(Status.in_review,),
            working_days=5,
        ),
        Step(
            name="synthesis",
            title_vi="Tổng hợp, dự thảo văn bản",
            title_en="Synthesis and draft",
            role=Role.handler,
            statuses=(Status.in_review,),
            working_days=2,
        ),
        Step(
            name="signature",
            title_vi="Lãnh đạo UBND tỉnh ký",
            title_en="PPC leader signs",
            role=Role.leader,
            statuses=(Status.awaiting_decision,),
            working_days=2,
        ),
    ),
    transitions=STANDARD_TRANSITIONS,
)

AID_STEPS = (
    Step(
        name="intake",
        title_vi="Kiểm tra tính hợp lệ",
        title_en="Validity check",
        role=Role.handler,
        statuses=(Status.received, Status.awaiting_supplement),
        working_days=2,
    ),
    Step(
        name="appraisal",
        title_vi="Lấy ý kiến thẩm định",
        title_en="Appraisal opinions",
        role=Role.agency,
        statuses=(Status.in_review,),
        working_days=10,
    ),
    Step(
        name="approval",
        title_vi="UBND tỉnh phê duyệt",
        title_en="PPC approval",
        role=Role.leader,
        statuses=(Status.awaiting_decision,),
    ),
)

AID_PROJECT = ProcedureDefinition(
    code="aid.project.appraise",
    version=1,
    title_vi="Thẩm định, phê duyệt chương trình, dự án viện trợ không hoàn lại không thuộc "
    "hỗ trợ phát triển chính thức",
    title_en="Appraise and approve a foreign non-ODA aid programme or project",
    legal_basis="Decree 80/2020/NĐ-CP Art 7–10 (from 08/12/2025 Decree 313/2025/NĐ-CP): "
    "appraisal within 20 days of a complete dossier (working days assumed); agencies answer "
    "in 10 WD (assumed); aid touching security, defence or religion is for the Prime Minister.",
    level="provincial",
    receiving_agency=FINANCE,
    deciding_agency=PPC,
    intake_working_days=2,
    total_working_days=20,
    consultation_working_days=10,
    consultation_mode=ConsultationMode.default,
    default_agencies=(POLICE, FOREIGN_AFFAIRS, FRIENDSHIP),
    silence_rule=SilenceRule.overdue,
    clock_stops_on_supplement=True,
    outcomes=(Outcome.approve, Outcome.refuse, Outcome.forward),
    fields_schema="AidProjectFields",
    forward_when_field="touches_security_defence_religion",
    steps=AID_STEPS,
    transitions=STANDARD_TRANSITIONS,
)

AID_NONPROJECT = AID_PROJECT.model_copy(
    update={
        "code": "aid.nonproject.appraise",
        "title_vi": "Thẩm định, phê duyệt khoản viện trợ phi dự án",
        "title_en": "Appraise and approve non-project aid",
        "legal_basis": "Decree 80/2020/NĐ-CP (Decree 313/2025/NĐ-CP): non-project aid (cash, "
        "goods, experts, conferences, training); steps and deadlines as project aid (assumed).",
        "fields_schema": "AidNonProjectFields",
    }
)

AID_RELIEF = ProcedureDefinition(
    code="aid.relief.approve",
    version=1,
    title_vi="Tiếp nhận, phê duyệt viện trợ khẩn cấp khắc phục hậu quả thiên tai",
    title_en="Approve emergency relief aid",
    legal_basis="Decree 50/2020/NĐ-CP: approval within 3 days of a complete dossier "
    "(working days); consultation optional.",
    level="provincial",
    receiving_agency=FINANCE,
    deciding_agency=PPC,
    intake_working_days=1,
    total_working_days=3,
    consultation_working_days=1,
    reminder_working_days_before=0,
    at_risk_working_days=1,
    consultation_mode=ConsultationMode.chosen,
    default_agencies=(),
    silence_rule=SilenceRule.deemed_consent,
    clock_stops_on_supplement=False,
    outcomes=(Outcome.approve, Outcome.refuse, Outcome.forward),
    fields_schema="ReliefFields",
    forward_when_field="touches_security_defence_religion",
    steps=(
        Step(
            name="intake",
            title_vi="Tiếp nhận",
            title_en="Intake",
            role=Role.handler,
            statuses=(Status.received,),
            working_days=1,
        ),
        Step(
            name="approval",
            title_vi="Phê duyệt",
            title_en="Approval",
            role=Role.leader,
            statuses=(Status.awaiting_decision,),
            working_days=2,
        ),
    ),
    transitions=STANDARD_TRANSITIONS,
)

DEFINITIONS = (PROVINCE_OPINION, AID_PROJECT, AID_NONPROJECT, AID_RELIEF)
