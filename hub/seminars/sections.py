"""The sections of a seminar pack, contributed by the domains that own their content.

A domain declares its section in its own module::

    @pack_section("roadmaps", order=40, audiences={"strategie", "pleniere"})
    def roadmap_section(context: PackContext) -> Section | None:
        ...

and names that module in :data:`SECTION_MODULES`. The pack only calls what is registered:
it never reaches into a domain. A builder answers ``None`` when it has nothing to say.
A section must show published figures only, and nothing a member keeps private.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlmodel import Session

from hub.config import Settings
from hub.seminars.models import AUDIENCE_NAMES, Seminar

# Every module that contributes a section, in one place: discovery never scans imports.
SECTION_MODULES = (
    "hub.web.pack_stats",
    "hub.seminars.pack_sections",
    "hub.trainings.pack_section",
    "hub.delegations.pack_section",
)


@dataclass(frozen=True)
class PackContext:
    """What a section is built for: the seminar, its audience and the publication whose
    figures the pack gives (``periods``: the published semesters of the trends, oldest
    first, ending with ``period``)."""

    session: Session
    settings: Settings
    seminar: Seminar
    audience: str
    period: str
    publication: int
    published_at: datetime
    periods: list[str]


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    html: Markup


SectionBuilder = Callable[[PackContext], Section | None]


@dataclass(frozen=True)
class SectionProvider:
    name: str
    order: int
    audiences: frozenset[str]
    build: SectionBuilder


_PROVIDERS: dict[str, SectionProvider] = {}


def pack_section(
    name: str, *, order: int, audiences: Collection[str]
) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register the decorated function as the builder of the section ``name``."""
    unknown = set(audiences) - set(AUDIENCE_NAMES)
    if unknown:
        raise ValueError(f"section {name!r}: unknown audiences {sorted(unknown)}")

    def register(build: SectionBuilder) -> SectionBuilder:
        if name in _PROVIDERS and _PROVIDERS[name].build is not build:
            raise ValueError(f"section {name!r} registered twice")
        _PROVIDERS[name] = SectionProvider(name, order, frozenset(audiences), build)
        return build

    return register


def providers_for(audience: str) -> list[SectionProvider]:
    """The sections of a pack for ``audience``, in their order."""
    for module in SECTION_MODULES:
        importlib.import_module(module)
    found = [p for p in _PROVIDERS.values() if audience in p.audiences]
    return sorted(found, key=lambda p: (p.order, p.name))
