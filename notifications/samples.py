"""A sample context for every message: the contract between the outbox and the templates.

The outbox writes exactly these keys (see flows/service/effects.py); delivery adds
`reply_url` and `reply_expires` to consultation messages, and the link to the page where a
staff member acts (`decision_url`, `dossier_url`) to the messages that tell them what waits.
Tests render every template with these, and the /mail preview uses them.
"""

from __future__ import annotations

from typing import Any

from flows.procedures.common import NGO_OBLIGATIONS_EN, NGO_OBLIGATIONS_VI

BASE: dict[str, Any] = {
    "dossier_code": "UBCT-PCPNN-20261123-0001",
    "dossier_id": "3f1c2a8e-0000-4000-8000-000000000001",
    "subject": "Operation registration for clean-water projects <Quảng Trị>",
    "procedure_code": "ngo.operation.issue",
    "procedure_title_vi": "Cấp Giấy đăng ký hoạt động cho tổ chức phi chính phủ nước ngoài",
    "procedure_title_en": "Issue an operation registration certificate to a foreign NGO",
    "applicant_name": "Save the Rivers Foundation",
    "received_at": "2026-11-23T02:00:00+00:00",
    # The sender: the receiving agency by its registry name (effects.procedure_context).
    "sender_vi": "Ủy ban công tác về các tổ chức phi chính phủ nước ngoài",
    "sender_en": "Committee for Foreign NGO Affairs",
    "applicant_is_agency": False,
    "total_working_days": 30,
    "outcome_titles_vi": {},
    "outcome_titles_en": {},
    "obligations_vi": NGO_OBLIGATIONS_VI,
    "obligations_en": NGO_OBLIGATIONS_EN,
    "at": "2026-11-25T08:00:00+00:00",
}

# A provincial procedure's dossier: the Department of Finance receives it and speaks for it.
PROVINCIAL: dict[str, Any] = {
    **BASE,
    "dossier_code": "STC-QT-20261123-0001",
    "procedure_code": "aid.project.appraise",
    "obligations_vi": "",
    "obligations_en": "",
    "procedure_title_vi": "Thẩm định, phê duyệt khoản viện trợ chương trình, dự án",
    "procedure_title_en": "Appraise and approve programme or project aid",
    "applicant_name": "Clean Water Partners",
    "sender_vi": "Sở Tài chính tỉnh Quảng Trị",
    "sender_en": "Quảng Trị Department of Finance",
    "total_working_days": 20,
}

# A province's opinion for the Committee: the applicant is a state body, the answer reads
# "đồng ý / không đồng ý", and no right to complain or sue is stated to it.
OPINION: dict[str, Any] = {
    **BASE,
    "dossier_code": "SNGV-QT-20261123-0001",
    "procedure_code": "province.opinion",
    "obligations_vi": "",
    "obligations_en": "",
    "procedure_title_vi": "Cho ý kiến về hồ sơ của tổ chức phi chính phủ nước ngoài (cấp tỉnh)",
    "procedure_title_en": "Provincial opinion on a foreign NGO certificate dossier",
    "applicant_name": "Ủy ban công tác về các tổ chức phi chính phủ nước ngoài",
    "sender_vi": "Sở Ngoại vụ tỉnh Quảng Trị",
    "sender_en": "Quảng Trị Department of Foreign Affairs",
    "applicant_is_agency": True,
    "total_working_days": 10,
    "outcome_titles_vi": {"approve": "Đồng ý", "refuse": "Không đồng ý"},
    "outcome_titles_en": {"approve": "Agree", "refuse": "Do not agree"},
}

CONSULTATION: dict[str, Any] = {
    "consultation_id": "9a0b1c2d-0000-5000-8000-000000000002",
    "agency": "BCA",
    "agency_name": "Bộ Công an",
    "due_date": "2026-12-10",
}
REPLY = {"reply_url": "http://127.0.0.1:8000/reply/SIGNED-TOKEN", "reply_expires": "2027-01-09"}
DOSSIER_URL = f"http://127.0.0.1:8000/app/dossiers/{BASE['dossier_id']}"
ANSWERS: list[dict[str, Any]] = [
    {
        "agency": "BCA",
        "agency_name": "Bộ Công an",
        "status": "answered",
        "opinion": "agree_with_conditions",
        "comments": "Chỉ hoạt động tại <Quảng Trị> và Huế.",
        "answered_at": "2026-12-03T03:00:00+00:00",
        "due_date": "2026-12-10",
        "late": False,
    },
    {
        "agency": "BTC",
        "agency_name": "Bộ Tài chính",
        "status": "deemed_consent",
        "opinion": None,
        "comments": "",
        "answered_at": None,
        "due_date": "2026-12-10",
        "late": False,
    },
]

