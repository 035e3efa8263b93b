"""The seminars domain's own sections of a pack: the group (members, agenda), the roadmap
aggregates of the strategy group and the facilitator's questions."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from hub.seminars.models import AUDIENCE_NAMES, GROUP_NAMES, PLENARY, SKILLS, Direction, GroupCode
from hub.seminars.roadmaps import roadmap_service
from hub.seminars.sections import PackContext, Section, pack_section
from hub.seminars.service import group_service, seminar_service
from hub.seminars.skills import skill_service
from hub.templating import french_environment

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return french_environment(TEMPLATES)


def render_part(part: str, **context: object) -> Markup:
    html = environment().get_template("sections.html").render(part=part, **context)
    return Markup(html)  # noqa: S704 - rendered by the autoescaping environment


@pack_section("groupe", order=5, audiences=AUDIENCE_NAMES)
def group_material(context: PackContext) -> Section:
    view = seminar_service.view(context.session, context.seminar.id or 0)
    codes = list(GROUP_NAMES) if context.audience == PLENARY else [context.audience]
    groups = [group_service.group(context.session, code) for code in codes]
    return Section(
        "groupe",
        "Le séminaire et son ordre du jour",
        render_part(
            "group",
            seminar=context.seminar,
            groups=groups,
            agenda=view.agenda.get(context.audience, []),
            audience=AUDIENCE_NAMES[context.audience],
        ),
    )


@pack_section("feuilles-de-route", order=40, audiences={GroupCode.STRATEGIE, PLENARY})
def roadmaps(context: PackContext) -> Section:
    lines = roadmap_service.aggregates(context.session, context.settings)
    return Section(
        "feuilles-de-route",
        "Feuilles de route des CAE",
        render_part("roadmaps", lines=lines, rules=context.settings),
    )


@pack_section("competences", order=50, audiences={GroupCode.COMPETENCES, PLENARY})
def skills(context: PackContext) -> Section:
    declared = skill_service.register(context.session)
    counts = {
        code: (
            sum(
                1
                for d in declared
                if d.declaration.skill == code and d.declaration.direction == Direction.OFFER
            ),
            sum(
                1
                for d in declared
                if d.declaration.skill == code and d.declaration.direction == Direction.NEED
            ),
        )
        for code in SKILLS
    }
    return Section(
        "competences",
        "Registre des compétences et mises en relation",
        render_part(
            "skills",
            counts=counts,
            labels=SKILLS,
            suggestions=skill_service.suggestions(context.session),
        ),
    )


@pack_section("questions", order=90, audiences=AUDIENCE_NAMES)
def questions(context: PackContext) -> Section | None:
    view = seminar_service.view(context.session, context.seminar.id or 0)
    asked = view.questions.get(context.audience, [])
    if not asked:
        return None
    return Section(
        "questions", "Questions pour la discussion", render_part("questions", questions=asked)
    )
