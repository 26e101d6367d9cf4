"""The dossier fields of each procedure family, validated by pydantic (thành phần hồ sơ)."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]

# Decree 58/2022 Art 14: a representative office may only be in these three cities.
OFFICE_CITIES = ("Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh")
_CITY_ALIASES = {
    "ha noi": "Hà Nội", "hanoi": "Hà Nội", "thanh pho ha noi": "Hà Nội", "tp ha noi": "Hà Nội",
    "da nang": "Đà Nẵng", "danang": "Đà Nẵng", "thanh pho da nang": "Đà Nẵng",
    "tp da nang": "Đà Nẵng",
    "tp ho chi minh": "TP Hồ Chí Minh", "ho chi minh": "TP Hồ Chí Minh",
    "ho chi minh city": "TP Hồ Chí Minh", "thanh pho ho chi minh": "TP Hồ Chí Minh",
    "hcmc": "TP Hồ Chí Minh", "tp hcm": "TP Hồ Chí Minh", "tphcm": "TP Hồ Chí Minh",
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
        min_length=1, description="Provinces where the NGO will operate (địa bàn hoạt động)."
    )
    activity_fields: list[NonEmpty] = Field(
        min_length=1, description="Fields of activity (lĩnh vực hoạt động)."
    )
    requested_validity_years: int = Field(
        default=3, ge=1, le=3, description="Validity asked for; at most 3 years (Art 10)."
    )


class OfficeIssueFields(FieldsBase):
    """Representative office certificate (Văn phòng đại diện), Decree 58/2022 Art 14."""

    office_province: str = Field(
        description="City of the office: Hà Nội, Đà Nẵng or TP Hồ Chí Minh only (Art 14)."
    )
    office_address: NonEmpty = Field(description="Planned address of the office.")
    activity_fields: list[NonEmpty] = Field(min_length=1, description="Fields of activity.")
    requested_validity_years: int = Field(
        default=5, ge=1, le=5, description="Validity asked for; at most 5 years (Art 14)."
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


FIELD_MODELS: dict[str, type[FieldsBase]] = {
    "OperationIssueFields": OperationIssueFields,
    "OfficeIssueFields": OfficeIssueFields,
}
