"""Rules of the working groups and seminars: who is in which group, who facilitates it,
the seminar of each semester with its agenda and the facilitator's questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from cae_contract.periods import Period
from cae_contract.problems import ErrorItem
from hub.db import utcnow
from hub.errors import Conflict, NotFound, ValidationFailed
from hub.members.models import Member, MemberUser
from hub.members.repository import MemberRepository, MemberUserRepository, StaffRepository
from hub.seminars.models import (
    AUDIENCE_NAMES,
    GROUP_NAMES,
    PLENARY,
    GroupContact,
    GroupMember,
    ItemKind,
    Seminar,
    SeminarItem,
    WorkingGroup,
)
from hub.seminars.repository import SeminarRepository

MAX_ITEM_TEXT = 1000
MAX_PLACE = 200


def parse_group(code: str, *, where: str = "groupe", plenary: bool = False) -> str:
    """A group's code (« strategie », « competences », « formation »; « pleniere » too
    when ``plenary``), else a French error naming ``where``."""
    known = list(AUDIENCE_NAMES if plenary else GROUP_NAMES)
    value = code.strip().lower()
    if value not in known:
        raise ValidationFailed(
            f"Groupe inconnu : « {code[:40]} » (possibles : {', '.join(known)}).",
            errors=[ErrorItem(where, "groupe inconnu")],
        )
    return value


def parse_day(text: str, *, where: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            f"Date illisible : « {text[:20]} » (attendue au format AAAA-MM-JJ).",
            errors=[ErrorItem(where, "date AAAA-MM-JJ attendue")],
        ) from None


@dataclass(frozen=True)
class Contact:
    user_id: int
    display_name: str
    email: str
    member_name: str


@dataclass(frozen=True)
class GroupView:
    code: str
    name: str
    facilitator: str | None
    members: list[Member]
    contacts: list[Contact]


@dataclass
class SeminarView:
    seminar: Seminar
    agenda: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def id(self) -> int:
        assert self.seminar.id is not None
        return self.seminar.id


class GroupService:
    def groups(self, session: Session) -> list[GroupView]:
        return [self.group(session, code) for code in GROUP_NAMES]

    def group(self, session: Session, code: str) -> GroupView:
        code = parse_group(code)
        repository = SeminarRepository(session)
        row = repository.group(code)
        return GroupView(
            code=code,
            name=GROUP_NAMES[code],
            facilitator=self._facilitator_name(repository, row),
            members=list(repository.group_members(code)),
            contacts=[
                Contact(user.id or 0, user.display_name, user.email, member.name)
                for user, member in repository.group_contacts(code)
            ],
        )

    @staticmethod
    def _facilitator_name(repository: SeminarRepository, row: WorkingGroup | None) -> str | None:
        if row is None:
            return None
        if row.facilitator_staff_id is not None:
            staff = repository.staff(row.facilitator_staff_id)
            return staff.display_name if staff else None
        if row.facilitator_user_id is not None:
            user = repository.member_user(row.facilitator_user_id)
            return user.display_name if user else None
        return None

    def set_facilitator(self, session: Session, code: str, email: str) -> GroupView:
        """The facilitator is a staff account or a member CAE's web account."""
        code = parse_group(code)
        repository = SeminarRepository(session)
        row = repository.group(code) or WorkingGroup(code=code)
        staff = StaffRepository(session).get_by_email(email.strip().lower())
        user = None if staff else MemberUserRepository(session).get_by_email(email.strip().lower())
        if staff is None and user is None:
            raise NotFound(
                f"Aucun compte du hub à l'adresse « {email[:80]} » : l'animateur doit avoir un "
                "compte (équipe ou CAE)."
            )
        row.facilitator_staff_id = staff.id if staff else None
        row.facilitator_user_id = user.id if user else None
        row.updated_at = utcnow()
        repository.add(row)
        return self.group(session, code)

    @staticmethod
    def _member(session: Session, siren: str) -> Member:
        member = MemberRepository(session).get_by_siren(siren.strip())
        if member is None or not member.active:
            raise NotFound(f"Aucune CAE membre active de SIREN « {siren[:20]} ».")
        return member

    def add_member(self, session: Session, code: str, siren: str) -> Member:
        code = parse_group(code)
        member = self._member(session, siren)
        assert member.id is not None
        repository = SeminarRepository(session)
        if repository.group_member(code, member.id) is None:
            repository.add(GroupMember(group_code=code, member_id=member.id))
        return member

    def remove_member(self, session: Session, code: str, siren: str) -> Member:
        code = parse_group(code)
        member = self._member(session, siren)
        assert member.id is not None
        repository = SeminarRepository(session)
        row = repository.group_member(code, member.id)
        if row is None:
            raise NotFound(f"{member.name} ne fait pas partie du groupe {GROUP_NAMES[code]}.")
        for user, _ in repository.group_contacts(code):
            if user.member_id == member.id and user.id is not None:
                contact = repository.group_contact(code, user.id)
                if contact is not None:
                    repository.delete(contact)
        repository.delete(row)
        return member

    def add_contact(self, session: Session, code: str, email: str) -> MemberUser:
        """A CAE's web account becomes a contact of the group; its CAE joins the group."""
        code = parse_group(code)
        user = MemberUserRepository(session).get_by_email(email.strip().lower())
        if user is None or not user.active or user.id is None:
            raise NotFound(f"Aucun compte web de CAE actif à l'adresse « {email[:80]} ».")
        repository = SeminarRepository(session)
        if repository.group_member(code, user.member_id) is None:
            repository.add(GroupMember(group_code=code, member_id=user.member_id))
        if repository.group_contact(code, user.id) is None:
            repository.add(GroupContact(group_code=code, user_id=user.id))
        return user

    def recipients(self, session: Session, audience: str) -> list[str]:
        """The addresses of the contact people of a group (of every group: the plenary)."""
        codes = list(GROUP_NAMES) if audience == PLENARY else [audience]
        repository = SeminarRepository(session)
        found = {
            user.email
            for code in codes
            for user, _ in repository.group_contacts(code)
            if user.active
        }
        return sorted(found)

    def groups_of_member(self, session: Session, member_id: int) -> list[str]:
        return SeminarRepository(session).groups_of_member(member_id)


