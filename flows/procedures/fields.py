"""The dossier fields of each procedure family, validated by pydantic (thành phần hồ sơ)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]

# Decree 58/2022 Art 14: a representative office may only be in these three cities.
OFFICE_CITIES = ("Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh")
_CITY_ALIASES = {
    "ha noi": "Hà Nội",
    "hanoi": "Hà Nội",
    "thanh pho ha noi": "Hà Nội",
    "tp ha noi": "Hà Nội",
    "da nang": "Đà Nẵng",
    "danang": "Đà Nẵng",
    "thanh pho da nang": "Đà Nẵng",
    "tp da nang": "Đà Nẵng",
    "tp ho chi minh": "TP Hồ Chí Minh",
    "ho chi minh": "TP Hồ Chí Minh",
    "ho chi minh city": "TP Hồ Chí Minh",
    "thanh pho ho chi minh": "TP Hồ Chí Minh",
    "hcmc": "TP Hồ Chí Minh",
    "tp hcm": "TP Hồ Chí Minh",
    "tphcm": "TP Hồ Chí Minh",
}


def _fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese name, for matching spellings."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(ascii_text.lower().replace(".", " ").replace("-", " ").split())


class FieldsBase(BaseModel):
    """Common base: unknown fields are an error, so typos do not vanish silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OperationIssueFields(FieldsBase):
    """Operation registration certificate (Giấy đăng ký hoạt động), Decree 58/2022 Art 10."""

    provinces: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Địa bàn hoạt động"},
        min_length=1,
        description="Provinces where the NGO will operate (địa bàn hoạt động).",
    )
    activity_fields: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Lĩnh vực hoạt động"},
        min_length=1,
        description="Fields of activity (lĩnh vực hoạt động).",
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"},
        default=3,
        ge=1,
        le=3,
        description="Validity asked for; at most 3 years (Art 10).",
    )


class OfficeIssueFields(FieldsBase):
    """Representative office certificate (Văn phòng đại diện), Decree 58/2022 Art 14."""

    office_province: str = Field(
        json_schema_extra={"title_vi": "Thành phố đặt văn phòng"},
        description="City of the office: Hà Nội, Đà Nẵng or TP Hồ Chí Minh only (Art 14).",
    )
    office_address: NonEmpty = Field(
        json_schema_extra={"title_vi": "Địa chỉ văn phòng dự kiến"},
        description="Planned address of the office.",
    )
    activity_fields: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Lĩnh vực hoạt động"},
        min_length=1,
        description="Fields of activity.",
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"},
        default=5,
        ge=1,
        le=5,
        description="Validity asked for; at most 5 years (Art 14).",
    )

    @field_validator("office_province")
    @classmethod
    def _only_three_cities(cls, value: str) -> str:
        """Decree 58/2022 Art 14: only Hà Nội, Đà Nẵng or TP Hồ Chí Minh."""
        city = _CITY_ALIASES.get(_fold(value))
        if city is None:
            raise ValueError(
                "a representative office may only be located in Hà Nội, Đà Nẵng or "
                "TP Hồ Chí Minh (Decree 58/2022/NĐ-CP Art 14)"
            )
        return city


CertificateNumber = Annotated[
    str, Field(min_length=3, max_length=120, description="Number of the certificate concerned.")
]


class RenewFields(FieldsBase):
    """Renewal (gia hạn), Decree 58/2022 Art 12 and 16: report on the term, plan for the next."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    past_term_report: NonEmpty = Field(
        json_schema_extra={"title_vi": "Báo cáo hoạt động nhiệm kỳ trước"},
        description="Report on activities of the past term.",
    )
    next_term_plan: NonEmpty = Field(
        json_schema_extra={"title_vi": "Kế hoạch hoạt động nhiệm kỳ tới"},
        description="Plan of activities for the next term.",
    )
    requested_validity_years: int = Field(
        json_schema_extra={"title_vi": "Thời hạn đề nghị (năm)"}, default=3, ge=1, le=5
    )


class Change(FieldsBase):
    """One change requested to a certificate (sửa đổi, bổ sung)."""

    what: Literal["name", "address", "head_of_office", "activity_fields", "provinces", "other"]
    new_value: NonEmpty = Field(json_schema_extra={"title_vi": "Nội dung mới"})


class AmendFields(FieldsBase):
    """Amendment (sửa đổi, bổ sung), Decree 58/2022 Art 13 and 17: what changes."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    changes: list[Change] = Field(
        json_schema_extra={"title_vi": "Nội dung đề nghị sửa đổi, bổ sung"},
        min_length=1,
        description="Each change asked for.",
    )


