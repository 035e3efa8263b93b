"""Plain functions that create what a test needs, through the domain services."""

from __future__ import annotations

import itertools
import random

from sqlmodel import Session

from hub.members.models import Member, Scope, StaffAccount, StaffRole
from hub.members.schemas import MemberCreate, StaffCreate, TokenIssue, complete_siren
from hub.members.service import member_service, staff_service, token_service

_sequence = itertools.count(1)


def new_siren() -> str:
    return complete_siren(f"{random.randrange(10**7, 10**8)}")


def create_member(
    session: Session,
    *,
    name: str | None = None,
    siren: str | None = None,
    region: str = "75",
    departements: list[str] | None = None,
    trades: list[str] | None = None,
    consents_raw_access: bool = False,
) -> Member:
    number = next(_sequence)
    return member_service.create(
        session,
        MemberCreate(
            name=name or f"CAE d'essai n°{number}",
            siren=siren or new_siren(),
            region=region,
            departements=departements or ["33"],
            trades=trades or ["43.21A"],
            contact_email=f"contact{number}@cae.example",
            consents_raw_access=consents_raw_access,
        ),
    )


def create_staff(
    session: Session, *, role: StaffRole = StaffRole.STAFF, password: str | None = None
) -> StaffAccount:
    number = next(_sequence)
    account, _ = staff_service.create(
        session,
        StaffCreate(
            email=f"equipe{number}@federation.example",
            display_name=f"Personne {number}",
            role=role,
            password=password or "un mot de passe solide",
        ),
    )
    return account


def issue_token(
    session: Session,
    *,
    member: Member | None = None,
    staff: StaffAccount | None = None,
    scopes: list[Scope] | None = None,
    expires_in_days: int | None = None,
) -> str:
    _, secret = token_service.issue(
        session,
        TokenIssue(
            member_siren=member.siren if member else None,
            staff_email=staff.email if staff else None,
            scopes=scopes,
            expires_in_days=expires_in_days,
        ),
    )
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
