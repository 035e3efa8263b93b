"""Sections that other domains contribute to a pack: training pooling for the training group
and the plenary, payroll delegation in aggregate for the pooling group and the plenary."""

from __future__ import annotations

from sqlmodel import Session

from cae_contract.format import fr_int
from cae_contract.periods import Period
from hub.config import Settings
from hub.delegations.overview import federation_activity
from hub.seminars.packs import pack_service
from hub.trainings.activity import activity_service
from tests.seminars.conftest import Loaded
from tests.seminars.test_packs import pdf_pages

POOLING = "Formations mutualisées du semestre"
PAYROLL = "Délégation de paie entre CAE"


def _text(session: Session, settings: Settings, loaded: Loaded, audience: str) -> str:
    pack = pack_service.build(
        session, settings, seminar_id=loaded.seminar.id or 0, audience=audience
    )
    return "\n".join(pdf_pages(pack.pdf))


def test_the_training_group_gets_the_pooling_of_the_seminars_semester(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    text = _text(session, settings, loaded, "formation")
    assert POOLING in text
    assert PAYROLL not in text
    total = activity_service.semester(session, Period.parse(loaded.seminar.period)).total
    assert (
        f"{fr_int(total.sessions)} sessions, {fr_int(total.seats_offered)} places offertes"
        in text.replace("\n", " ")
    )


def test_the_pooling_group_gets_payroll_delegation_in_aggregate(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    text = _text(session, settings, loaded, "competences")
    assert PAYROLL in text
    assert POOLING not in text
    activity = federation_activity(session)
    assert f"{fr_int(activity.tasks_late)} en retard" in text.replace("\n", " ")


def test_the_plenary_has_both_and_the_strategy_group_neither(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    plenary = _text(session, settings, loaded, "pleniere")
    assert POOLING in plenary and PAYROLL in plenary
    strategy = _text(session, settings, loaded, "strategie")
    assert POOLING not in strategy and PAYROLL not in strategy
