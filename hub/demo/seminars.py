"""The demonstration's working groups and seminars: groups with their CAEs, the last two
semesters' seminars, a few roadmap goals and skills, and the packs of the last seminar.

Run again, it adds nothing: what exists is kept, packs are built once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from cae_contract.periods import Period, today
from hub.config import Settings
from hub.db import session_scope
from hub.demo.accounts import DEMO_STAFF, member_login
from hub.demo.federation import DemoCae, DemoFederation
from hub.demo.profiles import Size
from hub.errors import NotFound
from hub.members.models import Member
from hub.members.repository import MemberRepository
from hub.seminars.models import AUDIENCE_NAMES, GROUP_NAMES, ItemKind
from hub.seminars.packs import PdfUnavailable, pack_service
from hub.seminars.roadmaps import roadmap_service
from hub.seminars.service import group_service, seminar_service
from hub.seminars.skills import skill_service

Say = Callable[[str], None]
PLACES = ("Bordeaux, Maison des Scop", "Toulouse, Fédération des Scop BTP")
AGENDA: dict[str, tuple[str, ...]] = {
    "pleniere": (
        "Accueil et chiffres du semestre",
        "Restitution des trois groupes",
        "Calendrier du semestre prochain",
    ),
    "strategie": ("Tour de table des feuilles de route", "Objectifs de sociétariat à 2027"),
    "competences": (
        "Inventaire des compétences des équipes d'appui",
        "Délégations de gestion sociale en cours",
    ),
    "formation": ("Catalogue mutualisé du semestre", "Financements Constructys"),
}
QUESTIONS: dict[str, tuple[str, ...]] = {
    "pleniere": ("Quelles priorités communes pour le semestre prochain ?",),
    "strategie": (
        "Quel rythme de passage au sociétariat visons-nous ?",
        "Comment accueillir plus d'entrepreneurs sans alourdir l'équipe d'appui ?",
    ),
    "competences": ("Quelles compétences manquent le plus aux équipes d'appui ?",),
    "formation": ("Quelles formations ouvrir aux entrepreneurs des autres CAE ?",),
}
SKILL_PLAN = (
    ("gestion_sociale", "offre", "6"),
    ("gestion_sociale", "besoin", "2"),
    ("communication", "offre", "3"),
    ("comptabilite", "besoin", "1,5"),
    ("reunions_information", "offre", "2"),
    ("accompagnement_metier", "besoin", "4"),
)


def _seminar_day(period: Period) -> date:
    """Late in the semester: the 20th of its fifth month."""
    return date(period.year, 5 if period.semester == 1 else 11, 20)


def load_seminars(
    engine: Engine, federation: DemoFederation, settings: Settings, *, say: Say = print
) -> int:
    """Set up groups and seminars; answer how many packs were built."""
    current = Period.semester_of(today())
    with session_scope(engine) as session:
        members = MemberRepository(session)
        caes = [(cae, members.get_by_siren(cae.siren)) for cae in federation.caes]
        for index, (cae, member) in enumerate(caes):
            if member is None:
                continue
            codes = (
                list(GROUP_NAMES)
                if cae.profile.size is Size.DOMINANT
                else [list(GROUP_NAMES)[index % len(GROUP_NAMES)]]
            )
            for code in codes:
                group_service.add_member(session, code, member.siren)
        dominant = next(c for c in federation.caes if c.profile.size is Size.DOMINANT)
        group_service.add_contact(session, "strategie", member_login(dominant))
        for code in GROUP_NAMES:
            group_service.set_facilitator(session, code, DEMO_STAFF)
        seminars = []
        for number, period in enumerate((current.previous(), current)):
            seminar = next(
                (s for s in seminar_service.list(session) if s.period == str(period)), None
            )
            if seminar is None:
                seminar = seminar_service.create(
                    session,
                    period=str(period),
                    day=str(_seminar_day(period)),
                    place=PLACES[number % len(PLACES)],
                )
                assert seminar.id is not None
                for audience in AUDIENCE_NAMES:
                    for text in AGENDA[audience]:
                        seminar_service.add_item(
                            session,
                            seminar.id,
                            audience=audience,
                            kind=ItemKind.AGENDA,
                            text=text,
                        )
                    for text in QUESTIONS[audience]:
                        seminar_service.add_item(
                            session,
                            seminar.id,
                            audience=audience,
                            kind=ItemKind.QUESTION,
                            text=text,
                        )
            seminars.append(seminar)
        _goals_and_skills(session, caes)
        last = seminars[-1]
        assert last.id is not None
        if pack_service.packs(session, last.id):
            return 0
        built = 0
        try:
            for audience in AUDIENCE_NAMES:
                pack_service.build(session, settings, seminar_id=last.id, audience=audience)
                built += 1
        except NotFound as exc:
            say(f"packs du séminaire non produits : {exc.detail}")
        except PdfUnavailable as exc:
            say(f"packs du séminaire non produits : {exc}")
        return built


def _goals_and_skills(session: Session, caes: list[tuple[DemoCae, Member | None]]) -> None:
    """Two goals for each CAE with reports (every other one shares the first), and one
    declared skill each."""
    deadline = date(today().year + 1, 12, 31)
    for index, (_, member) in enumerate(caes):
        if member is None:
            continue
        if not roadmap_service.progress(session, member):
            _, baseline = roadmap_service.baseline(session, member, "entrepreneurs_cesa")
            if baseline is not None:
                roadmap_service.set_goal(
                    session,
                    member,
                    indicator="entrepreneurs_cesa",
                    target=str(round(baseline * 1.2 + 2)),
                    day=str(deadline),
                    shared=index % 2 == 0,
                )
                roadmap_service.set_goal(
                    session,
                    member,
                    indicator="support_staff_per_100",
                    target="8",
                    day=str(deadline),
                    shared=False,
                )
        skill, direction, days = SKILL_PLAN[index % len(SKILL_PLAN)]
        skill_service.declare(
            session,
            member,
            skill=skill,
            direction=direction,
            days_per_month=days,
            departement=(member.departements or ["33"])[0],
        )
