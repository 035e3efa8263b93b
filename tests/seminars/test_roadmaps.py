"""Roadmaps: a CAE's own goals and progress, the group's aggregates under secrecy."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from hub.config import Settings
from hub.errors import ValidationFailed
from hub.indicators.service import report_service
from hub.seminars.models import RoadmapGoal
from hub.seminars.roadmaps import GOAL_INDICATORS, judge, protected, roadmap_service
from hub.stats.disclosure import Rules
from tests.seminars.conftest import PERIODS, Loaded

LATEST = PERIODS[-1]


def _cesa(session: Session, loaded: Loaded, index: int) -> float:
    cells = report_service.read(session, loaded.members[index], LATEST).cells
    return float(
        sum(
            c.value
            for c in cells
            if c.indicator == "entrepreneurs" and c.dims == {"contract": "cesa"}
        )
    )


def test_a_goal_starts_from_the_cae_s_latest_report_and_shows_its_progress(
    session: Session, loaded: Loaded
) -> None:
    member = loaded.members[0]
    goal = roadmap_service.set_goal(
        session,
        member,
        indicator="entrepreneurs_cesa",
        target="500",
        day="2027-12-31",
        shared=False,
    )
    assert goal.baseline_period == LATEST
    assert goal.baseline_value == _cesa(session, loaded, 0) > 0
    [progress] = roadmap_service.progress(session, member)
    assert progress.value == goal.baseline_value
    assert progress.period == LATEST
    assert progress.on_track is True  # no time has passed since the baseline
    assert roadmap_service.progress(session, loaded.members[1]) == []


def test_the_other_goal_indicators_are_computed_from_the_cae_s_own_cells(
    session: Session, loaded: Loaded
) -> None:
    cells = report_service.read(session, loaded.members[2], LATEST).cells

    def total(code: str) -> float:
        sets: dict[frozenset[str], float] = {}
        for c in cells:
            if c.indicator == code:
                key = frozenset(c.dims)
                sets[key] = sets.get(key, 0) + c.value
        return sets[min(sets, key=len)]

    cesa = _cesa(session, loaded, 2)
    measure = {code: g.measure(cells) for code, g in GOAL_INDICATORS.items()}
    assert measure["entrepreneurs"] == total("entrepreneurs")
    assert measure["associate_rate"] == pytest.approx(100 * total("associates") / cesa)
    assert measure["revenue_per_entrepreneur"] == pytest.approx(
        total("revenue_eur") / total("entrepreneurs")
    )
    assert measure["support_staff_per_100"] == pytest.approx(
        100 * total("support_staff_fte") / total("entrepreneurs")
    )


def test_on_track_compares_the_way_covered_with_the_time_gone() -> None:
    goal = RoadmapGoal(
        member_id=1,
        indicator="entrepreneurs_cesa",
        target_value=200,
        target_day=date(2027, 12, 31),
        baseline_period="2025-S2",
        baseline_value=100,
    )
    # Half-way in time (end 2026-S2 of 2025-12-31 → 2027-12-31): half the way is on track.
    assert judge(goal, 150, "2026-S2") is True
    assert judge(goal, 140, "2026-S2") is False
    assert judge(goal, 200, "2025-S2") is True  # reached
    assert judge(goal, None, "2026-S2") is None
    falling = RoadmapGoal(
        member_id=1,
        indicator="support_staff_per_100",
        target_value=5,
        target_day=date(2027, 12, 31),
        baseline_period="2025-S2",
        baseline_value=10,
    )
    assert judge(falling, 7, "2026-S2") is True
    assert judge(falling, 8, "2026-S2") is False


def test_aggregates_follow_the_statistics_secrecy_rules() -> None:
    rules = Rules()
    cesa = GOAL_INDICATORS["entrepreneurs_cesa"]
    # Fewer than three CAEs: nothing is shown, not even how many.
    line = protected(cesa, [10, 20], [True, False], [], rules)
    assert (line.goals, line.on_track, line.target_sum) == (None, None, None)
    # Four CAEs, one behind: « on track » would tell one CAE is behind.
    line = protected(cesa, [10, 20, 30, 40], [True, True, True, False], [], rules)
    assert (line.goals, line.on_track, line.target_sum) == (4, None, 100)
    # Five CAEs, two on track: a small count.
    line = protected(cesa, [10, 20, 30, 40, 50], [True, True, False, False, False], [], rules)
    assert (line.goals, line.on_track) == (5, None)
    line = protected(cesa, [10] * 6, [True] * 3 + [False] * 3, [], rules)
    assert (line.goals, line.on_track, line.target_sum) == (6, 3, 60)
    line = protected(cesa, [10] * 6, [False] * 6, [], rules)
    assert line.on_track == 0
    # A dominant target is not cumulated.
    line = protected(cesa, [10, 10, 10, 1000], [True] * 4, [], rules)
    assert line.target_sum is None
    rate = GOAL_INDICATORS["associate_rate"]
    assert protected(rate, [30, 40, 50], [True] * 3, [], rules).target_sum is None
    assert protected(rate, [], [], [], rules).goals == 0


def test_the_group_sees_counts_and_shared_goals_only(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    for index in range(4):
        roadmap_service.set_goal(
            session,
            loaded.members[index],
            indicator="entrepreneurs_cesa",
            target=str(100 + index),
            day="2027-12-31",
            shared=index == 0,
        )
    roadmap_service.set_goal(
        session,
        loaded.members[1],
        indicator="associate_rate",
        target="45",
        day="2028-06-30",
        shared=False,
    )
    lines = {line.indicator.code: line for line in roadmap_service.aggregates(session, settings)}
    assert lines["entrepreneurs_cesa"].goals == 4
    assert lines["entrepreneurs_cesa"].target_sum == 100 + 101 + 102 + 103
    assert [name for name, _ in lines["entrepreneurs_cesa"].shared] == [loaded.members[0].name]
    assert lines["associate_rate"].goals is None
    assert lines["associate_rate"].shared == []
    assert lines["revenue_per_entrepreneur"].goals == 0


def test_bad_goals_are_refused_naming_the_field(session: Session, loaded: Loaded) -> None:
    member = loaded.members[0]
    cases = [
        ({"indicator": "benefice", "target": "1", "day": "2027-12-31"}, "indicateur"),
        ({"indicator": "entrepreneurs", "target": "beaucoup", "day": "2027-12-31"}, "cible"),
        ({"indicator": "entrepreneurs", "target": "-3", "day": "2027-12-31"}, "cible"),
        ({"indicator": "entrepreneurs", "target": "10", "day": "fin 2027"}, "echeance"),
        ({"indicator": "entrepreneurs", "target": "10", "day": "2026-01-31"}, "echeance"),
    ]
    for fields, path in cases:
        with pytest.raises(ValidationFailed) as raised:
            roadmap_service.set_goal(session, member, shared=False, **fields)
        assert raised.value.errors[0].path == path
