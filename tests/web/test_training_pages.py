"""The training pool's pages, server side: who sees which page, the requests received by the
offering CAE, refusals of bad choices in French."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hub.trainings.models import TrainingSession
from hub.trainings.pooling import pooling_service
from hub.trainings.schemas import SeatRequestCreate
from hub.trainings.service import catalogue_service
from tests.databases import settings_for
from tests.factories import create_member
from tests.trainings.catalogues import example
from tests.web.conftest import Loaded


def _offer_and_ask(session: Session, loaded: Loaded) -> int:
    """The member CAE offers the roofing session; another CAE asks 3 seats on it."""
    catalogue_service.store(session, loaded.member, catalogue_service.prepare(example()))
    offered = [
        row
        for row in session.exec(
            select(TrainingSession).where(TrainingSession.member_id == loaded.member.id)
        )
        if row.seats_offered
    ]
    asker = create_member(session, name="CAE des Charpentiers")
    assert offered[0].id is not None
    settings = settings_for("sqlite://")
    made = pooling_service.request_seats(
        session,
        asker,
        offered[0].id,
        SeatRequestCreate(places=3, reference="CH-2027-3"),
        settings=settings,
    )
    session.flush()
    return made.id


def test_the_offering_cae_sees_its_offer_and_the_request_received(
    member_client: TestClient, session: Session, loaded: Loaded
) -> None:
    request_id = _offer_and_ask(session, loaded)

    page = member_client.get("/formations/demandes-recues")

    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>Mes offres et les demandes reçues</h1>" in html
    offers = html.split('class="offres"')[1].split("</table>")[0]
    assert "Sécurité sur toiture" in offers
    row = html.split(f'data-demande="{request_id}"')[1].split("</tr>")[0]
    assert "CAE des Charpentiers" in row and "CH-2027-3" in row
    assert "en attente de réponse" in row
    assert 'href="/formations" aria-current="page"' in html


def test_the_pooling_activity_is_a_staff_page(member_client: TestClient) -> None:
    assert member_client.get("/mutualisation").status_code == 404


def test_requests_pages_are_member_pages(staff_client: TestClient) -> None:
    assert staff_client.get("/formations/demandes").status_code == 404
    assert staff_client.get("/formations/demandes-recues").status_code == 404
    assert staff_client.get("/formations").status_code == 200


def test_bad_choices_are_refused_in_french(staff_client: TestClient) -> None:
    # Pages answer a bad choice with 400 and a French page, as the other dashboard pages do.
    assert "Semestre inconnu" in staff_client.get("/mutualisation?periode=2027-S3").text
    assert staff_client.get("/mutualisation?periode=2027").status_code == 400
    assert staff_client.get("/mutualisation?format=pdf").status_code == 400
    assert staff_client.get("/formations?modalite=7").status_code == 400
    assert staff_client.get("/formations?metier=99.99Z").status_code == 400
