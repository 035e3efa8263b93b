"""The e-mails of seat pooling reach a real SMTP server on loopback, in French, with both
parts and the link to the right dashboard page."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from hub.mail.service import mail_service
from hub.trainings.pooling import pooling_service
from hub.trainings.schemas import Decision, SeatDecision, SeatRequestCreate
from hub.trainings.service import catalogue_service, offer_service
from tests.databases import settings_for
from tests.factories import create_member
from tests.mail.smtp import mail_settings, smtp_server
from tests.trainings.catalogues import example


def test_a_request_and_its_acceptance_arrive_in_french(session: Session, engine: Engine) -> None:
    offerer = create_member(session, name="Coop'Toits Lyonnais")
    requester = create_member(session, name="Bâtir Ensemble Gironde")
    catalogue_service.store(session, offerer, catalogue_service.prepare(example()))
    [offer] = [
        o
        for o in offer_service.browse(session, caller=requester, staff=False).items
        if o.member_siren == offerer.siren
    ]
    with smtp_server() as (inbox, port):
        settings = mail_settings(settings_for(str(engine.url)), port)
        made = pooling_service.request_seats(
            session,
            requester,
            offer.id,
            SeatRequestCreate(places=2, reference="BEG-2027-04"),
            settings=settings,
        )
        pooling_service.decide(
            session, offerer, made.id, SeatDecision(decision=Decision.ACCEPT), settings=settings
        )
        while mail_service.deliver(session, settings).sent:
            pass

    [asked] = [m for m in inbox.messages if offerer.contact_email in m.recipients]
    [answered] = [m for m in inbox.messages if requester.contact_email in m.recipients]
    assert asked.message["Subject"] == "Demande de 2 place(s) — Sécurité sur toiture"
    assert answered.message["Subject"] == (
        "Votre demande de places : acceptée — Sécurité sur toiture"
    )
    for received, page in ((asked, "demandes-recues"), (answered, "demandes")):
        plain = received.message.get_body(preferencelist=("plain",))
        html = received.message.get_body(preferencelist=("html",))
        assert plain is not None and html is not None
        text = plain.get_content()
        assert text.startswith("Bonjour,")
        assert "BEG-2027-04" in text
        assert f"https://hub.federation.example/formations/{page}" in text
        assert '<html lang="fr">' in html.get_content()
    assert (
        "Bâtir Ensemble Gironde demande 2 place(s)"
        in asked.message.get_body(preferencelist=("plain",)).get_content()
    )
