"""Words shown on the pages for the engine's codes, in Vietnamese and English."""

from __future__ import annotations

STATUS = {
    "received": ("Đã tiếp nhận, chờ kiểm tra", "Received, awaiting check"),
    "awaiting_supplement": ("Chờ bổ sung hồ sơ", "Awaiting supplement"),
    "in_review": ("Đang giải quyết", "In review"),
    "awaiting_decision": ("Chờ lãnh đạo ký", "Awaiting signature"),
    "approved": ("Đã cấp / phê duyệt", "Approved"),
    "refused": ("Từ chối", "Refused"),
    "forwarded": ("Chuyển cấp có thẩm quyền", "Forwarded"),
    "rejected_at_intake": ("Từ chối tiếp nhận", "Refused at intake"),
    "withdrawn": ("Đã rút hồ sơ", "Withdrawn"),
}

CONSULTATION_STATUS = {
    "requested": ("Chờ trả lời", "Awaiting answer"),
    "answered": ("Đã trả lời", "Answered"),
    "overdue": ("Quá hạn trả lời", "Overdue"),
    "deemed_consent": ("Coi như đồng ý (không trả lời)", "Deemed consent (no answer)"),
    "cancelled": ("Đã hủy", "Cancelled"),
}

OPINION = {
    "agree": ("Đồng ý", "Agree"),
    "agree_with_conditions": ("Đồng ý có điều kiện", "Agree with conditions"),
    "object": ("Không đồng ý", "Object"),
    "deemed_consent": ("Coi như đồng ý", "Deemed consent"),
}

ROLE = {
    "handler": ("Chuyên viên xử lý", "Handler"),
    "leader": ("Lãnh đạo ký duyệt", "Leader"),
    "manager": ("Quản lý, theo dõi", "Manager"),
    "agency": ("Cơ quan được lấy ý kiến", "Partner agency"),
    "admin": ("Quản trị hệ thống", "Administrator"),
    "system": ("Hệ thống", "System"),
}

OUTCOME = {
    "approve": ("Cấp / phê duyệt", "Approve"),
    "refuse": ("Từ chối", "Refuse"),
    "forward": ("Chuyển cấp có thẩm quyền", "Forward to the competent authority"),
}

TIMELINESS = {
    "early": ("Trước hạn", "Early"),
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Quá hạn", "Late"),
}

ACTION = {
    "receive": ("Tiếp nhận hồ sơ", "Dossier received"),
    "upload-document": ("Tải lên tài liệu", "Document uploaded"),
    "respond": ("Cơ quan trả lời", "Agency answered"),
    "remind": ("Nhắc hạn trả lời", "Agency reminded"),
    "expire-consultation": ("Quá hạn trả lời", "Agency deadline passed"),
    "flag-at-risk": ("Sắp đến hạn", "Appointment date near"),
    "flag-late": ("Quá hạn giải quyết", "Appointment date passed"),
    "flag-step-overdue": ("Quá hạn bước xử lý", "Step deadline passed"),
    "migrate": ("Chuyển phiên bản thủ tục", "Moved to another procedure version"),
}

HOME = {
    "handler": "/app/worklist",
    "leader": "/app/decisions",
    "agency": "/app/consultations",
    "manager": "/app/dashboard",
    "admin": "/app/admin",
}


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """The word for a code in the language; the code itself when it has none."""
    if code is None:
        return ""
    vi, en = table.get(code, (code, code))
    return en if lang == "en" else vi
