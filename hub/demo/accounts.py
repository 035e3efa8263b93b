"""Who the demonstration registers: its CAEs with their tokens, and web accounts.

Secrets are drawn by the hub (passwords, tokens) and kept only as hashes there; the caller
writes each CAE's token into its token file after the transaction commits, and shows the
others once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from hub.demo.federation import DemoCae, DemoFederation
from hub.demo.profiles import Size
from hub.demo.writing import write_secret
from hub.members.models import StaffAccount, StaffRole
from hub.members.repository import MemberRepository, MemberUserRepository, StaffRepository
from hub.members.schemas import MemberCreate, MemberUserCreate, StaffCreate, TokenIssue
from hub.members.service import member_service, member_user_service, staff_service, token_service

DEMO_ADMIN = "admin@demo.cae-hub.fr"
DEMO_STAFF = "equipe@demo.cae-hub.fr"
TOKEN_LABEL = "synchronisation (démo)"  # noqa: S105 - a label, not a secret


@dataclass(frozen=True)
class Login:
    email: str
    who: str
    password: str


@dataclass
class Registration:
    """What a registration created; secrets to hand out once."""

    admin_token: str | None = None
    logins: list[Login] = field(default_factory=list)
    members_added: int = 0
    tokens: dict[str, str] = field(default_factory=dict)  # slug → new token secret


def is_loaded(session: Session) -> bool:
    return StaffRepository(session).get_by_email(DEMO_ADMIN) is not None


def member_login(cae: DemoCae) -> str:
    return f"direction@{cae.slug}.example"


def register(session: Session, federation: DemoFederation, *, need_token: set[str]) -> Registration:
    """Register what is missing: accounts, members, a token for each CAE in ``need_token``."""
    done = Registration()
    admin = _staff(session, DEMO_ADMIN, "Administration (démo)", StaffRole.ADMIN, done)
    if admin is not None:
        _, done.admin_token = token_service.issue(
            session, TokenIssue(staff_email=DEMO_ADMIN, label="administration (démo)")
        )
    _staff(session, DEMO_STAFF, "Équipe de la fédération (démo)", StaffRole.STAFF, done)
    members = MemberRepository(session)
    for index, cae in enumerate(federation.caes):
        if members.get_by_siren(cae.siren) is None:
            member_service.create(
                session,
                MemberCreate(
                    name=cae.name,
                    siren=cae.siren,
                    region=cae.profile.region,
                    departements=list(cae.profile.departements),
                    trades=list(cae.trades),
                    contact_email=f"contact@{cae.slug}.example",
                    consents_raw_access=index % 3 == 0,
                ),
            )
            done.members_added += 1
        if cae.slug in need_token:
            _, done.tokens[cae.slug] = token_service.issue(
                session, TokenIssue(member_siren=cae.siren, label=TOKEN_LABEL)
            )
    dominant = next(c for c in federation.caes if c.profile.size is Size.DOMINANT)
    if MemberUserRepository(session).get_by_email(member_login(dominant)) is None:
        _, password = member_user_service.create(
            session,
            MemberUserCreate(
                member_siren=dominant.siren,
                email=member_login(dominant),
                display_name=f"Direction — {dominant.name}",
            ),
        )
        assert password is not None
        done.logins.append(Login(member_login(dominant), f"CAE « {dominant.name} »", password))
    return done


def _staff(
    session: Session, email: str, name: str, role: StaffRole, done: Registration
) -> StaffAccount | None:
    """The account, when it had to be created (its drawn password goes to ``done``)."""
    if StaffRepository(session).get_by_email(email) is not None:
        return None
    account, password = staff_service.create(
        session, StaffCreate(email=email, display_name=name, role=role)
    )
    assert password is not None
    who = "administration" if role is StaffRole.ADMIN else "équipe de la fédération"
    done.logins.append(Login(email, who, password))
    return account


def staff_account(session: Session) -> StaffAccount:
    account = StaffRepository(session).get_by_email(DEMO_ADMIN)
    assert account is not None, "register() runs first"
    return account


def write_logins(path: Path, logins: list[Login], *, url: str) -> None:
    """Append the new web logins to the demonstration's access file (0600)."""

    previous = path.read_text(encoding="utf-8").rstrip("\n") if path.exists() else ""
    lines = [previous] if previous else [f"Comptes du tableau de bord de démonstration ({url})"]
    lines += [f"{login.who} : {login.email} / {login.password}" for login in logins]
    write_secret(path, "\n".join(lines))
