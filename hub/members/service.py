"""Rules of the members domain: members, staff accounts, tokens and authentication.

Services flush; the request or the CLI command that calls them owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from sqlalchemy import inspect
from sqlmodel import Session

from cae_contract.problems import ErrorItem
from hub.audit.service import SYSTEM, Actor, record
from hub.db import optional_write, utcnow
from hub.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from hub.members.models import (
    ADMIN_SCOPES,
    MEMBER_SCOPES,
    STAFF_SCOPES,
    ApiToken,
    Member,
    MemberUser,
    Scope,
    StaffAccount,
    StaffRole,
)
from hub.members.principals import principal_cache
from hub.members.repository import (
    MemberRepository,
    MemberUserRepository,
    StaffRepository,
    TokenRepository,
)
from hub.members.schemas import (
    MemberCreate,
    MemberUpdate,
    MemberUserCreate,
    MemberUserPublic,
    StaffCreate,
    TokenIssue,
    TokenPublic,
    TokenStatus,
)
from hub.security import (
    hash_password,
    looks_like_token,
    new_password,
    new_token,
    token_display_prefix,
    token_hash,
    verify_password,
)

Role = Literal["member", "staff", "admin"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a member CAE or a staff account, through one token."""

    token: ApiToken
    member: Member | None = None
    staff: StaffAccount | None = None

    @property
    def role(self) -> Role:
        if self.member is not None:
            return "member"
        assert self.staff is not None
        return "admin" if self.staff.role == StaffRole.ADMIN else "staff"

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.token.scopes)

    def has_scope(self, scope: Scope) -> bool:
        return scope.value in self.scopes

    @property
    def actor(self) -> Actor:
        """Who this is, for the audit trail (identifiers only)."""
        if self.member is not None:
            return Actor("member_token", self.token.id, self.member.id)
        assert self.staff is not None
        return Actor("staff", self.staff.id)


def allowed_scopes(*, member: Member | None, staff: StaffAccount | None) -> frozenset[Scope]:
    if member is not None:
        return MEMBER_SCOPES
    assert staff is not None
    return ADMIN_SCOPES if staff.role == StaffRole.ADMIN else STAFF_SCOPES


def token_status(token: ApiToken, *, now: datetime | None = None) -> TokenStatus:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


class MemberService:
    def create(self, session: Session, data: MemberCreate, *, actor: Actor = SYSTEM) -> Member:
        members = MemberRepository(session)
        if members.get_by_siren(data.siren) is not None:
            raise Conflict(
                f"Un membre porte déjà le SIREN {data.siren}.",
                errors=[ErrorItem("$.siren", "SIREN déjà enregistré")],
            )
        member = members.add(Member.model_validate(data))
        record(
            session,
            kind="member.created",
            actor=actor,
            member_id=member.id,
            details={"siren": member.siren},
        )
        return member

    def get_by_siren(self, session: Session, siren: str) -> Member:
        member = MemberRepository(session).get_by_siren(siren)
        if member is None:
            raise NotFound(f"Aucun membre avec le SIREN {siren}.")
        return member

    def list(self, session: Session, *, include_inactive: bool = False) -> Sequence[Member]:
        return MemberRepository(session).list(include_inactive=include_inactive)

    def update(
        self, session: Session, siren: str, data: MemberUpdate, *, actor: Actor = SYSTEM
    ) -> Member:
        member = self.get_by_siren(session, siren)
        changes = data.model_dump(exclude_unset=True)
        for field, value in changes.items():
            if value is None:
                raise ValidationFailed(
                    "Un champ ne peut pas être vidé.",
                    errors=[ErrorItem(f"$.{field}", "valeur requise")],
                )
            setattr(member, field, value)
        if changes:
            member.updated_at = utcnow()
            principal_cache.clear()
        member = MemberRepository(session).add(member)
        if changes:
            # The names of the fields changed, never their values (names, addresses…).
            record(
                session,
                kind="member.changed",
                actor=actor,
                member_id=member.id,
                details={"fields": sorted(changes)},
            )
        return member

    def deactivate(self, session: Session, siren: str, *, actor: Actor = SYSTEM) -> Member:
        member = self.get_by_siren(session, siren)
        changed = member.active
        if member.active:
            member.active = False
            member.updated_at = utcnow()
            principal_cache.clear()
        member = MemberRepository(session).add(member)
        if changed:
            record(session, kind="member.deactivated", actor=actor, member_id=member.id)
        return member


