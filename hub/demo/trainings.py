"""The demonstration's training pool: catalogues of a few demo CAEs with sessions offered to
the network, seat requests in every state, and one OPCO request pack written at the CAE that
asked (in its folder, with trainees from its own files: their names never enter the hub).

Run again, it changes nothing: the catalogues come back unchanged and the requests carry
idempotency keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from cae_contract.cli import CliError
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from connectors.formations.pack import Trainee, render_html, write_csv, write_pdf
from hub.config import Settings
from hub.db import session_scope
from hub.demo.model import DemoCae, DemoFederation
from hub.members.models import Member
from hub.members.service import member_service
from hub.trainings.pooling import pooling_service
from hub.trainings.schemas import Decision, SeatDecision, SeatRequestCreate
from hub.trainings.service import catalogue_service, offer_service


@dataclass(frozen=True)
class DemoTraining:
    code: str
    title: str
    objective: str
    content: str
    formacode: str
    trades: tuple[str, ...]
    hours: int
    price: float
    member_price: float
    seats: int
    qualifying: bool


TRAININGS = (
    DemoTraining(
        "TOIT",
        "Sécurité sur toiture et travail en hauteur",
        "Travailler en sécurité sur une toiture : prévenir les chutes de hauteur.",
        "Réglementation, protections collectives et individuelles, exercices sur maquette.",
        "42854",
        ("43.91A", "43.91B"),
        14,
        420.0,
        300.0,
        4,
        False,
    ),
    DemoTraining(
        "DEVIS",
        "Devis et chiffrage d'un chantier de rénovation",
        "Chiffrer un chantier de rénovation et rédiger un devis conforme.",
        "Métré, déboursé sec, frais généraux, marge, mentions obligatoires du devis.",
        "32062",
        ("43.32A", "43.34Z", "43.39Z"),
        21,
        630.0,
        450.0,
        6,
        False,
    ),
    DemoTraining(
        "ITE",
        "Isolation thermique par l'extérieur : mise en œuvre",
        "Poser un système d'isolation thermique par l'extérieur dans les règles de l'art.",
        "Diagnostic du support, choix du système, pose, traitement des points singuliers.",
        "22454",
        ("43.29A", "43.99A"),
        35,
        1190.0,
        900.0,
        3,
        True,
    ),
)


def _siret(siren: str) -> str:
    """The SIRET of the head office (NIC 0001x, Luhn check digit)."""
    body = f"{siren}0001"
    for last in range(10):
        digits = [int(c) for c in body + str(last)]
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 1 else d
            for i, d in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return body + str(last)
    raise AssertionError("unreachable")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def catalogue_of(
    cae: DemoCae, training: DemoTraining, *, anchor: date, number: int
) -> dict[str, Any]:
    """A catalogue of one formation, its action at the CAE and two sessions from ``anchor`` on
    (the first offered to the network)."""
    departement = cae.profile.departements[0]
    annotations = get_registry().code_annotations("code-departement")
    region = str(annotations.get(departement, {}).get("x-region", cae.profile.region))
    place = {
        "lignes": ["Locaux de la coopérative"],
        "code_postal": f"{departement}000"[:5],
        "ville": "Siège de la CAE",
        "departement": departement,
        "region": region,
    }
    siret = _siret(cae.siren)
    provider = {"siret": siret, "raison_sociale": cae.name}
    nda = f"{region}{departement}{cae.siren[:7]}"[:11].ljust(11, "0")
    first = anchor + timedelta(days=7 + 14 * number)
    second = first + timedelta(days=91)
    sessions = []
    for index, start in enumerate((first, second), start=1):
        session: dict[str, Any] = {
            "numero": f"S-{training.code}-{start.year}-{index:02d}",
            "debut": _day(start),
            "fin": _day(start + timedelta(days=max(1, training.hours // 7) - 1)),
            "adresse_inscription": place,
            "etat_recrutement": 1,
        }
        if index == 1:
            session["mutualisation"] = {
                "places_offertes": training.seats,
                "prix_membre": training.member_price,
                "date_limite_inscription": _day(start - timedelta(days=10)),
            }
        sessions.append(session)
    return {
        "formations": [
            {
                "numero": f"F-{training.code}",
                "intitule": training.title,
                "objectif": training.objective,
                "resultats_attendus": training.objective,
                "contenu": training.content,
                "formacodes": [training.formacode],
                "certifiante": training.qualifying,
                "niveau_entree": 1,
                "contact": {
                    "nom": "Service formation",
                    "courriel": f"formation@{cae.slug}.example",
                },
                "organisme_responsable": {
                    **provider,
                    "numero_activite": nda,
                    "nom": cae.name,
                    "adresse": place,
                },
                "metiers": list(training.trades),
                "actions": [
                    {
                        "numero": f"A-{training.code}-{departement}",
                        "public_vise": ["80056"],
                        "info_public_vise": "Entrepreneurs-salariés des CAE du bâtiment",
                        "modalites_enseignement": 0,
                        "lieux": [{**place, "denomination": "Salle de formation"}],
                        "duree_heures": training.hours,
                        "prix_total_ttc": training.price,
                        "organisme_formateur": {
                            **provider,
                            "numero_activite": nda,
                            "qualiopi": {
                                "reference": f"QUALIOPI-{anchor.year - 1}-{cae.siren[-4:]}",
                                "expiration": _day(date(anchor.year + 2, 12, 31)),
                            },
                        },
                        "sessions": sessions,
                    }
                ],
            }
        ]
    }


# (asking CAE, offering CAE, seats, what the offering CAE answers)
REQUESTS: tuple[tuple[int, int, int, Decision | None, int | None], ...] = (
    (1, 0, 2, Decision.ACCEPT, None),
    (2, 0, 2, Decision.WAITLIST, None),
    (0, 1, 3, Decision.ACCEPT, 2),
    (2, 1, 1, None, None),
    (0, 2, 2, Decision.DECLINE, None),
)


def load_trainings(
    engine: Engine, federation: DemoFederation, settings: Settings, folder: Path, *, on: date
) -> str:
    """Catalogues, requests and one OPCO pack; a French line saying what is there.

    Sessions start in the next semester, so that the catalogues stay the same (and nothing
    is sent twice) whenever the demonstration runs again within a semester.
    """
    caes = federation.caes[: len(TRAININGS)]
    if len(caes) < len(TRAININGS):
        return "mutualisation des formations : trop peu de CAE dans la démonstration"
    anchor = Period.semester_of(on).following().start
    with session_scope(engine) as session:
        members = [member_service.get_by_siren(session, cae.siren) for cae in caes]
        for number, (cae, member, training) in enumerate(
            zip(caes, members, TRAININGS, strict=True)
        ):
            document = catalogue_of(cae, training, anchor=anchor, number=number)
            catalogue_service.store(session, member, catalogue_service.prepare(document))
        for index, (asking, offering, seats, decision, granted) in enumerate(REQUESTS):
            made = pooling_service.request_seats(
                session,
                members[asking],
                _offered_session(session, members[offering]),
                SeatRequestCreate(
                    places=seats, reference=f"DEMO-{anchor.year}-{index + 1:03d}", effectif=8
                ),
                settings=settings,
                idempotency_key=f"demo-formations-{anchor}-{index}",
            )
            if decision is not None and made.statut == "en_attente":
                pooling_service.decide(
                    session,
                    members[offering],
                    made.id,
                    SeatDecision(decision=decision, places=granted),
                    settings=settings,
                )
        made_by = pooling_service.listing(
            session, members[1], settings=settings, direction="faites"
        )
        accepted = [r for r in made_by.items if r.statut == "acceptee"]
        pack = "aucune demande acceptée"
        if accepted:
            request = accepted[0].model_dump(mode="json")
            pack = _write_pack(folder / caes[1].slug / "dossier-opco", caes[1], request, on)
    return (
        f"mutualisation des formations : {len(TRAININGS)} catalogues, {len(REQUESTS)} demandes "
        f"de places ; {pack}"
    )


def _offered_session(session: Session, member: Member) -> int:
    """The id of the session the member offers to the network."""
    found = offer_service.browse(session, caller=member, staff=False, per_page=100)
    [offer] = [o for o in found.items if o.own and o.offered]
    return offer.id


def _write_pack(target: Path, cae: DemoCae, request: dict[str, Any], on: date) -> str:
    """The pack the asking CAE writes with ``cae-hub formations dossier-opco``, trainees taken
    from its own files."""
    trainees = [
        Trainee(p.last_name, p.first_name) for p in cae.people[: request["places_accordees"]]
    ]
    target.mkdir(parents=True, exist_ok=True)
    stem = target / f"dossier-opco-demande-{request['id']}"
    write_csv(stem.with_suffix(".csv"), request, trainees)
    try:
        write_pdf(stem.with_suffix(".pdf"), render_html(request, trainees, on=on))
    except CliError as exc:
        return f"dossier OPCO en CSV seulement ({exc}) : {stem.with_suffix('.csv')}"
    return f"exemple de dossier OPCO : {stem.with_suffix('.pdf')}"
