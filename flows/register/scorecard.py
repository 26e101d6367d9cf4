"""The risk scorecard's shape and the criteria shipped as its first version.

No official criteria exist (procedures.md, "Risk and post-checks"): these are a configurable
default that an administrator replaces by publishing a new version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Group = Literal["low", "medium", "high"]
GROUPS: tuple[Group, ...] = ("low", "medium", "high")
Name = Annotated[str, Field(min_length=1, max_length=100)]
AgencyCodes = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)]

CRITERIA: dict[str, tuple[str, str]] = {
    "late_annual_report": ("Báo cáo hằng năm nộp muộn", "Annual report sent late"),
    "missing_annual_report": ("Không nộp báo cáo hằng năm", "Annual report missing"),
    "overdue_obligation": ("Nghĩa vụ sau cấp phép quá hạn", "Obligation after approval overdue"),
    "consultation_objection": (
        "Cơ quan được lấy ý kiến không đồng ý",
        "A consulted agency objected",
    ),
    "large_aid": ("Giá trị viện trợ lớn", "Large amount of aid"),
    "sensitive_sector": ("Lĩnh vực nhạy cảm", "Sensitive sector"),
    "sensitive_province": ("Địa bàn nhạy cảm", "Sensitive province"),
    "finding_minor": ("Kiểm tra phát hiện sai phạm nhỏ", "Inspection: minor finding"),
    "finding_major": ("Kiểm tra phát hiện sai phạm nghiêm trọng", "Inspection: major finding"),
}


class Thresholds(BaseModel):
    """The lowest score of each group above low."""

    model_config = ConfigDict(extra="forbid")

    medium: int = Field(ge=1)
    high: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.high <= self.medium:
            raise ValueError("groups.high must be above groups.medium")
        return self


class Scorecard(BaseModel):
    """Risk criteria as data (tiêu chí đánh giá rủi ro), versioned like procedures."""

    model_config = ConfigDict(extra="forbid")

    legal_basis: str = Field(min_length=1, max_length=500)
    window_years: int = Field(default=3, ge=1, le=10, description="How far back events count.")
    points: dict[Name, int] = Field(
        max_length=20, description="Points per occurrence of each criterion."
    )
    caps: dict[Name, int] = Field(
        default_factory=dict, max_length=20, description="Most points a criterion adds."
    )
    groups: Thresholds
    sensitive_sectors: list[Name] = Field(default_factory=list, max_length=100)
    sensitive_provinces: list[Name] = Field(default_factory=list, max_length=100)
    large_aid: dict[Annotated[str, Field(pattern="^[A-Z]{3}$")], Decimal] = Field(
        default_factory=dict,
        max_length=20,
        description="Per currency, the approved total that counts as large.",
    )
    review_depth: dict[
        Name, Annotated[dict[Literal["medium", "high"], AgencyCodes], Field(max_length=2)]
    ] = Field(
        default_factory=dict,
        max_length=60,
        description="Per procedure, the agencies also consulted on an NGO of that group.",
    )
    inspect_every_years: dict[Group, int | None] = Field(
        max_length=3,
        description="The yearly plan proposes an NGO when its last inspection is this old.",
    )

    @model_validator(mode="after")
    def _known(self) -> Scorecard:
        unknown = sorted(set(self.points) - set(CRITERIA))
        unknown += sorted(set(self.caps) - set(CRITERIA))
        if unknown:
            raise ValueError(f"unknown criteria {unknown}; known: {sorted(CRITERIA)}")
        return self


DEFAULT = Scorecard(
    legal_basis=(
        "Nghị quyết 100/NQ-CP (2026), kế hoạch triển khai cấp tỉnh (nhiệm vụ III.6, VI.2): "
        "đánh giá tổ chức PCPNN theo nhóm rủi ro; chuyển từ tiền kiểm sang hậu kiểm. "
        "Điểm số do ngo-review đề xuất (chưa có tiêu chí chính thức)."
    ),
    points={
        "late_annual_report": 25,
        "missing_annual_report": 40,
        "overdue_obligation": 15,
        "consultation_objection": 10,
        "large_aid": 10,
        "sensitive_sector": 10,
        "sensitive_province": 10,
        "finding_minor": 10,
        "finding_major": 30,
    },
    caps={"overdue_obligation": 45, "consultation_objection": 30},
    groups=Thresholds(medium=20, high=50),
    sensitive_sectors=["tôn giáo", "religion", "dân tộc", "ethnic minorities", "báo chí", "media"],
    sensitive_provinces=["Điện Biên", "Lai Châu", "Lào Cai", "Cao Bằng", "Lạng Sơn", "Quảng Trị"],
    large_aid={"USD": Decimal(2_000_000), "EUR": Decimal(2_000_000), "VND": Decimal(50e9)},
    review_depth={
        code: {"medium": ["LHHN"], "high": ["LHHN"]}
        for code in (
            "ngo.operation.renew",
            "ngo.office.renew",
            "ngo.operation.amend",
            "ngo.office.amend",
        )
    }
    | {code: {"high": ["LHHN-QT"]} for code in ("aid.project.appraise", "aid.nonproject.appraise")},
    inspect_every_years={"low": 5, "medium": 2, "high": 1},
)