class ReissueFields(FieldsBase):
    """Re-issue (cấp lại) of a lost or damaged certificate, Art 13 and 17."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    reason: Literal["lost", "damaged"] = Field(json_schema_extra={"title_vi": "Lý do cấp lại"})
    explanation: str = Field(
        json_schema_extra={"title_vi": "Giải trình"}, default="", max_length=2000
    )


class CloseFields(FieldsBase):
    """Closing a legacy project office (Decree 12/2012)."""

    certificate_number: CertificateNumber = Field(json_schema_extra={"title_vi": "Số giấy đăng ký"})
    reason: NonEmpty = Field(json_schema_extra={"title_vi": "Lý do chấm dứt hoạt động"})


class ProvinceOpinionFields(FieldsBase):
    """The province's opinion (cho ý kiến) asked by the Committee on a certificate dossier."""

    opinion_on: Literal["issue", "renew", "amend", "reissue"] = Field(
        json_schema_extra={"title_vi": "Thủ tục được cho ý kiến"},
        description="Which certificate procedure the Committee is running.",
    )
    ngo_name: NonEmpty = Field(json_schema_extra={"title_vi": "Tên tổ chức"})
    committee_request_ref: NonEmpty = Field(
        json_schema_extra={"title_vi": "Số văn bản đề nghị của Ủy ban"},
        description="Number of the Committee's letter.",
    )
    province: NonEmpty = Field(json_schema_extra={"title_vi": "Tỉnh, thành phố"})


class AidFields(FieldsBase):
    """Common fields of foreign non-ODA aid (Decree 80/2020, from 08/12/2025 Decree 313/2025)."""

    donor: NonEmpty = Field(json_schema_extra={"title_vi": "Bên tài trợ"})
    donor_is_foreign_ngo: bool = Field(
        json_schema_extra={"title_vi": "Bên tài trợ là tổ chức phi chính phủ nước ngoài"},
        description="When true the Union of Friendship Organisations is consulted.",
    )
    amount: Decimal = Field(
        json_schema_extra={"title_vi": "Giá trị khoản viện trợ"},
        gt=0,
        max_digits=18,
        decimal_places=2,
    )
    currency: str = Field(
        json_schema_extra={"title_vi": "Loại tiền"}, pattern="^[A-Z]{3}$", examples=["USD"]
    )
    sector: NonEmpty = Field(json_schema_extra={"title_vi": "Lĩnh vực"})
    province: NonEmpty = Field(json_schema_extra={"title_vi": "Tỉnh, thành phố"})
    touches_security_defence_religion: bool = Field(
        json_schema_extra={"title_vi": "Liên quan đến an ninh, quốc phòng, tôn giáo"},
        description="Such aid is for the Prime Minister: the province forwards it.",
    )


class AidProjectFields(AidFields):
    """Programme or project aid: investment or technical assistance."""

    kind: Literal["investment", "technical_assistance"] = Field(
        json_schema_extra={"title_vi": "Loại viện trợ"}
    )
    duration_months: int = Field(
        json_schema_extra={"title_vi": "Thời gian thực hiện (tháng)"}, ge=1, le=120
    )


class AidNonProjectFields(AidFields):
    """Non-project aid: cash, goods, experts, conferences, training."""

    kind: Literal["cash", "goods", "experts", "conference", "training"] = Field(
        json_schema_extra={"title_vi": "Loại viện trợ"}
    )
    purpose: NonEmpty = Field(json_schema_extra={"title_vi": "Mục đích"})
    goods_list: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Danh mục hàng hóa"}, default_factory=list
    )


class ReliefFields(FieldsBase):
    """Emergency relief (Decree 50/2020)."""

    donor: NonEmpty = Field(json_schema_extra={"title_vi": "Bên tài trợ"})
    amount: Decimal = Field(
        json_schema_extra={"title_vi": "Giá trị khoản viện trợ"},
        gt=0,
        max_digits=18,
        decimal_places=2,
    )
    currency: str = Field(json_schema_extra={"title_vi": "Loại tiền"}, pattern="^[A-Z]{3}$")
    province: NonEmpty = Field(json_schema_extra={"title_vi": "Tỉnh, thành phố"})
    disaster: NonEmpty = Field(
        json_schema_extra={"title_vi": "Thiên tai, tình trạng khẩn cấp"},
        description="The disaster or emergency relieved.",
    )
    items: list[NonEmpty] = Field(
        json_schema_extra={"title_vi": "Danh mục hàng cứu trợ"}, default_factory=list
    )
    touches_security_defence_religion: bool = Field(
        default=False, json_schema_extra={"title_vi": "Liên quan đến an ninh, quốc phòng, tôn giáo"}
    )


FIELD_MODELS: dict[str, type[FieldsBase]] = {
    "OperationIssueFields": OperationIssueFields,
    "OfficeIssueFields": OfficeIssueFields,
    "RenewFields": RenewFields,
    "AmendFields": AmendFields,
    "ReissueFields": ReissueFields,
    "CloseFields": CloseFields,
    "ProvinceOpinionFields": ProvinceOpinionFields,
    "AidProjectFields": AidProjectFields,
    "AidNonProjectFields": AidNonProjectFields,
    "ReliefFields": ReliefFields,
}
