"""Training catalogues as a network of building-sector CAEs would send them: generated from a
seed, valid against ``training-catalogue`` 1.0.0, with the variety of real catalogues (trades,
towns, modalities, pooled seats on some sessions, unknown end dates on others)."""

from __future__ import annotations

import random
from typing import Any

from cae_contract.lheo import write_lheo

# (code postal, ville, département, région): towns where building CAEs train.
TOWNS = (
    ("69007", "Lyon", "69", "84"),
    ("38000", "Grenoble", "38", "84"),
    ("63000", "Clermont-Ferrand", "63", "84"),
    ("44000", "Nantes", "44", "52"),
    ("35000", "Rennes", "35", "53"),
    ("33000", "Bordeaux", "33", "75"),
    ("31000", "Toulouse", "31", "76"),
    ("34000", "Montpellier", "34", "76"),
    ("59000", "Lille", "59", "32"),
    ("67000", "Strasbourg", "67", "44"),
    ("13001", "Marseille", "13", "93"),
    ("21000", "Dijon", "21", "27"),
    ("37000", "Tours", "37", "24"),
    ("76000", "Rouen", "76", "28"),
    ("75011", "Paris", "75", "11"),
)
# (intitulé, Formacode, NSF, métiers NAF servis)
SUBJECTS = (
    ("Sécurité sur toiture", "42854", "232", ("43.91A", "43.91B")),
    ("Devis et chiffrage d'un chantier", "32054", "310", ("41.20A", "43.99C")),
    ("Pose de menuiseries extérieures", "22454", "234", ("43.32A",)),
    ("Isolation thermique par l'extérieur", "22618", "233", ("43.29A", "43.34Z")),
    ("Habilitation électrique BR", "24049", "255", ("43.21A",)),
    ("Plomberie et chauffage : pompes à chaleur", "22664", "227", ("43.22A", "43.22B")),
    ("Carrelage et chape", "22690", "233", ("43.33Z",)),
    ("Peinture et revêtements muraux", "22679", "233", ("43.34Z",)),
    ("Gestion d'une entreprise du bâtiment", "32032", "310", ("41.20B", "43.99D")),
    ("Travail en hauteur et échafaudages", "42866", "344", ("43.99A", "43.99D")),
    ("Rénovation énergétique : label RGE", "22628", "227", ("43.29A", "71.12B")),
    ("Maçonnerie en pierre sèche", "22419", "232", ("43.99C",)),
)
TEACHING = ("présentiel", "mixte", "à distance")


def catalogue(prefix: str, sessions: int, *, seed: int = 0) -> dict[str, Any]:
    """One CAE's catalogue with ``sessions`` sessions; every numero starts with ``prefix``."""
    draw = random.Random(f"{prefix}:{seed}")
    formations: list[dict[str, Any]] = []
    left = sessions
    while left > 0:
        count = min(left, draw.randint(3, 7))
        formations.append(_formation(draw, prefix, len(formations), count))
        left -= count
    return {"formations": formations}


def network(cae_count: int, sessions_each: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """The catalogues of ``cae_count`` CAEs (prefixes ``C000-`` …)."""
    return [catalogue(f"C{n:03d}-", sessions_each, seed=seed) for n in range(cae_count)]


def lheo_file(sessions: int, *, seed: int = 0) -> bytes:
    """A LHÉO 2.3 file of one CAE's catalogue with ``sessions`` sessions."""
    return write_lheo([catalogue("F", sessions, seed=seed)])


def _address(town: tuple[str, str, str, str], line: str) -> dict[str, Any]:
    code, city, departement, region = town
    return {
        "lignes": [line],
        "code_postal": code,
        "ville": city,
        "departement": departement,
        "region": region,
    }


def _formation(draw: random.Random, prefix: str, number: int, sessions: int) -> dict[str, Any]:
    title, formacode, nsf, trades = SUBJECTS[number % len(SUBJECTS)]
    town = draw.choice(TOWNS)
    siret = f"{draw.randrange(10**8, 10**9)}{draw.randrange(10**4, 10**5)}"
    nda = f"{town[2]}{draw.randrange(10**8, 10**9)}"
    home = _address(town, f"{draw.randint(1, 120)} rue des Artisans")
    numero = f"{prefix}F{number:05d}"
    hours = draw.choice((7, 14, 21, 35))
    actions: list[dict[str, Any]] = []
    split = [sessions] if sessions < 5 else [sessions // 2, sessions - sessions // 2]
    for a, count in enumerate(split):
        mode = draw.randrange(len(TEACHING))
        action: dict[str, Any] = {
            "numero": f"{numero}-A{a}",
            "public_vise": ["80056"],
            "info_public_vise": "Entrepreneurs-salariés et associés des CAE du bâtiment",
            "rythme": draw.choice(("Temps plein", "Temps partiel", "Soirs et samedis")),
            "niveau_entree_obligatoire": False,
            "modalites_alternance": "Sans objet",
            "modalites_enseignement": mode,
            "conditions_specifiques": "Aucune",
            "prise_en_charge_frais_possible": True,
            "entrees_sorties_permanentes": False,
            "lieux": [{**home, "denomination": "Plateau technique"}],
            "duree_heures": hours,
            "prix_total_ttc": float(hours * draw.choice((25, 30, 35))),
            "organisme_formateur": {
                "siret": siret,
                "raison_sociale": f"SCOP {title.split()[0]} et compagnie",
                "numero_activite": nda,
                "qualiopi": {"reference": f"QUALIOPI-2025-{number:04d}", "expiration": "20281231"},
            },
            "financeurs": [{"code": "4", "places": draw.randint(2, 8)}],
            "sessions": [],
        }
        for s in range(count):
            month = 1 + (number + a + s) % 12
            day = 1 + draw.randrange(27)
            session: dict[str, Any] = {
                "numero": f"{numero}-A{a}-S{s}",
                "debut": f"2027{month:02d}{day:02d}",
                "fin": f"2027{month:02d}{day + 1:02d}" if s % 6 else "99999999",
                "adresse_inscription": home,
                "etat_recrutement": 1,
            }
            if s % 3 != 2:
                session["mutualisation"] = {
                    "places_offertes": draw.randint(1, 6),
                    "prix_membre": float(hours * 20),
                    "date_limite_inscription": f"2027{month:02d}01",
                }
            action["sessions"].append(session)
        actions.append(action)
    return {
        "numero": numero,
        "intitule": title,
        "objectif": f"{title} : savoir-faire et règles de l'art pour les chantiers de la CAE.",
        "resultats_attendus": "Appliquer les règles de l'art et les consignes de sécurité.",
        "contenu": "Apports théoriques, études de cas issus des chantiers, mises en situation.",
        "formacodes": [formacode],
        "nsf": [nsf],
        "certifiante": False,
        "niveau_entree": 1,
        "parcours": 1,
        "contact": {"nom": "Service formation", "courriel": f"formation{number}@cae.example"},
        "organisme_responsable": {
            "numero_activite": nda,
            "siret": siret,
            "nom": f"CAE {town[1]}",
            "raison_sociale": f"SCOP CAE {town[1]}",
            "adresse": home,
        },
        "metiers": list(trades),
        "actions": actions,
    }
