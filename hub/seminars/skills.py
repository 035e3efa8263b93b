"""The skills register of the pooling group: what support skills each CAE offers or needs,
with its capacity and département, and the matches the hub suggests.

A need is matched with the offers of the same skill by other CAEs, nearest first: an offer
from the need's own département, then from its region, then from elsewhere (the regions are
those of the département code list); then the larger capacity first. A match for « gestion
sociale » may name the payroll delegation mandate that carries it, as a reference only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import Session

from cae_contract.problems import ErrorItem
from cae_contract.registry import get_registry
from hub.db import utcnow
from hub.errors import NotFound, ValidationFailed
from hub.members.models import Member
from hub.members.repository import MemberRepository
from hub.seminars.models import (
    PAYROLL_SKILL,
    SKILLS,
    Direction,
    SkillDeclaration,
    SkillMatch,
)
from hub.seminars.repository import SeminarRepository

MAX_DAYS = 31.0
MAX_MANDATE_REF = 64
PROXIMITY = ("même département", "même région", "autre région")


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    annotations = get_registry().code_annotations("code-departement")
    return {code: str(notes["x-region"]) for code, notes in annotations.items()}


def proximity(a: str, b: str) -> int:
    """0 same département, 1 same region, 2 elsewhere."""
    if a == b:
        return 0
    regions = _regions()
    return 1 if regions.get(a) is not None and regions.get(a) == regions.get(b) else 2


def parse_skill(code: str) -> str:
    value = code.strip()
    if value not in SKILLS:
        raise ValidationFailed(
            f"Compétence inconnue : « {code[:40]} » (possibles : {', '.join(SKILLS)}).",
            errors=[ErrorItem("competence", "compétence inconnue")],
        )
    return value


def parse_direction(text: str) -> Direction:
    try:
        return Direction(text.strip())
    except ValueError:
        raise ValidationFailed(
            f"Sens inconnu : « {text[:20]} » (offre ou besoin).",
            errors=[ErrorItem("sens", "offre ou besoin")],
        ) from None


@dataclass(frozen=True)
class Declared:
    declaration: SkillDeclaration
    member: Member

    @property
    def label(self) -> str:
        return SKILLS[self.declaration.skill]


@dataclass(frozen=True)
class Suggestion:
    need: Declared
    offer: Declared
    distance: int
    linked: SkillMatch | None

    @property
    def proximity_label(self) -> str:
        return PROXIMITY[self.distance]


class SkillService:
    def declare(
        self,
        session: Session,
        member: Member,
        *,
        skill: str,
        direction: str,
        days_per_month: str,
        departement: str,
    ) -> SkillDeclaration:
        """Declare (or change) what the member offers or needs of ``skill``."""
        code = parse_skill(skill)
        way = parse_direction(direction)
        try:
            days = float(days_per_month.replace(",", ".").strip())
        except ValueError:
            days = -1.0
        if not (math.isfinite(days) and 0 < days <= MAX_DAYS):
            raise ValidationFailed(
                f"Capacité illisible : « {days_per_month[:20]} » (jours par mois, de 0,5 à 31).",
                errors=[ErrorItem("jours_par_mois", "nombre de jours par mois attendu")],
            )
        where = departement.strip().upper()
        if where not in _regions():
            raise ValidationFailed(
                f"Département inconnu : « {departement[:5]} ».",
                errors=[ErrorItem("departement", "code de département attendu")],
            )
        assert member.id is not None
        repository = SeminarRepository(session)
        row = repository.declaration(member.id, code, way.value) or SkillDeclaration(
            member_id=member.id,
            skill=code,
            direction=way.value,
            days_per_month=days,
            departement=where,
        )
        row.days_per_month = days
        row.departement = where
        row.updated_at = utcnow()
        return repository.add(row)

    def withdraw(self, session: Session, member: Member, *, skill: str, direction: str) -> None:
        assert member.id is not None
        repository = SeminarRepository(session)
        row = repository.declaration(member.id, parse_skill(skill), parse_direction(direction))
        if row is None:
            raise NotFound("Votre CAE n'a rien déclaré de tel.")
        repository.delete(row)

    def register(self, session: Session) -> list[Declared]:
        return [Declared(d, m) for d, m in SeminarRepository(session).declarations()]

    def suggestions(self, session: Session, *, member: Member | None = None) -> list[Suggestion]:
        """Each need with the offers that could serve it, nearest first (only the needs of
        ``member`` when given)."""
        declared = self.register(session)
        repository = SeminarRepository(session)
        links = {(m.need_id, m.offer_id): m for m in repository.skill_matches()}
        offers = [d for d in declared if d.declaration.direction == Direction.OFFER]
        found = []
        for need in declared:
            if need.declaration.direction != Direction.NEED:
                continue
            if member is not None and need.member.id != member.id:
                continue
            candidates = [
                Suggestion(
                    need,
                    offer,
                    proximity(need.declaration.departement, offer.declaration.departement),
                    links.get((need.declaration.id or 0, offer.declaration.id or 0)),
                )
                for offer in offers
                if offer.declaration.skill == need.declaration.skill
                and offer.member.id != need.member.id
            ]
            candidates.sort(
                key=lambda s: (
                    s.linked is None,
                    s.distance,
                    -s.offer.declaration.days_per_month,
                    s.offer.member.name,
                )
            )
            found += candidates
        return found

    def link(
        self,
        session: Session,
        member: Member,
        *,
        skill: str,
        offer_siren: str,
        mandate_ref: str | None = None,
    ) -> SkillMatch:
        """The member's need of ``skill`` is served by the offer of the CAE ``offer_siren``;
        for « gestion sociale », the reference of the delegation mandate may be given."""
        code = parse_skill(skill)
        reference = (mandate_ref or "").strip() or None
        if reference is not None and (code != PAYROLL_SKILL or len(reference) > MAX_MANDATE_REF):
            raise ValidationFailed(
                "Seule une mise en relation « gestion sociale » renvoie à un mandat de "
                f"délégation de paie (référence de {MAX_MANDATE_REF} caractères au plus).",
                errors=[ErrorItem("mandat", "réservé à la gestion sociale")],
            )
        assert member.id is not None
        repository = SeminarRepository(session)
        need = repository.declaration(member.id, code, Direction.NEED)
        other = MemberRepository(session).get_by_siren(offer_siren.strip())
        offer = (
            repository.declaration(other.id, code, Direction.OFFER)
            if other is not None and other.id is not None and other.id != member.id
            else None
        )
        if need is None or offer is None or need.id is None or offer.id is None:
            raise NotFound("Aucune offre de cette CAE pour un besoin déclaré par la vôtre.")
        match = repository.skill_match(need.id, offer.id) or SkillMatch(
            need_id=need.id, offer_id=offer.id
        )
        match.mandate_ref = reference
        return repository.add(match)


skill_service = SkillService()