def _address_taken(email: str) -> Conflict:
    return Conflict(
        f"Un compte existe déjà pour {email}.",
        errors=[ErrorItem("$.email", "adresse déjà enregistrée")],
    )


def _given_or_drawn(given: str | None) -> tuple[str, str | None]:
    """The password to hash, and the one drawn when none was given (shown once to the caller)."""
    if given:
        return given, None
    drawn = new_password()
    return drawn, drawn


class StaffService:
    def create(
        self, session: Session, data: StaffCreate, *, actor: Actor = SYSTEM
    ) -> tuple[StaffAccount, str | None]:
        """The new account, and the password drawn for it when none was given."""
        staff = StaffRepository(session)
        email = data.email.lower()
        if staff.get_by_email(email) is not None:
            raise _address_taken(email)
        password, drawn = _given_or_drawn(data.password)
        account = StaffAccount(
            email=email,
            display_name=data.display_name,
            role=data.role,
            password_hash=hash_password(password),
        )
        account = staff.add(account)
        record(
            session,
            kind="staff.created",
            actor=actor,
            details={"staff_id": account.id, "role": str(account.role.value)},
        )
        return account, drawn

    def get_by_email(self, session: Session, email: str) -> StaffAccount:
        account = StaffRepository(session).get_by_email(email)
        if account is None:
            raise NotFound(f"Aucun compte d'équipe pour {email}.")
        return account

    def list(self, session: Session) -> Sequence[StaffAccount]:
        return StaffRepository(session).list()


