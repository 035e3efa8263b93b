"""Roadmaps of the strategy group: each CAE's own objectives, its progress read from its
own reports, and the group's aggregates under the statistics' secrecy rules.

A goal is the CAE's: only it reads it, unless it chose to share it. The group sees how many
CAEs set a goal on an indicator and how many are on track, each count shown only when at
least ``min_contributors`` CAEs set one and no count of 1 or 2 CAEs (of either side) can be
read; a cumulated target is also under the dominance rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from cae_contract.periods import Period
from cae_contract.problems import ErrorItem
from hub.config import Settings
from hub.db import utcnow
from hub.errors import NotFound, ValidationFailed
from hub.indicators.schemas import ReportCell
from hub.indicators.service import report_service
from hub.members.models import Member
from hub.seminars.models import RoadmapGoal
from hub.seminars.repository import SeminarRepository
from hub.seminars.service import parse_day
from hub.stats.disclosure import Rules
from hub.stats.service import disclosure_rules

Cells = Sequence[ReportCell]


def _total(cells: Cells, indicator: str, **where: str) -> float | None:
    """The CAE's total of ``indicator`` (restricted to ``where``), from the coarsest
    breakdown it sent that holds the dimensions of ``where``."""
    by_breakdown: dict[frozenset[str], list[ReportCell]] = {}
    for cell in cells:
        if cell.indicator == indicator and set(where) <= set(cell.dims):
            by_breakdown.setdefault(frozenset(cell.dims), []).append(cell)
    if not by_breakdown:
        return None
    coarsest = min(by_breakdown, key=lambda dims: (len(dims), sorted(dims)))
    return float(
        sum(
            c.value
            for c in by_breakdown[coarsest]
            if all(c.dims.get(k) == v for k, v in where.items())
        )
    )


def _ratio(top: float | None, bottom: float | None, scale: float = 1.0) -> float | None:
    if top is None or not bottom:
        return None
    return scale * top / bottom


@dataclass(frozen=True)
class GoalIndicator:
    code: str
    label: str
    unit: str
    additive: bool  # a sum of targets over CAEs means something
    measure: Callable[[Cells], float | None]


GOAL_INDICATORS: dict[str, GoalIndicator] = {
    g.code: g
    for g in (
        GoalIndicator(
            "entrepreneurs_cesa",
            "Entrepreneurs-salariés en CESA",
            "personnes",
            True,
            lambda c: _total(c, "entrepreneurs", contract="cesa"),
        ),
        GoalIndicator(
            "entrepreneurs",
            "Entrepreneurs accompagnés (CAPE et CESA)",
            "personnes",
            True,
            lambda c: _total(c, "entrepreneurs"),
        ),
        GoalIndicator(
            "associate_rate",
            "Part d'associés parmi les entrepreneurs en CESA",
            "%",
            False,
            lambda c: _ratio(
                _total(c, "associates"), _total(c, "entrepreneurs", contract="cesa"), 100
            ),
        ),
        GoalIndicator(
            "revenue_per_entrepreneur",
            "Chiffre d'affaires par entrepreneur",
            "€",
            False,
            lambda c: _ratio(_total(c, "revenue_eur"), _total(c, "entrepreneurs")),
        ),
        GoalIndicator(
            "support_staff_per_100",
            "Équipe d'appui pour 100 entrepreneurs",
            "ETP",
            False,
            lambda c: _ratio(_total(c, "support_staff_fte"), _total(c, "entrepreneurs"), 100),
        ),
    )
}


def parse_goal_indicator(code: str) -> GoalIndicator:
    found = GOAL_INDICATORS.get(code.strip())
    if found is None:
        raise ValidationFailed(
            f"Indicateur d'objectif inconnu : « {code[:40]} » (possibles : "
            f"{', '.join(GOAL_INDICATORS)}).",
            errors=[ErrorItem("indicateur", "indicateur d'objectif inconnu")],
        )
    return found


@dataclass(frozen=True)
class Progress:
    goal: RoadmapGoal
    indicator: GoalIndicator
    period: str | None  # the latest semester the CAE reported
    value: float | None
    on_track: bool | None  # None: no figure to judge on

    @property
    def status(self) -> str:
        if self.on_track is None:
            return "sans données"
        return "en bonne voie" if self.on_track else "en retard"


def judge(goal: RoadmapGoal, value: float | None, period: str | None) -> bool | None:
    """On track when the way covered from the baseline to the target is at least the share
    of time gone from the baseline semester's end to the target day (or the target is met)."""
    if value is None or period is None:
        return None
    rising = goal.baseline_value is None or goal.target_value >= goal.baseline_value
    if (value >= goal.target_value) if rising else (value <= goal.target_value):
        return True
    if goal.baseline_value is None or goal.baseline_period is None:
        return False
    start = Period.parse(goal.baseline_period).end
    now = Period.parse(period).end
    span = (goal.target_day - start).days
    elapsed = 1.0 if span <= 0 else min(1.0, max(0.0, (now - start).days / span))
    covered = (value - goal.baseline_value) / (goal.target_value - goal.baseline_value)
    return covered >= elapsed


@dataclass(frozen=True)
class Aggregate:
    """One line of the group's view. ``None`` counts are secret (« s »)."""

    indicator: GoalIndicator
    goals: int | None
    on_track: int | None
    target_sum: float | None
    shared: list[tuple[str, RoadmapGoal]]