SAMPLES: dict[str, dict[str, Any]] = {
    "receipt": {**BASE, "due_date": "2027-01-07"},
    "supplement_request": {
        **BASE,
        "missing": ["Certified copy of the charter", "Letter of introduction"],
        "note": "Please send both within 10 days.",
        "during_review": False,
        "clock_stopped": False,
    },
    "intake_rejected": {**BASE, "reason": "The NGO is not legally established abroad."},
    "consultation_request": {**BASE, **CONSULTATION, **REPLY, "working_days": 10},
    "consultation_reminder": {**BASE, **CONSULTATION, **REPLY},
    "consultation_overdue": {**BASE, **CONSULTATION},
    "deemed_consent": {**BASE, **CONSULTATION},
    "decision": {
        **BASE,
        "outcome": "approve",
        "status": "approved",
        "reasons": "",
        "validity_years": 3,
        "valid_from": "2026-12-08",
        "valid_until": "2029-12-07",
        "certificate_number": "UBCT-PCPNN-20261123-0001/GĐK",
        "signed_by": "Lê Minh Cường",
        "on_time": True,
        "timeliness": "early",
        "working_days_used": 9,
    },
    "extension": {
        **BASE,
        "reason": "An agency has not answered yet.",
        "working_days": 5,
        "previous_due_date": "2027-01-06",
        "due_date": "2027-01-13",
    },
    "stopped": {
        **BASE,
        "reason": "The organisation has changed its plans.",
        "waited_working_days": 0,
        "at": "2026-12-02T07:15:00+00:00",
    },
    "dossier_at_risk": {**BASE, "due_date": "2027-01-06", "working_days_left": 3},
    "dossier_late": {**BASE, "due_date": "2027-01-06"},
    "decision_waiting": {
        **BASE,
        "outcome": "approve",
        "reasons": "",
        "validity_years": 3,
        "proposed_by": "Nguyễn Văn An",
        "due_date": "2027-01-07",
        "decision_url": f"http://127.0.0.1:8000/app/decisions/{BASE['dossier_id']}",
    },
    "consultations_complete": {
        **BASE,
        "due_date": "2027-01-07",
        "answers": ANSWERS,
        "dossier_url": DOSSIER_URL,
    },
    "dossier_assigned": {
        **BASE,
        "assignee": "Trần Thị Bình",
        "previous": "Nguyễn Văn An",
        "assigned_by": "Lê Minh Cường",
        "due_date": "2027-01-07",
        "dossier_url": DOSSIER_URL,
    },
    "daily_digest": {
        "day": "2026-12-09",
        "overdue_dossiers": [
            {
                "code": "UBCT-PCPNN-20261020-0001",
                "subject": "Office <Đà Nẵng>",
                "due_date": "2026-12-03",
                "assignee": "Trần Thị Bình",
                "working_days_late": 4,
            }
        ],
        "at_risk_dossiers": [
            {
                "code": "UBCT-PCPNN-20261104-0001",
                "subject": "Clean water",
                "due_date": "2026-12-14",
                "assignee": None,
                "working_days_left": 3,
            }
        ],
        "late_agencies": [{"agency": "BCA", "agency_name": "Bộ Công an", "overdue_requests": 2}],
        "overdue_obligations": [
            {
                "ngo_name": "Save the Rivers Foundation",
                "kind": "annual_report",
                "kind_title_vi": "Báo cáo hằng năm (Mẫu số 05)",
                "kind_title_en": "Annual report (Form 05)",
                "period_year": 2026,
                "due_date": "2026-12-18",
            }
        ],
        "intake_overdue_dossiers": [
            {
                "code": "UBCT-PCPNN-20251231-0001",
                "subject": "Operation registration",
                "received_on": "2025-12-31",
                "due_date": "2026-01-06",
                "assignee": None,
                "working_days_late": 1,
            }
        ],
    },
    "obligation_reminder": {
        "obligation_id": "7b8c9d0e-0000-4000-8000-000000000004",
        "ngo_id": "6a7b8c9d-0000-4000-8000-000000000005",
        "ngo_name": "Save the Rivers Foundation",
        "kind": "bank_account_notice",
        "kind_title_vi": "Thông báo tài khoản ngân hàng",
        "kind_title_en": "Notice of bank accounts",
        "period_year": None,
        "due_date": "2026-12-18",
        "legal_basis": "Nghị định 58/2022/NĐ-CP, Điều 21",
        "certificate_number": "123/GĐK-BNG",
        "sender_vi": BASE["sender_vi"],
        "sender_en": BASE["sender_en"],
    },
    "obligation_overdue": {
        "obligation_id": "7b8c9d0e-0000-4000-8000-000000000006",
        "ngo_id": "6a7b8c9d-0000-4000-8000-000000000005",
        "ngo_name": "Save the Rivers Foundation",
        "kind": "annual_report",
        "kind_title_vi": "Báo cáo hằng năm (Mẫu số 05)",
        "kind_title_en": "Annual report (Form 05)",
        "period_year": 2026,
        "due_date": "2026-12-18",
        "legal_basis": "Nghị định 58/2022/NĐ-CP, Điều 21",
        "certificate_number": None,
        "sender_vi": BASE["sender_vi"],
        "sender_en": BASE["sender_en"],
    },
    "delivery_dead": {
        "outbox_id": "5e6f7a8b-0000-5000-8000-000000000003",
        "recipient": "contact@savetherivers.example.org",
        "template": "decision",
        "attempts": 8,
        "last_error": "Connection refused",
        "dossier_code": BASE["dossier_code"],
    },
}

