"""Every query of the members domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from hub.collation import french_sorted
from hub.members.models import ApiToken, Member, MemberUser, StaffAccount


class MemberRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, member: Member) -> Member:
        self.session.add(member)
        self.session.flush()
        return member

    def get(self, member_id: int) -> Member | None:
        return self.session.get(Member, member_id)

    def get_by_siren(self, siren: str) -> Member | None:
        return self.session.exec(select(Member).where(Member.siren == siren)).first()

    def list(self, *, include_inactive: bool = False) -> Sequence[Member]:
        query = select(Member).order_by(col(Member.id))
        if not include_inactive:
            query = query.where(col(Member.active).is_(True))
        # French order (accents and case aside), which no database collation gives everywhere.
        return french_sorted(self.session.exec(query).all(), key=lambda m: m.name)


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, staff: StaffAccount) -> StaffAccount:
        self.session.add(staff)
        self.session.flush()
        return staff

    def get(self, staff_id: int) -> StaffAccount | None:
        return self.session.get(StaffAccount, staff_id)

    def get_by_email(self, email: str) -> StaffAccount | None:
        query = select(StaffAccount).where(StaffAccount.email == email.lower())
        return self.session.exec(query).first()

    def list(self) -> Sequence[StaffAccount]:
        return self.session.exec(select(StaffAccount).order_by(col(StaffAccount.email))).all()


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: ApiToken) -> ApiToken:
        self.session.add(token)
        self.session.flush()
        return token

    def get(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def change_stamp(self) -> tuple[Any, ...]:
        """What moves when a token is revoked or issued, or a member or staff account changes."""
        row = self.session.execute(
            select_rows(
                select_rows(func.max(ApiToken.revoked_at)).scalar_subquery(),
                select_rows(func.max(ApiToken.id)).scalar_subquery(),
                select_rows(func.max(Member.updated_at)).scalar_subquery(),
                select_rows(func.max(StaffAccount.updated_at)).scalar_subquery(),
            )
        ).one()
        return tuple(row)

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return self.session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()

    def list(
        self, *, member_id: int | None = None, staff_id: int | None = None
    ) -> Sequence[ApiToken]:
        query = select(ApiToken).order_by(col(ApiToken.id))
        if member_id is not None:
            query = query.where(ApiToken.member_id == member_id)
        if staff_id is not None:
            query = query.where(ApiToken.staff_id == staff_id)
        return self.session.exec(query).all()

    def owners(
        self, tokens: Sequence[ApiToken]
    ) -> tuple[dict[int, Member], dict[int, StaffAccount]]:
        """The members and staff accounts owning ``tokens``, in two queries."""
        member_ids = {t.member_id for t in tokens if t.member_id is not None}
        staff_ids = {t.staff_id for t in tokens if t.staff_id is not None}
        members = (
            self.session.exec(select(Member).where(col(Member.id).in_(member_ids))).all()
            if member_ids
            else []
        )
        staff = (
            self.session.exec(select(StaffAccount).where(col(StaffAccount.id).in_(staff_ids))).all()
            if staff_ids
            else []
        )
        return (
            {m.id: m for m in members if m.id is not None},
            {s.id: s for s in staff if s.id is not None},
        )

    def touch(self, token: ApiToken, when: datetime) -> None:
        token.last_used_at = when
        self.session.add(token)
        self.session.flush()


class MemberUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: MemberUser) -> MemberUser:
        self.session.add(user)
        self.session.flush()
        return user

    def get(self, user_id: int) -> MemberUser | None:
        return self.session.get(MemberUser, user_id)

    def get_by_email(self, email: str) -> MemberUser | None:
        query = select(MemberUser).where(MemberUser.email == email.lower())
        return self.session.exec(query).first()

    def list(self, *, member_id: int | None = None) -> Sequence[MemberUser]:
        query = select(MemberUser).order_by(col(MemberUser.email))
        if member_id is not None:
            query = query.where(MemberUser.member_id == member_id)
        return self.session.exec(query).all()