class RoadmapService:
    @staticmethod
    def _latest(session: Session, member: Member) -> tuple[str | None, Cells]:
        assert member.id is not None
        semesters = [
            p
            for p in report_service.reported_semesters(session, member_id=member.id)
            if Period.parse(p).is_semester
        ]
        if not semesters:
            return None, []
        period = max(semesters, key=Period.parse)
        return period, report_service.read(session, member, period).cells

    def baseline(
        self, session: Session, member: Member, indicator: str
    ) -> tuple[str | None, float | None]:
        """The member's latest reported semester and its value of ``indicator`` then."""
        goal_indicator = parse_goal_indicator(indicator)
        period, cells = self._latest(session, member)
        return period, goal_indicator.measure(cells) if period else None

    def set_goal(
        self,
        session: Session,
        member: Member,
        *,
        indicator: str,
        target: str,
        day: str,
        shared: bool,
    ) -> RoadmapGoal:
        """Set (or change) the member's objective on ``indicator``; its latest report gives
        the baseline progress is measured from."""
        goal_indicator = parse_goal_indicator(indicator)
        try:
            value = float(target.replace(",", ".").replace(" ", "").replace("\u202f", ""))
        except ValueError:
            value = -1.0
        if not (math.isfinite(value) and value >= 0):
            raise ValidationFailed(
                f"Valeur cible illisible : « {target[:20]} » (un nombre positif).",
                errors=[ErrorItem("cible", "nombre positif attendu")],
            )
        when = parse_day(day, where="echeance")
        assert member.id is not None
        repository = SeminarRepository(session)
        goal = repository.goal(member.id, goal_indicator.code)
        if goal is None:
            period, cells = self._latest(session, member)
            if when <= (Period.parse(period).end if period else date.min):
                raise ValidationFailed(
                    "L'échéance doit suivre le dernier semestre déclaré.",
                    errors=[ErrorItem("echeance", "échéance déjà passée")],
                )
            goal = RoadmapGoal(
                member_id=member.id,
                indicator=goal_indicator.code,
                target_value=value,
                target_day=when,
                baseline_period=period,
                baseline_value=goal_indicator.measure(cells) if period else None,
            )
        goal.target_value = value
        goal.target_day = when
        goal.shared = shared
        goal.updated_at = utcnow()
        return repository.add(goal)

    def remove_goal(self, session: Session, member: Member, indicator: str) -> None:
        assert member.id is not None
        repository = SeminarRepository(session)
        goal = repository.goal(member.id, parse_goal_indicator(indicator).code)
        if goal is None:
            raise NotFound("Aucun objectif de votre CAE sur cet indicateur.")
        repository.delete(goal)

    def progress(self, session: Session, member: Member) -> list[Progress]:
        """The member's own goals with its latest figures (for its own eyes only)."""
        assert member.id is not None
        period, cells = self._latest(session, member)
        found = []
        for goal in SeminarRepository(session).goals_of(member.id):
            indicator = GOAL_INDICATORS.get(goal.indicator)
            if indicator is None:
                continue
            value = indicator.measure(cells) if period else None
            found.append(Progress(goal, indicator, period, value, judge(goal, value, period)))
        return found

    def aggregates(self, session: Session, settings: Settings) -> list[Aggregate]:
        """The group's view: counts under secrecy, and the goals CAEs chose to share."""
        rules = disclosure_rules(settings)
        members: dict[int, Member] = {}
        goals: dict[str, list[tuple[Member, RoadmapGoal]]] = {}
        for goal, member in SeminarRepository(session).all_goals():
            assert member.id is not None
            members[member.id] = member
            goals.setdefault(goal.indicator, []).append((member, goal))
        latest = {mid: self._latest(session, m) for mid, m in members.items()}
        lines = []
        for code, indicator in GOAL_INDICATORS.items():
            rows = goals.get(code, [])
            judged = []
            for member, goal in rows:
                assert member.id is not None
                period, cells = latest[member.id]
                value = indicator.measure(cells) if period else None
                judged.append(judge(goal, value, period))
            lines.append(
                protected(
                    indicator,
                    [goal.target_value for _, goal in rows],
                    [j is True for j in judged],
                    [(m.name, g) for m, g in rows if g.shared],
                    rules,
                )
            )
        return lines


def _small(count: int, rules: Rules) -> bool:
    return 0 < count <= rules.small_count_max


def protected(
    indicator: GoalIndicator,
    targets: Sequence[float],
    on_track: Sequence[bool],
    shared: list[tuple[str, RoadmapGoal]],
    rules: Rules,
) -> Aggregate:
    """Counts and cumulated target as the group may read them."""
    count = len(targets)
    if count < rules.min_contributors:
        return Aggregate(indicator, None if count else 0, None if count else 0, None, shared)
    ahead = sum(on_track)
    hidden = _small(ahead, rules) or _small(count - ahead, rules)
    total = sum(targets)
    dominant = total > 0 and max(targets) > rules.dominance_share * total
    return Aggregate(
        indicator,
        count,
        None if hidden else ahead,
        total if indicator.additive and not dominant else None,
        shared,
    )


def goal_labels() -> Mapping[str, str]:
    return {code: g.label for code, g in GOAL_INDICATORS.items()}


roadmap_service = RoadmapService()
