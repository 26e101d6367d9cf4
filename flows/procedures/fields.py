"""The dossier fields of each procedure family, validated by pydantic (thành phần hồ sơ)."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]

# List bounds: Việt Nam has 34 provincial-level units (since 1 July 2025); the others are far
# above any real dossier and keep one dossier from weighing megabytes.
MAX_PROVINCES = 34
MAX_ACTIVITY_FIELDS = 50
MAX_CHANGES = 20
MAX_ITEMS = 500

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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _BY_NAME[cls.__name__] = cls


_BY_NAME: dict[str, type[FieldsBase]] = {}


def fields_class(value: object) -> type[FieldsBase]:
    """A fields model, given the class or (from a stored definition) its name."""
    if isinstance(value, type) and issubclass(value, FieldsBase):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    raise ValueError(f"unknown fields model {value!r}")


def office_city(value: str) -> str:
    """Decree 58/2022 Art 14: an office only in Hà Nội, Đà Nẵng or TP Hồ Chí Minh."""
    city = _CITY_ALIASES.get(_fold(value))
    if city is None:
        raise ValueError(
            "a representative office may only be located in Hà Nội, Đà Nẵng or "
            "TP Hồ Chí Minh (Decree 58/2022/NĐ-CP Art 14)"
        )
    return city


def fold(text: str) -> str:
    """Lower-case ASCII form of a name, for matching spellings of provinces and fields."""
    return _fold(text)


CertificateNumber = Annotated[
    str, Field(min_length=3, max_length=120, description="Number of the certificate concerned.")
]


class Change(FieldsBase):
    """One change requested to a certificate (sửa đổi, bổ sung)."""

    what: Literal["name", "address", "head_of_office", "activity_fields", "provinces", "other"]
    new_value: NonEmpty = Field(json_schema_extra={"title_vi": "Nội dung mới"})


class AidFields(FieldsBase):
    """Common fields of foreign non-ODA aid (Decree 313/2025, in force from 08/12/2025)."""

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
    for_legal_drafting: bool = Field(
        default=False,
        json_schema_extra={"title_vi": "Viện trợ cho xây dựng văn bản quy phạm pháp luật"},
        description="Aid for drafting legal documents is for the Prime Minister (Decree 313/2025).",
    )
    includes_listed_goods: bool = Field(
        default=False,
        json_schema_extra={"title_vi": "Có hàng hóa thuộc danh mục phải trình Thủ tướng"},
        description="Goods on Decree 313/2025's list are for the Prime Minister.",
    )


HomeRegistrationEnd = Annotated[
    date,
    Field(
        json_schema_extra={"title_vi": "Thời hạn giấy phép thành lập ở nước ngoài"},
        description="End of the NGO's registration in its home country: the certificate never "
        "runs beyond it (Decree 58/2022 Art 9).",
    ),
]