# Variants the templates must also handle (other branches of the same message).
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "decision": [
        {
            **SAMPLES["decision"],
            "outcome": "refuse",
            "status": "refused",
            "reasons": "Activities fall outside the permitted fields.",
            "validity_years": None,
            "valid_from": None,
            "valid_until": None,
            "certificate_number": None,
            "on_time": False,
            "timeliness": "late",
        },
        {
            **SAMPLES["decision"],
            "outcome": "forward",
            "status": "forwarded",
            "reasons": "The aid touches on religion: for the Prime Minister.",
            "validity_years": None,
            "valid_from": None,
            "valid_until": None,
            "certificate_number": None,
        },
        {
            **SAMPLES["decision"],
            **OPINION,
            "outcome": "refuse",
            "status": "refused",
            "reasons": "Hoạt động dự kiến trùng với chương trình của địa phương.",
            "validity_years": None,
            "valid_from": None,
            "valid_until": None,
            "certificate_number": None,
        },
        {
            **SAMPLES["decision"],
            **PROVINCIAL,
            "validity_years": None,
            "valid_from": None,
            "valid_until": None,
            "certificate_number": None,
        },
    ],
    "supplement_request": [
        {**SAMPLES["supplement_request"], "note": "", "during_review": True, "clock_stopped": True}
    ],
    "receipt": [{**SAMPLES["receipt"], **PROVINCIAL}, {**SAMPLES["receipt"], **OPINION}],
    "intake_rejected": [{**SAMPLES["intake_rejected"], **PROVINCIAL}],
    "extension": [{**SAMPLES["extension"], **PROVINCIAL}],
    "stopped": [{**SAMPLES["stopped"], **PROVINCIAL}, {**SAMPLES["stopped"], **OPINION}],
    "consultation_request": [{**SAMPLES["consultation_request"], **PROVINCIAL}],
    "consultation_reminder": [{**SAMPLES["consultation_reminder"], **PROVINCIAL}],
    "daily_digest": [
        {"day": "2026-12-10", "overdue_dossiers": [], "at_risk_dossiers": [], "late_agencies": []}
    ],
    "delivery_dead": [{**SAMPLES["delivery_dead"], "dossier_code": ""}],
    "decision_waiting": [
        {
            **SAMPLES["decision_waiting"],
            "outcome": "refuse",
            "validity_years": None,
            "reasons": "Activities fall outside the permitted fields.",
            "due_date": None,
        },
        {
            **SAMPLES["decision_waiting"],
            "outcome": "forward",
            "validity_years": None,
            "reasons": "The aid touches on religion: for the Prime Minister.",
        },
        {**SAMPLES["decision_waiting"], **OPINION, "validity_years": None},
    ],
    "consultations_complete": [
        {
            **SAMPLES["consultations_complete"],
            "due_date": None,
            "answers": [{**ANSWERS[0], "opinion": "object", "comments": "", "late": True}],
        },
    ],
    "dossier_assigned": [
        {**SAMPLES["dossier_assigned"], "previous": None, "assigned_by": "", "due_date": None}
    ],
}