class TokenService:
    def issue(
        self, session: Session, request: TokenIssue, *, actor: Actor = SYSTEM
    ) -> tuple[ApiToken, str]:
        """A new token and its secret, which is never stored and never shown again."""
        if (request.member_siren is None) == (request.staff_email is None):
            raise ValidationFailed(
                "Indiquez le titulaire du jeton : un membre ou un compte d'équipe.",
                errors=[
                    ErrorItem(
                        "$.member_siren", "indiquez member_siren ou staff_email, pas les deux"
                    )
                ],
            )
        member = staff = None
        if request.member_siren is not None:
            member = MemberRepository(session).get_by_siren(request.member_siren)
            if member is None or not member.active:
                raise ValidationFailed(
                    f"Aucun membre actif avec le SIREN {request.member_siren}.",
                    errors=[ErrorItem("$.member_siren", "membre inconnu ou désactivé")],
                )
        else:
            assert request.staff_email is not None
            staff = StaffRepository(session).get_by_email(request.staff_email)
            if staff is None or not staff.active:
                raise ValidationFailed(
                    f"Aucun compte d'équipe actif pour {request.staff_email}.",
                    errors=[ErrorItem("$.staff_email", "compte inconnu ou désactivé")],
                )
        allowed = allowed_scopes(member=member, staff=staff)
        scopes = set(request.scopes) if request.scopes is not None else set(allowed)
        refused = sorted(s.value for s in scopes - allowed)
        if refused:
            raise ValidationFailed(
                "Ces droits dépassent ceux du titulaire : " + ", ".join(refused) + ".",
                errors=[
                    ErrorItem("$.scopes", "droit non accordé à ce titulaire : " + s)
                    for s in refused
                ],
            )
        if not scopes:
            raise ValidationFailed(
                "Un jeton sans aucun droit ne sert à rien.",
                errors=[ErrorItem("$.scopes", "au moins un droit")],
            )
        secret = new_token()
        now = utcnow()
        token = ApiToken(
            prefix=token_display_prefix(secret),
            token_hash=token_hash(secret),
            label=request.label,
            member_id=member.id if member else None,
            staff_id=staff.id if staff else None,
            scopes=sorted(s.value for s in scopes),
            created_at=now,
            expires_at=now + timedelta(days=request.expires_in_days)
            if request.expires_in_days
            else None,
        )
        token = TokenRepository(session).add(token)
        record(
            session,
            kind="token.issued",
            actor=actor,
            member_id=token.member_id,
            details={
                "token_id": token.id,
                "staff_id": token.staff_id,
                "scopes": list(token.scopes),
                "expires_in_days": request.expires_in_days,
            },
        )
        return token, secret

    def revoke(self, session: Session, token_id: int, *, actor: Actor = SYSTEM) -> ApiToken:
        tokens = TokenRepository(session)
        token = tokens.get(token_id)
        if token is None:
            raise NotFound(f"Aucun jeton n°{token_id}.")
        revoked = token.revoked_at is None
        if revoked:
            token.revoked_at = utcnow()
            principal_cache.clear()
        token = tokens.add(token)
        if revoked:
            record(
                session,
                kind="token.revoked",
                actor=actor,
                member_id=token.member_id,
                details={"token_id": token.id, "staff_id": token.staff_id},
            )
        return token

    def list(
        self, session: Session, *, member_siren: str | None = None, staff_email: str | None = None
    ) -> Sequence[TokenPublic]:
        member_id = staff_id = None
        if member_siren is not None:
            member_id = member_service.get_by_siren(session, member_siren).id
        if staff_email is not None:
            staff_id = staff_service.get_by_email(session, staff_email).id
        tokens = TokenRepository(session).list(member_id=member_id, staff_id=staff_id)
        return self.describe(session, tokens)

    def describe(self, session: Session, tokens: Sequence[ApiToken]) -> Sequence[TokenPublic]:
        members, staff = TokenRepository(session).owners(tokens)
        now = utcnow()
        return [
            TokenPublic(
                id=t.id or 0,
                prefix=t.prefix,
                label=t.label,
                owner="member" if t.member_id is not None else "staff",
                member_siren=members[t.member_id].siren if t.member_id in members else None,
                staff_email=staff[t.staff_id].email if t.staff_id in staff else None,
                scopes=list(t.scopes),
                status=token_status(t, now=now),
                created_at=t.created_at,
                expires_at=t.expires_at,
                last_used_at=t.last_used_at,
                revoked_at=t.revoked_at,
            )
            for t in tokens
        ]