class SeminarService:
    def create(self, session: Session, *, period: str, day: str, place: str) -> Seminar:
        try:
            semester = Period.parse(period.strip())
        except ValueError as exc:
            raise ValidationFailed(
                f"Semestre refusé : {exc}.", errors=[ErrorItem("semestre", str(exc))]
            ) from None
        if not semester.is_semester:
            raise ValidationFailed(
                f"« {period[:10]} » n'est pas un semestre (AAAA-S1 ou AAAA-S2).",
                errors=[ErrorItem("semestre", "semestre attendu")],
            )
        when = parse_day(day)
        where = place.strip()
        if not where or len(where) > MAX_PLACE:
            raise ValidationFailed(
                f"Indiquez le lieu du séminaire (au plus {MAX_PLACE} caractères).",
                errors=[ErrorItem("lieu", "lieu vide ou trop long")],
            )
        repository = SeminarRepository(session)
        if repository.seminar_of_period(str(semester)) is not None:
            raise Conflict(f"Le séminaire du semestre {semester} existe déjà.")
        return repository.add(Seminar(period=str(semester), day=when, place=where))

    def get(self, session: Session, seminar_id: int) -> Seminar:
        seminar = SeminarRepository(session).seminar(seminar_id)
        if seminar is None:
            raise NotFound(f"Aucun séminaire n°{seminar_id}.")
        return seminar

    def list(self, session: Session) -> Sequence[Seminar]:
        return SeminarRepository(session).seminars()

    def add_item(
        self, session: Session, seminar_id: int, *, audience: str, kind: ItemKind, text: str
    ) -> SeminarItem:
        seminar = self.get(session, seminar_id)
        audience = parse_group(audience, plenary=True)
        content = " ".join(text.split())
        if not content or len(content) > MAX_ITEM_TEXT:
            raise ValidationFailed(
                f"Texte vide ou trop long (au plus {MAX_ITEM_TEXT} caractères).",
                errors=[ErrorItem("texte", "texte vide ou trop long")],
            )
        repository = SeminarRepository(session)
        position = 1 + sum(
            1
            for item in repository.items(seminar_id)
            if item.audience == audience and item.kind == kind
        )
        assert seminar.id is not None
        return repository.add(
            SeminarItem(
                seminar_id=seminar.id,
                audience=audience,
                kind=kind.value,
                position=position,
                text=content,
            )
        )

    def view(self, session: Session, seminar_id: int) -> SeminarView:
        view = SeminarView(self.get(session, seminar_id))
        for item in SeminarRepository(session).items(seminar_id):
            target = view.agenda if item.kind == ItemKind.AGENDA else view.questions
            target.setdefault(item.audience, []).append(item.text)
        return view


group_service = GroupService()
seminar_service = SeminarService()
