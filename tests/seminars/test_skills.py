"""The skills register: declarations, matches nearest first, a payroll match's mandate."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.config import Settings
from hub.errors import NotFound, ValidationFailed
from hub.seminars.packs import pack_service
from hub.seminars.skills import proximity, skill_service
from tests.seminars.conftest import Loaded
from tests.seminars.test_packs import pdf_pages
from tests.web.conftest import csrf_of, login


def _declare(
    session: Session, loaded: Loaded, index: int, skill: str, way: str, days: str, departement: str
) -> None:
    skill_service.declare(
        session,
        loaded.members[index],
        skill=skill,
        direction=way,
        days_per_month=days,
        departement=departement,
    )


def test_proximity_reads_the_regions_of_the_departement_code_list() -> None:
    assert proximity("33", "33") == 0
    assert proximity("33", "64") == 1  # Gironde, Pyrénées-Atlantiques: Nouvelle-Aquitaine
    assert proximity("33", "31") == 2  # Haute-Garonne: Occitanie
    assert proximity("2A", "2B") == 1


def test_a_need_is_matched_with_offers_nearest_first(session: Session, loaded: Loaded) -> None:
    _declare(session, loaded, 0, "gestion_sociale", "besoin", "2", "33")
    _declare(session, loaded, 1, "gestion_sociale", "offre", "6", "31")
    _declare(session, loaded, 2, "gestion_sociale", "offre", "1,5", "64")
    _declare(session, loaded, 3, "gestion_sociale", "offre", "3", "33")
    _declare(session, loaded, 4, "gestion_sociale", "offre", "4", "40")
    _declare(session, loaded, 5, "communication", "offre", "4", "33")
    _declare(session, loaded, 0, "gestion_sociale", "offre", "1", "33")  # its own offer
    found = skill_service.suggestions(session, member=loaded.members[0])
    assert [(s.offer.member.id, s.proximity_label) for s in found] == [
        (loaded.members[3].id, "même département"),
        (loaded.members[4].id, "même région"),  # the larger capacity first
        (loaded.members[2].id, "même région"),
        (loaded.members[1].id, "autre région"),
    ]
    assert skill_service.suggestions(session, member=loaded.members[1]) == []
    # Declaring again changes the declaration, never duplicates it.
    _declare(session, loaded, 0, "gestion_sociale", "besoin", "5", "33")
    needs = [
        d
        for d in skill_service.register(session)
        if d.member.id == loaded.members[0].id and d.declaration.direction == "besoin"
    ]
    assert [d.declaration.days_per_month for d in needs] == [5.0]


def test_a_payroll_match_names_its_delegation_mandate_and_comes_first(
    session: Session, loaded: Loaded
) -> None:
    _declare(session, loaded, 0, "gestion_sociale", "besoin", "2", "33")
    _declare(session, loaded, 1, "gestion_sociale", "offre", "6", "31")
    _declare(session, loaded, 3, "gestion_sociale", "offre", "3", "33")
    match = skill_service.link(
        session,
        loaded.members[0],
        skill="gestion_sociale",
        offer_siren=loaded.members[1].siren,
        mandate_ref="MANDAT-2026-014",
    )
    assert match.mandate_ref == "MANDAT-2026-014"
    first = skill_service.suggestions(session, member=loaded.members[0])[0]
    assert first.offer.member.id == loaded.members[1].id
    assert first.linked is not None and first.linked.mandate_ref == "MANDAT-2026-014"
    _declare(session, loaded, 0, "communication", "besoin", "1", "33")
    _declare(session, loaded, 5, "communication", "offre", "4", "33")
    with pytest.raises(ValidationFailed) as raised:
        skill_service.link(
            session,
            loaded.members[0],
            skill="communication",
            offer_siren=loaded.members[5].siren,
            mandate_ref="MANDAT-1",
        )
    assert raised.value.errors[0].path == "mandat"
    with pytest.raises(NotFound):
        skill_service.link(
            session, loaded.members[0], skill="comptabilite", offer_siren=loaded.members[5].siren
        )


def test_bad_declarations_name_the_field(session: Session, loaded: Loaded) -> None:
    cases = [
        (("paie", "offre", "1", "33"), "competence"),
        (("communication", "don", "1", "33"), "sens"),
        (("communication", "offre", "0", "33"), "jours_par_mois"),
        (("communication", "offre", "beaucoup", "33"), "jours_par_mois"),
        (("communication", "offre", "1", "20"), "departement"),
    ]
    for (skill, way, days, where), path in cases:
        with pytest.raises(ValidationFailed) as raised:
            _declare(session, loaded, 0, skill, way, days, where)
        assert raised.value.errors[0].path == path


def test_the_pooling_pack_and_page_show_the_register_and_matches(
    client: TestClient, session: Session, loaded: Loaded, settings: Settings
) -> None:
    _declare(session, loaded, 2, "reunions_information", "besoin", "1", "33")
    _declare(session, loaded, 3, "reunions_information", "offre", "2", "33")
    pack = pack_service.build(
        session,
        settings,
        seminar_id=loaded.seminar.id or 0,
        audience="competences",
        notify=False,
    )
    text = "\n".join(pdf_pages(pack.pdf))
    assert "Registre des compétences et mises en relation" in text
    assert "Mises en relation suggérées" in text
    # The match itself names the offering CAE (the table wraps its cells over lines).
    matches = " ".join(text[text.rindex("Mises en relation suggérées") :].split())
    assert f"{loaded.members[2].name} (33) Réunions d'information collective" in matches
    assert f"{loaded.members[3].name} (33) même département 2,0" in matches
    session.flush()
    assert login(client, loaded.users[2].email).status_code == 303  # a member of members[2]
    page = client.get("/competences")
    assert page.status_code == 200
    assert f'data-offre="{loaded.members[3].siren}"' in page.text
    response = client.post(
        "/competences",
        data={
            "csrf_token": csrf_of(page.text),
            "competence": "comptabilite",
            "sens": "offre",
            "jours_par_mois": "2,5",
            "departement": "33",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert 'data-declaration="comptabilite-offre"' in client.get("/competences").text
    refused = client.post(
        "/competences",
        data={
            "csrf_token": csrf_of(page.text),
            "competence": "x",
            "sens": "offre",
            "jours_par_mois": "1",
            "departement": "33",
        },
    )
    assert refused.status_code == 400 and "Compétence inconnue" in refused.text