class AuthService:
    def authenticate(
        self, session: Session, secret: str | None, *, touch_resolution: timedelta
    ) -> Principal:
        """The principal behind a bearer token, or ``Unauthorized`` saying what is wrong."""
        if not secret:
            raise Unauthorized("Jeton manquant : envoyez « Authorization: Bearer <jeton> ».")
        if not looks_like_token(secret):
            raise Unauthorized("Jeton inconnu.")
        tokens = TokenRepository(session)
        token = tokens.get_by_hash(token_hash(secret))
        if token is None:
            raise Unauthorized("Jeton inconnu.")
        now = utcnow()
        status = token_status(token, now=now)
        if status == "revoked":
            _token_refused(session, token, "revoked")
            raise Unauthorized("Ce jeton a été révoqué ; demandez-en un nouveau.")
        if status == "expired":
            _token_refused(session, token, "expired")
            raise Unauthorized("Ce jeton a expiré ; demandez-en un nouveau.")
        member = staff = None
        if token.member_id is not None:
            member = MemberRepository(session).get(token.member_id)
            if member is None or not member.active:
                _token_refused(session, token, "member_deactivated")
                raise Forbidden("Ce membre est désactivé : son accès au hub est suspendu.")
        else:
            assert token.staff_id is not None
            staff = StaffRepository(session).get(token.staff_id)
            if staff is None or not staff.active:
                _token_refused(session, token, "staff_deactivated")
                raise Forbidden("Ce compte d'équipe est désactivé.")
        if token.last_used_at is None or now - token.last_used_at >= touch_resolution:
            # The date is approximate anyway; a reading request must not fail for it.
            with optional_write(session):
                tokens.touch(token, now)
        return Principal(token=token, member=member, staff=staff)

    def from_cache(self, secret: str | None, *, check_s: float) -> Principal | None:
        """The principal of ``secret`` if memory alone can answer (no database, no thread):
        kept, active, and no look for changes made elsewhere due. ``None``: ask
        :meth:`authenticate_cached`. A missing or malformed token is refused here already."""
        if not secret:
            raise Unauthorized("Jeton manquant : envoyez « Authorization: Bearer <jeton> ».")
        if not looks_like_token(secret):
            raise Unauthorized("Jeton inconnu.")
        if principal_cache.check_due(every_s=check_s):
            return None
        cached = principal_cache.get(token_hash(secret))
        if cached is not None and token_status(cached.token) == "active":
            return cached
        return None

    def authenticate_cached(
        self,
        open_session: Callable[[], Session],
        secret: str | None,
        *,
        touch_resolution: timedelta,
        ttl_s: float,
        check_s: float,
    ) -> Principal:
        """``authenticate``, answered from :data:`principal_cache` when it can be.

        A lookup opens its own short session: the request's own session, and its admission
        slot, are not needed to know who is calling.
        """
        if not secret:
            raise Unauthorized("Jeton manquant : envoyez « Authorization: Bearer <jeton> ».")
        if not looks_like_token(secret):
            raise Unauthorized("Jeton inconnu.")
        digest = token_hash(secret)
        principal_cache.check_changes(open_session, every_s=check_s)
        cached = principal_cache.get(digest)
        if cached is not None and token_status(cached.token) == "active":
            return cached
        with open_session() as session:
            try:
                principal = self.authenticate(session, secret, touch_resolution=touch_resolution)
            except (Unauthorized, Forbidden):
                session.commit()  # keeps the audit event of a refused token, if any
                raise
            session.commit()
            # A skipped date-of-use write was undone to a savepoint, which expires the token:
            # load it again while the session is open, since the principal outlives it.
            for loaded in (principal.token, principal.member, principal.staff):
                if loaded is not None and inspect(loaded).expired_attributes:
                    session.refresh(loaded)
        lifetime = min(ttl_s, touch_resolution.total_seconds())
        principal_cache.put(digest, principal, ttl_s=lifetime)
        return principal


def _token_refused(session: Session, token: ApiToken, reason: str) -> None:
    """A known token was refused: an audit event, unless SQLite cannot give the write lock
    at once (a reading request does not wait for it; an unknown token leaves no trace, so
    that guessing cannot fill the trail)."""
    if token.member_id is not None:
        actor = Actor("member_token", token.id, token.member_id)
    else:
        actor = Actor("staff", token.staff_id)
    with optional_write(session):
        record(
            session,
            kind="login.failed",
            actor=actor,
            details={"via": "token", "reason": reason, "token_id": token.id},
        )


member_service = MemberService()
staff_service = StaffService()
token_service = TokenService()
auth_service = AuthService()


