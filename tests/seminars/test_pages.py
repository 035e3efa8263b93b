"""The dashboard's pages of groups, seminars, packs and roadmaps, through the HTTP stack."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.config import Settings
from hub.seminars.packs import pack_service
from hub.seminars.roadmaps import roadmap_service
from tests.seminars.conftest import AGENDA, QUESTION, Loaded
from tests.web.conftest import csrf_of, login

PRIVATE_TARGET = "4321"  # a target no figure of the federation has


def _logged(client: TestClient, email: str) -> TestClient:
    assert login(client, email).status_code == 303
    return client


def test_staff_manage_groups_from_the_groups_page(client: TestClient, loaded: Loaded) -> None:
    staff = _logged(client, loaded.staff.email)
    page = staff.get("/groupes")
    assert page.status_code == 200
    for name in (
        "Stratégie de développement",
        "Mutualisation des compétences",
        "Formation des entrepreneurs",
    ):
        assert name in page.text
    assert loaded.users[0].email in page.text  # staff see the contacts' addresses
    newcomer = loaded.members[9]
    response = staff.post(
        "/groupes/competences/cae",
        data={"csrf_token": csrf_of(page.text), "siren": newcomer.siren},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert newcomer.name in staff.get("/groupes").text
    refused = staff.post(
        "/groupes/compta/cae", data={"csrf_token": csrf_of(page.text), "siren": newcomer.siren}
    )
    assert refused.status_code == 400
    assert "Groupe inconnu" in refused.text
    forged = staff.post("/groupes/competences/cae", data={"siren": newcomer.siren})
    assert forged.status_code == 403


def test_members_read_groups_but_cannot_change_them(client: TestClient, loaded: Loaded) -> None:
    member = _logged(client, loaded.users[0].email)
    page = member.get("/groupes")
    assert page.status_code == 200
    assert loaded.users[1].display_name in page.text
    assert loaded.users[1].email not in page.text
    assert "Inscrire la CAE" not in page.text
    response = member.post(
        "/groupes/strategie/cae",
        data={"csrf_token": csrf_of(page.text), "siren": loaded.members[9].siren},
    )
    assert response.status_code == 404


def test_staff_create_a_seminar_add_questions_and_build_a_pack(
    client: TestClient, loaded: Loaded
) -> None:
    staff = _logged(client, loaded.staff.email)
    page = staff.get("/seminaires")
    assert "Bordeaux" in page.text
    token = csrf_of(page.text)
    created = staff.post(
        "/seminaires",
        data={"csrf_token": token, "semestre": "2027-S1", "date": "2027-05-21", "lieu": "Pau"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    seminar_url = created.headers["location"]
    staff.post(
        seminar_url + "/points",
        data={"csrf_token": token, "groupe": "formation", "nature": "question", "texte": "Qui ?"},
    )
    assert "Qui ?" in staff.get(seminar_url).text
    bad = staff.post(
        "/seminaires", data={"csrf_token": token, "semestre": "2027", "date": "x", "lieu": "Pau"}
    )
    assert bad.status_code == 400
    seminar = f"/seminaires/{loaded.seminar.id}"
    shown = staff.get(seminar)
    assert AGENDA in shown.text and QUESTION in shown.text
    built = staff.post(
        seminar + "/packs/pleniere", data={"csrf_token": token}, follow_redirects=False
    )
    assert built.status_code == 303
    listed = staff.get(built.headers["location"])
    assert 'data-pack="pleniere" data-version="1"' in listed.text
    html = staff.get(seminar + "/packs/pleniere")
    assert html.status_code == 200
    assert "Comparaison par région" in html.text
    assert 'href="/seminaires/pack.css"' in html.text
    assert staff.get("/seminaires/pack.css").headers["content-type"].startswith("text/css")
    pdf = staff.get(seminar + "/packs/pleniere/pdf?version=1")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_member_reads_the_packs_of_its_groups_and_of_the_plenary_only(
    client: TestClient, session: Session, loaded: Loaded, settings: Settings
) -> None:
    seminar_id = loaded.seminar.id or 0
    for audience in ("strategie", "competences", "pleniere"):
        pack_service.build(
            session, settings, seminar_id=seminar_id, audience=audience, notify=False
        )
    session.flush()
    member = _logged(client, loaded.users[0].email)  # a contact of « strategie »
    page = member.get(f"/seminaires/{seminar_id}")
    assert 'data-pack="strategie"' in page.text
    assert 'data-pack="pleniere"' in page.text
    assert 'data-pack="competences"' not in page.text
    assert "Produire le pack" not in page.text
    assert member.get(f"/seminaires/{seminar_id}/packs/strategie").status_code == 200
    assert member.get(f"/seminaires/{seminar_id}/packs/competences").status_code == 404
    assert member.get(f"/seminaires/{seminar_id}/packs/competences/pdf").status_code == 404
    assert member.get(f"/seminaires/{seminar_id}/packs/formation").status_code == 404
    token = csrf_of(page.text)
    assert (
        member.post(
            f"/seminaires/{seminar_id}/packs/strategie", data={"csrf_token": token}
        ).status_code
        == 404
    )


def test_a_private_goal_is_on_its_cae_s_page_only(
    client: TestClient, session: Session, loaded: Loaded, settings: Settings
) -> None:
    for index in (1, 2, 3):
        roadmap_service.set_goal(
            session,
            loaded.members[index],
            indicator="entrepreneurs",
            target="150",
            day="2027-12-31",
            shared=False,
        )
    session.flush()
    owner = _logged(client, loaded.users[0].email)
    page = owner.get("/feuille-de-route")
    assert "n'a pas encore fixé d'objectif" in page.text
    response = owner.post(
        "/feuille-de-route",
        data={
            "csrf_token": csrf_of(page.text),
            "indicateur": "entrepreneurs",
            "cible": PRIVATE_TARGET,
            "echeance": "2028-12-31",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    mine = owner.get("/feuille-de-route").text
    assert 'data-objectif="entrepreneurs"' in mine
    assert "4\u202f321,0" in mine or "4 321,0" in mine
    assert 'data-indicateur="entrepreneurs"' in mine
    refused = owner.post(
        "/feuille-de-route",
        data={
            "csrf_token": csrf_of(mine),
            "indicateur": "x",
            "cible": "1",
            "echeance": "2028-01-01",
        },
    )
    assert refused.status_code == 400
    # Four CAEs set a goal: the group sees the count, never the private target.
    pack = pack_service.build(
        session, settings, seminar_id=loaded.seminar.id or 0, audience="strategie", notify=False
    )
    session.flush()
    owner.post("/deconnexion", data={"csrf_token": csrf_of(mine)})
    for email in (loaded.staff.email, loaded.users[1].email):
        other = _logged(client, email)
        for url in (
            "/feuille-de-route",
            f"/seminaires/{loaded.seminar.id}/packs/strategie",
            "/groupes",
            f"/seminaires/{loaded.seminar.id}",
        ):
            text = other.get(url).text
            assert PRIVATE_TARGET not in text.replace("\u202f", "").replace(" ", ""), url
            assert "31 décembre 2028" not in text, url
        other.post("/deconnexion", data={"csrf_token": csrf_of(other.get("/groupes").text)})
    assert "31 décembre 2028" not in pack.html
