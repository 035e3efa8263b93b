"""Every query of the seminars domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from hub.members.models import Member, MemberUser, StaffAccount
from hub.seminars.models import (
    GroupContact,
    GroupMember,
    RoadmapGoal,
    Seminar,
    SeminarItem,
    SeminarPack,
    SkillDeclaration,
    SkillMatch,
    WorkingGroup,
)

Row = TypeVar(
    "Row",
    WorkingGroup,
    GroupMember,
    GroupContact,
    Seminar,
    SeminarItem,
    RoadmapGoal,
    SeminarPack,
    SkillDeclaration,
    SkillMatch,
)


class SeminarRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Row) -> Row:
        self.session.add(row)
        self.session.flush()
        return row

    def delete(
        self,
        row: GroupMember | GroupContact | RoadmapGoal | SeminarItem | SkillDeclaration | SkillMatch,
    ) -> None:
        self.session.delete(row)
        self.session.flush()

    # -- groups -------------------------------------------------------------------------------

    def group(self, code: str) -> WorkingGroup | None:
        return self.session.get(WorkingGroup, code)

    def group_members(self, code: str) -> Sequence[Member]:
        query = (
            select(Member)
            .join(GroupMember, col(GroupMember.member_id) == col(Member.id))
            .where(GroupMember.group_code == code)
            .order_by(col(Member.name))
        )
        return self.session.exec(query).all()

    def group_member(self, code: str, member_id: int) -> GroupMember | None:
        query = select(GroupMember).where(
            GroupMember.group_code == code, GroupMember.member_id == member_id
        )
        return self.session.exec(query).first()

    def groups_of_member(self, member_id: int) -> list[str]:
        query = select(GroupMember.group_code).where(GroupMember.member_id == member_id)
        return sorted(self.session.exec(query).all())

    def group_contacts(self, code: str) -> Sequence[tuple[MemberUser, Member]]:
        query = (
            select(MemberUser, Member)
            .join(GroupContact, col(GroupContact.user_id) == col(MemberUser.id))
            .join(Member, col(Member.id) == col(MemberUser.member_id))
            .where(GroupContact.group_code == code)
            .order_by(col(Member.name), col(MemberUser.display_name))
        )
        return [(user, member) for user, member in self.session.exec(query).all()]

    def group_contact(self, code: str, user_id: int) -> GroupContact | None:
        query = select(GroupContact).where(
            GroupContact.group_code == code, GroupContact.user_id == user_id
        )
        return self.session.exec(query).first()

    def staff(self, staff_id: int) -> StaffAccount | None:
        return self.session.get(StaffAccount, staff_id)

    def member_user(self, user_id: int) -> MemberUser | None:
        return self.session.get(MemberUser, user_id)

    # -- seminars -----------------------------------------------------------------------------

    def seminar(self, seminar_id: int) -> Seminar | None:
        return self.session.get(Seminar, seminar_id)

    def seminar_of_period(self, period: str) -> Seminar | None:
        return self.session.exec(select(Seminar).where(Seminar.period == period)).first()

    def seminars(self) -> Sequence[Seminar]:
        return self.session.exec(select(Seminar).order_by(col(Seminar.day).desc())).all()

    def items(self, seminar_id: int) -> Sequence[SeminarItem]:
        query = (
            select(SeminarItem)
            .where(SeminarItem.seminar_id == seminar_id)
            .order_by(col(SeminarItem.audience), col(SeminarItem.kind), col(SeminarItem.position))
        )
        return self.session.exec(query).all()

    # -- roadmaps -----------------------------------------------------------------------------

    def goals_of(self, member_id: int) -> Sequence[RoadmapGoal]:
        query = (
            select(RoadmapGoal)
            .where(RoadmapGoal.member_id == member_id)
            .order_by(col(RoadmapGoal.indicator))
        )
        return self.session.exec(query).all()

    def goal(self, member_id: int, indicator: str) -> RoadmapGoal | None:
        query = select(RoadmapGoal).where(
            RoadmapGoal.member_id == member_id, RoadmapGoal.indicator == indicator
        )
        return self.session.exec(query).first()

    def all_goals(self) -> Sequence[tuple[RoadmapGoal, Member]]:
        query = (
            select(RoadmapGoal, Member)
            .join(Member, col(Member.id) == col(RoadmapGoal.member_id))
            .where(col(Member.active).is_(True))
            .order_by(col(RoadmapGoal.indicator), col(Member.name))
        )
        return [(goal, member) for goal, member in self.session.exec(query).all()]

    # -- packs --------------------------------------------------------------------------------

    def packs(self, seminar_id: int | None = None) -> Sequence[SeminarPack]:
        """Packs without their content (HTML and PDF are read one pack at a time)."""
        query = select(SeminarPack)
        if seminar_id is not None:
            query = query.where(SeminarPack.seminar_id == seminar_id)
        query = query.order_by(
            col(SeminarPack.seminar_id).desc(), col(SeminarPack.audience), col(SeminarPack.version)
        )
        return self.session.exec(query).all()

    def pack(self, seminar_id: int, audience: str, version: int | None) -> SeminarPack | None:
        query = select(SeminarPack).where(
            SeminarPack.seminar_id == seminar_id, SeminarPack.audience == audience
        )
        if version is not None:
            query = query.where(SeminarPack.version == version)
        return self.session.exec(query.order_by(col(SeminarPack.version).desc())).first()

    def last_version(self, seminar_id: int, audience: str) -> int:
        query = select(func.max(SeminarPack.version)).where(
            SeminarPack.seminar_id == seminar_id, SeminarPack.audience == audience
        )
        return int(self.session.exec(query).one() or 0)

    def due_seminars(self, first_day: date, last_day: date) -> Sequence[Seminar]:
        query = select(Seminar).where(col(Seminar.day) >= first_day, col(Seminar.day) <= last_day)
        return self.session.exec(query).all()

    # -- skills -------------------------------------------------------------------------------

    def declaration(self, member_id: int, skill: str, direction: str) -> SkillDeclaration | None:
        query = select(SkillDeclaration).where(
            SkillDeclaration.member_id == member_id,
            SkillDeclaration.skill == skill,
            SkillDeclaration.direction == direction,
        )
        return self.session.exec(query).first()

    def declarations(self) -> Sequence[tuple[SkillDeclaration, Member]]:
        query = (
            select(SkillDeclaration, Member)
            .join(Member, col(Member.id) == col(SkillDeclaration.member_id))
            .where(col(Member.active).is_(True))
            .order_by(col(SkillDeclaration.skill), col(Member.name))
        )
        return [(d, m) for d, m in self.session.exec(query).all()]

    def skill_match(self, need_id: int, offer_id: int) -> SkillMatch | None:
        query = select(SkillMatch).where(
            SkillMatch.need_id == need_id, SkillMatch.offer_id == offer_id
        )
        return self.session.exec(query).first()

    def skill_matches(self) -> Sequence[SkillMatch]:
        return self.session.exec(select(SkillMatch).order_by(col(SkillMatch.id))).all()
