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


CertificateNumber = Annotated[str, Field(min_length=3, max_length=120,
                                         description="Number of the certificate concerned.")]


class RenewFields(FieldsBase):
    """Renewal (gia hạn), Decree 58/2022 Art 12 and 16: report on the term, plan for the next."""

    certificate_number: CertificateNumber
    past_term_report: NonEmpty = Field(description="Report on activities of the past term.")
    next_term_plan: NonEmpty = Field(description="Plan of activities for the next term.")
    requested_validity_years: int = Field(default=3, ge=1, le=5)


class Change(FieldsBase):
    """One change requested to a certificate (sửa đổi, bổ sung)."""

    what: Literal["name", "address", "head_of_office", "activity_fields", "provinces",
                  "other"]
    new_value: NonEmpty


class AmendFields(FieldsBase):
    """Amendment (sửa đổi, bổ sung), Decree 58/2022 Art 13 and 17: what changes."""

    certificate_number: CertificateNumber
    changes: list[Change] = Field(min_length=1, description="Each change asked for.")


class ReissueFields(FieldsBase):
    """Re-issue (cấp lại) of a lost or damaged certificate, Art 13 and 17."""

    certificate_number: CertificateNumber
    reason: Literal["lost", "damaged"]
    explanation: str = Field(default="", max_length=2000)


class CloseFields(FieldsBase):
    """Closing a legacy project office (Decree 12/2012)."""

    certificate_number: CertificateNumber
    reason: NonEmpty


class ProvinceOpinionFields(FieldsBase):
    """The province's opinion (cho ý kiến) asked by the Committee on a certificate dossier."""

    opinion_on: Literal["issue", "renew", "amend", "reissue"] = Field(
        description="Which certificate procedure the Committee is running.")
    ngo_name: NonEmpty
    committee_request_ref: NonEmpty = Field(description="Number of the Committee's letter.")
    province: NonEmpty


class AidFields(FieldsBase):
    """Common fields of foreign non-ODA aid (Decree 80/2020, from 08/12/2025 Decree 313/2025)."""

    donor: NonEmpty
    donor_is_foreign_ngo: bool = Field(
        description="When true the Union of Friendship Organisations is consulted.")
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)
    currency: str = Field(pattern="^[A-Z]{3}$", examples=["USD"])
    sector: NonEmpty
    province: NonEmpty
    touches_security_defence_religion: bool = Field(
        description="Such aid is for the Prime Minister: the province forwards it.")


class AidProjectFields(AidFields):
    """Programme or project aid: investment or technical assistance."""

    kind: Literal["investment", "technical_assistance"]
    duration_months: int = Field(ge=1, le=120)


class AidNonProjectFields(AidFields):
    """Non-project aid: cash, goods, experts, conferences, training."""

    kind: Literal["cash", "goods", "experts", "conference", "training"]
    purpose: NonEmpty
    goods_list: list[NonEmpty] = Field(default_factory=list)


class ReliefFields(FieldsBase):
    """Emergency relief (Decree 50/2020)."""

    donor: NonEmpty
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)
    currency: str = Field(pattern="^[A-Z]{3}$")
    province: NonEmpty
    disaster: NonEmpty = Field(description="The disaster or emergency relieved.")
    items: list[NonEmpty] = Field(default_factory=list)
    touches_security_defence_religion: bool = False


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
