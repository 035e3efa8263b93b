"""Working groups and seminars: members, contacts, facilitator, agenda and questions."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from hub.errors import Conflict, NotFound, ValidationFailed
from hub.seminars.models import ItemKind
from hub.seminars.service import group_service, seminar_service
from tests.seminars.conftest import AGENDA, QUESTION, Loaded


def test_the_three_groups_with_their_members_contacts_and_facilitator(
    session: Session, loaded: Loaded
) -> None:
    groups = {g.code: g for g in group_service.groups(session)}
    assert list(groups) == ["strategie", "competences", "formation"]
    assert groups["strategie"].name == "Stratégie de développement"
    assert groups["competences"].name == "Mutualisation des compétences"
    assert groups["formation"].name == "Formation des entrepreneurs"
    strategy = groups["strategie"]
    assert strategy.facilitator == loaded.staff.display_name
    assert {m.id for m in strategy.members} == {loaded.members[0].id, loaded.members[1].id}
    assert [c.email for c in strategy.contacts] == [loaded.users[0].email, loaded.users[1].email]
    assert len(groups["formation"].members) == 4
    assert groups["formation"].contacts == []
    assert groups["formation"].facilitator is None


def test_the_recipients_of_a_pack_are_the_contacts_of_its_group_or_of_all(
    session: Session, loaded: Loaded
) -> None:
    assert group_service.recipients(session, "strategie") == sorted(
        [loaded.users[0].email, loaded.users[1].email]
    )
    assert group_service.recipients(session, "pleniere") == sorted(
        u.email for u in loaded.users[:3]
    )
    assert group_service.recipients(session, "formation") == []


def test_removing_a_cae_removes_its_contacts_and_a_member_user_can_facilitate(
    session: Session, loaded: Loaded
) -> None:
    group_service.remove_member(session, "strategie", loaded.members[1].siren)
    strategy = group_service.group(session, "strategie")
    assert [c.email for c in strategy.contacts] == [loaded.users[0].email]
    with pytest.raises(NotFound):
        group_service.remove_member(session, "strategie", loaded.members[1].siren)
    view = group_service.set_facilitator(session, "formation", loaded.users[3].email)
    assert view.facilitator == loaded.users[3].display_name


def test_bad_input_names_the_field(session: Session, loaded: Loaded) -> None:
    with pytest.raises(ValidationFailed) as raised:
        group_service.add_member(session, "compta", loaded.members[0].siren)
    assert raised.value.errors[0].path == "groupe"
    with pytest.raises(NotFound):
        group_service.add_contact(session, "strategie", "personne@nulle-part.example")
    with pytest.raises(NotFound):
        group_service.set_facilitator(session, "strategie", "personne@nulle-part.example")
    with pytest.raises(Conflict):
        seminar_service.create(session, period="2026-S2", day="2026-11-27", place="Toulouse")
    with pytest.raises(ValidationFailed) as raised:
        seminar_service.create(session, period="2027-S1", day="27/05/2027", place="Toulouse")
    assert raised.value.errors[0].path == "date"
    with pytest.raises(ValidationFailed) as raised:
        seminar_service.create(session, period="2027", day="2027-05-27", place="Toulouse")
    assert raised.value.errors[0].path == "semestre"
    with pytest.raises(ValidationFailed) as raised:
        seminar_service.add_item(
            session, loaded.seminar.id or 0, audience="strategie", kind=ItemKind.AGENDA, text=" "
        )
    assert raised.value.errors[0].path == "texte"


def test_a_seminar_keeps_its_agenda_and_questions_in_order(
    session: Session, loaded: Loaded
) -> None:
    seminar_id = loaded.seminar.id or 0
    seminar_service.add_item(
        session, seminar_id, audience="strategie", kind=ItemKind.QUESTION, text="Et ensuite ?"
    )
    seminar_service.add_item(
        session, seminar_id, audience="pleniere", kind=ItemKind.AGENDA, text="Accueil"
    )
    view = seminar_service.view(session, seminar_id)
    assert view.agenda == {"strategie": [AGENDA], "pleniere": ["Accueil"]}
    assert view.questions == {"strategie": [QUESTION, "Et ensuite ?"]}