class MemberUserService:
    """Web accounts of member CAEs: the people of a CAE who read the dashboard."""

    def create(
        self, session: Session, data: MemberUserCreate, *, actor: Actor = SYSTEM
    ) -> tuple[MemberUser, str | None]:
        """The new account, and the password drawn for it when none was given."""
        member = MemberRepository(session).get_by_siren(data.member_siren)
        if member is None or not member.active or member.id is None:
            raise ValidationFailed(
                f"Aucun membre actif avec le SIREN {data.member_siren}.",
                errors=[ErrorItem("$.member_siren", "membre inconnu ou désactivé")],
            )
        email = data.email.lower()
        # One address, one account: the login form asks for an address only.
        taken = MemberUserRepository(session).get_by_email(email) is not None
        if taken or StaffRepository(session).get_by_email(email) is not None:
            raise _address_taken(email)
        password, drawn = _given_or_drawn(data.password)
        user = MemberUser(
            member_id=member.id,
            email=email,
            display_name=data.display_name,
            password_hash=hash_password(password),
        )
        user = MemberUserRepository(session).add(user)
        record(
            session,
            kind="account.created",
            actor=actor,
            member_id=member.id,
            details={"account_id": user.id},
        )
        return user, drawn

    def get_by_email(self, session: Session, email: str) -> MemberUser:
        user = MemberUserRepository(session).get_by_email(email)
        if user is None:
            raise NotFound(f"Aucun compte de membre pour {email}.")
        return user

    def list(self, session: Session, *, member_siren: str | None = None) -> list[MemberUserPublic]:
        member_id = None
        if member_siren is not None:
            member_id = member_service.get_by_siren(session, member_siren).id
        users = MemberUserRepository(session).list(member_id=member_id)
        sirens = {m.id: m.siren for m in MemberRepository(session).list(include_inactive=True)}
        return [self.describe(u, sirens.get(u.member_id, "")) for u in users]

    @staticmethod
    def describe(user: MemberUser, siren: str) -> MemberUserPublic:
        return MemberUserPublic(
            id=user.id or 0,
            member_siren=siren,
            email=user.email,
            display_name=user.display_name,
            active=user.active,
            created_at=user.created_at,
        )

    def set_active(
        self, session: Session, email: str, *, active: bool, actor: Actor = SYSTEM
    ) -> MemberUser:
        user = self.get_by_email(session, email)
        changed = user.active != active
        if changed:
            user.active = active
            user.updated_at = utcnow()
        user = MemberUserRepository(session).add(user)
        if changed:
            record(
                session,
                kind="account.changed",
                actor=actor,
                member_id=user.member_id,
                details={"account_id": user.id, "active": active},
            )
        return user

    def reset_password(
        self, session: Session, email: str, *, actor: Actor = SYSTEM
    ) -> tuple[MemberUser, str]:
        """A freshly drawn password for the account, shown once by the caller."""
        user = self.get_by_email(session, email)
        password = new_password()
        user.password_hash = hash_password(password)
        user.updated_at = utcnow()
        user = MemberUserRepository(session).add(user)
        record(
            session,
            kind="account.changed",
            actor=actor,
            member_id=user.member_id,
            details={"account_id": user.id, "password_reset": True},
        )
        return user, password


@lru_cache(maxsize=1)
def _unknown_account_hash() -> str:
    """Verified against when the address is unknown, so that an unknown address costs the
    same Argon2 work as a wrong password and the answer time does not reveal accounts."""
    return hash_password(new_password())


@dataclass(frozen=True)
class PasswordLogin:
    """Whose password matched: a staff account, or a member CAE through one of its people."""

    staff: StaffAccount | None = None
    member: Member | None = None
    member_user: MemberUser | None = None

    def principal(self) -> Principal:
        return session_principal(member=self.member, staff=self.staff)


def session_principal(
    *, member: Member | None = None, staff: StaffAccount | None = None
) -> Principal:
    """The principal of a dashboard session.

    A session carries every right of its owner. They are expressed as an unsaved token so
    that the role and scope checks of the API apply to the pages unchanged.
    """
    scopes = allowed_scopes(member=member, staff=staff)
    grant = ApiToken(
        prefix="session",
        token_hash="",
        label="session du tableau de bord",
        member_id=member.id if member is not None else None,
        staff_id=staff.id if staff is not None else None,
        scopes=sorted(s.value for s in scopes),
    )
    return Principal(token=grant, member=member, staff=staff)


class PasswordAuthService:
    def check(self, session: Session, email: str, password: str) -> PasswordLogin | None:
        """The active account whose address and password match, else None (whatever failed)."""
        address = email.strip().lower()
        staff = StaffRepository(session).get_by_email(address) if address else None
        if staff is not None:
            matched = verify_password(staff.password_hash, password)
            return PasswordLogin(staff=staff) if matched and staff.active else None
        user = MemberUserRepository(session).get_by_email(address) if address else None
        if user is None:
            verify_password(_unknown_account_hash(), password)
            return None
        if not verify_password(user.password_hash, password) or not user.active:
            return None
        member = MemberRepository(session).get(user.member_id)
        if member is None or not member.active:
            return None
        return PasswordLogin(member=member, member_user=user)


member_user_service = MemberUserService()
password_auth_service = PasswordAuthService()
