"""API models of the members domain (what goes over the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StrictBool

from cae_contract.registry import get_registry
from hub.members.models import MemberBase, Scope, StaffBase, StaffRole


def siren_is_valid(siren: str) -> bool:
    """Nine digits whose Luhn sum is a multiple of 10 (INSEE's rule for SIREN)."""
    if len(siren) != 9 or not siren.isascii() or not siren.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(siren)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def complete_siren(prefix: str) -> str:
    """The SIREN made of an 8-digit ``prefix`` and the check digit that makes it valid."""
    for last in "0123456789":
        if siren_is_valid(prefix + last):
            return prefix + last
    raise ValueError(f"« {prefix} » : 8 chiffres attendus")


def _check_siren(value: str) -> str:
    value = value.replace(" ", "")
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        raise ValueError("un SIREN compte exactement 9 chiffres")
    if not siren_is_valid(value):
        raise ValueError("SIREN invalide : la clé de contrôle (Luhn) ne correspond pas")
    return value


def _code_list_enum(list_name: str) -> Any:
    """The OpenAPI ``enum`` of a code list, read when the document is built."""

    def declare(schema: dict[str, Any]) -> None:
        schema["enum"] = sorted(get_registry().code_list(list_name))

    return declare


def _in_code_list(list_name: str, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in get_registry().code_list(list_name):
            raise ValueError(f"« {value} » n'est pas un code de {what} connu ({list_name})")
        return value

    return AfterValidator(check)


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("la liste contient des doublons")
    return values


# Patterns and code lists are declared for the document; the validators check them in French.
Siren = Annotated[
    str,
    Field(examples=["832451967"], json_schema_extra={"pattern": r"^[0-9]{9}$"}),
    AfterValidator(_check_siren),
]
RegionCode = Annotated[
    str,
    Field(examples=["75"], json_schema_extra=_code_list_enum("code-region")),
    _in_code_list("code-region", "région"),
]
DepartementCode = Annotated[
    str,
    Field(json_schema_extra=_code_list_enum("code-departement")),
    _in_code_list("code-departement", "département"),
]
TradeCode = Annotated[
    str,
    Field(json_schema_extra=_code_list_enum("code-trade")),
    _in_code_list("code-trade", "métier (NAF)"),
]
UNIQUE = {"uniqueItems": True}
Departements = Annotated[
    list[DepartementCode],
    Field(min_length=1, max_length=120, json_schema_extra=UNIQUE),
    AfterValidator(_unique),
]
Trades = Annotated[
    list[TradeCode],
    Field(min_length=1, max_length=50, json_schema_extra=UNIQUE),
    AfterValidator(_unique),
]
Name = Annotated[str, Field(min_length=2, max_length=200)]
DrawnPassword = Annotated[
    str | None, Field(description="Mot de passe tiré par le hub, affiché cette seule fois.")
]


class MemberCreate(MemberBase):
    """A new member CAE."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    name: Name
    siren: Siren
    region: RegionCode
    departements: Departements
    trades: Trades
    contact_email: EmailStr
    consents_raw_access: StrictBool = False  # JSON true or false, never 0, 1 or "oui"


class MemberUpdate(BaseModel):
    """Fields to change on a member; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    region: RegionCode | None = None
    departements: Departements | None = None
    trades: Trades | None = None
    contact_email: EmailStr | None = None
    consents_raw_access: StrictBool | None = None
    active: StrictBool | None = None


class MemberPublic(MemberBase):
    id: int
    active: bool
    created_at: datetime
    updated_at: datetime


class StaffCreate(StaffBase):
    """A new staff account. Without a password, the hub draws one and shows it once."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    email: EmailStr
    password: str | None = Field(default=None, min_length=12, max_length=200)


class StaffPublic(StaffBase):
    id: int
    active: bool
    created_at: datetime


class StaffCreated(StaffPublic):
    password: DrawnPassword = None


TokenStatus = Literal["active", "expired", "revoked"]


class TokenIssue(BaseModel):
    """Who the token is for, and what it may do. Exactly one of member_siren, staff_email."""

    model_config = ConfigDict(extra="forbid")

    member_siren: Siren | None = None
    staff_email: EmailStr | None = None
    label: str = Field(default="jeton", min_length=1, max_length=100)
    scopes: list[Scope] | None = Field(
        default=None, description="Par défaut, tous les droits du titulaire."
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenPublic(BaseModel):
    """A token as it may be shown again: never the secret, only its first characters."""

    id: int
    prefix: str
    label: str
    owner: Literal["member", "staff"]
    member_siren: str | None
    staff_email: str | None
    scopes: list[str]
    status: TokenStatus
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenPublic):
    token: str = Field(description="Le jeton, affiché cette seule fois : conservez-le.")


class MePublic(BaseModel):
    """Who is behind the token of the request."""

    kind: Literal["member", "staff"]
    role: Literal["member", "staff", "admin"]
    scopes: list[str]
    token: TokenPublic
    member: MemberPublic | None = None
    staff: StaffPublic | None = None


__all__ = [
    "MePublic",
    "MemberCreate",
    "MemberPublic",
    "MemberUpdate",
    "MemberUserCreate",
    "MemberUserCreated",
    "MemberUserPublic",
    "StaffCreate",
    "StaffCreated",
    "StaffPublic",
    "StaffRole",
    "TokenIssue",
    "TokenIssued",
    "TokenPublic",
    "complete_siren",
    "siren_is_valid",
]


class MemberUserCreate(BaseModel):
    """A new web account for a member CAE. Without a password, the hub draws one."""

    model_config = ConfigDict(extra="forbid")

    member_siren: Siren
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=12, max_length=200)


class MemberUserPublic(BaseModel):
    """A member's web account as it may be shown: never its password hash."""

    id: int
    member_siren: str
    email: str
    display_name: str
    active: bool
    created_at: datetime


class MemberUserCreated(MemberUserPublic):
    password: DrawnPassword = None
