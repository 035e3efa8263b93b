"""The OPCO request pack: the hub's data on an accepted seat request, merged at the CAE with
its trainees (names read from a local CSV), written as a CSV and a PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import escape

from cae_contract.cli import CliError
from cae_contract.format import fr_eur

NAME_COLUMNS = ("nom", "prenom")
MAX_TRAINEES = 1000


@dataclass(frozen=True, slots=True)
class Trainee:
    nom: str
    prenom: str


def _header(cell: str) -> str:
    return cell.strip().lower().replace("é", "e").lstrip("\ufeff")


def read_trainees(path: Path) -> list[Trainee]:
    """The trainees of a CSV with columns ``nom`` and ``prenom`` (``;`` or ``,``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"liste des stagiaires illisible ({path}) : {exc}") from None
    try:
        dialect: Any = csv.Sniffer().sniff(text.splitlines()[0] if text else "", ";,")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise CliError(f"liste des stagiaires vide : {path}")
    header = [_header(cell) for cell in rows[0]]
    missing = [name for name in NAME_COLUMNS if name not in header]
    if missing:
        raise CliError(
            f"liste des stagiaires {path} : colonne(s) {', '.join(missing)} absente(s) "
            "(en-tête attendu : nom;prenom)"
        )
    at = {name: header.index(name) for name in NAME_COLUMNS}
    trainees: list[Trainee] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            nom, prenom = row[at["nom"]].strip(), row[at["prenom"]].strip()
        except IndexError:
            raise CliError(
                f"liste des stagiaires {path}, ligne {number} : colonne manquante"
            ) from None
        if not nom or not prenom:
            raise CliError(f"liste des stagiaires {path}, ligne {number} : nom ou prénom vide")
        trainees.append(Trainee(nom, prenom))
    if not trainees:
        raise CliError(f"liste des stagiaires vide : {path}")
    if len(trainees) > MAX_TRAINEES:
        raise CliError(f"liste des stagiaires {path} : plus de {MAX_TRAINEES} lignes")
    return trainees


def _day(text: str | None) -> str:
    if not text or text in {"00000000", "99999999"}:
        return "à préciser"
    return date(int(text[:4]), int(text[4:6]), int(text[6:])).strftime("%d/%m/%Y")


def check_request(request: Mapping[str, Any], trainees: list[Trainee]) -> None:
    """The request must be the CAE's own, accepted, with a seat for every trainee."""
    if request.get("sens") != "faite":
        raise CliError(f"la demande {request['id']} n'a pas été faite par votre CAE")
    if request.get("statut") != "acceptee":
        raise CliError(
            f"la demande {request['id']} n'est pas acceptée (statut : {request.get('statut')})"
        )
    seats = int(request["places_accordees"])
    if len(trainees) > seats:
        raise CliError(
            f"{len(trainees)} stagiaires pour {seats} place(s) accordée(s) : retirez des lignes "
            "ou demandez d'autres places"
        )


def facts(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The pack's facts about the training, as (label, value) lines."""
    offer = request["session"]
    trainer = offer.get("organisme_formateur") or {}
    price = offer.get("prix_membre")
    if price is None:
        price = offer.get("prix_total_ttc")
    lines = [
        ("Formation", offer["intitule"]),
        ("Objectif", offer["objectif"]),
        ("Formation certifiante", "oui" if offer["certifiante"] else "non"),
        ("Formacodes", ", ".join(offer.get("formacodes") or []) or "—"),
        ("Session", f"n° {offer['numero']}, du {_day(offer['debut'])} au {_day(offer['fin'])}"),
        ("Durée", f"{offer['duree_heures']} heures" if offer.get("duree_heures") else "—"),
        ("Coût par stagiaire", fr_eur(price, 2) if price is not None else "—"),
        ("Organisme de formation", trainer.get("raison_sociale", "—")),
        ("SIRET de l'organisme", trainer.get("siret", "—")),
        ("Numéro de déclaration d'activité", trainer.get("numero_activite") or "—"),
        (
            "Certificat Qualiopi",
            f"{trainer['qualiopi_reference']}, valable jusqu'au "
            f"{_day(trainer.get('qualiopi_expiration'))}"
            if trainer.get("qualiopi_reference")
            else "—",
        ),
        ("CAE qui accueille", f"{request['offreur']['nom']} (SIREN {request['offreur']['siren']})"),
        ("CAE employeur", f"{request['demandeur']['nom']} (SIREN {request['demandeur']['siren']})"),
        ("Référence interne", request["reference"]),
        ("Places accordées", str(request["places_accordees"])),
    ]
    funding = request.get("estimation_opco")
    if funding:
        lines += [
            (
                "Estimation de prise en charge",
                f"{funding['opco']} {funding['annee']}, tranche « {funding['tranche_libelle']} », "
                f"action {funding['nature'].replace('_', ' ')}",
            ),
            (
                "Coûts pédagogiques pris en charge",
                fr_eur(funding["cout_pedagogique_pris_en_charge"], 2),
            ),
            ("Frais de salaire pris en charge", fr_eur(funding["frais_salaire_pris_en_charge"], 2)),
            ("Total estimé", fr_eur(funding["total"], 2)),
            ("Source des règles", f"{funding['source']['titre']} — {funding['source']['url']}"),
        ]
    else:
        lines.append(
            (
                "Estimation de prise en charge",
                "non calculée (effectif de la CAE non donné dans la demande, ou durée inconnue)",
            )
        )
    return lines


def write_csv(path: Path, request: Mapping[str, Any], trainees: list[Trainee]) -> None:
    """One line per trainee with the training's facts, for the OPCO's online form."""
    offer = request["session"]
    trainer = offer.get("organisme_formateur") or {}
    funding = request.get("estimation_opco") or {}
    per_trainee = (
        round(funding["total"] / funding["stagiaires"], 2) if funding.get("stagiaires") else ""
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "nom",
                "prenom",
                "formation",
                "session",
                "debut",
                "fin",
                "heures",
                "organisme_siret",
                "organisme_nda",
                "qualiopi",
                "reference",
                "estimation_par_stagiaire_eur",
            ]
        )
        for trainee in trainees:
            writer.writerow(
                [
                    trainee.nom,
                    trainee.prenom,
                    offer["intitule"],
                    offer["numero"],
                    _day(offer["debut"]),
                    _day(offer["fin"]),
                    offer.get("duree_heures") or "",
                    trainer.get("siret", ""),
                    trainer.get("numero_activite") or "",
                    trainer.get("qualiopi_reference") or "",
                    request["reference"],
                    per_trainee,
                ]
            )


STYLE = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: "page " counter(page); } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 15pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.4pt solid #888; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; width: 38%; }
p.note { font-size: 8.5pt; color: #444; }
"""


def render_html(request: Mapping[str, Any], trainees: list[Trainee], *, on: date) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in facts(request)
    )
    people = "".join(
        f"<tr><td>{n}</td><td>{escape(t.nom)}</td><td>{escape(t.prenom)}</td></tr>"
        for n, t in enumerate(trainees, start=1)
    )
    title = f"Dossier de demande de prise en charge OPCO — {request['session']['intitule']}"
    return (
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>{escape(title)}"
        f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>Préparé le {on.strftime('%d/%m/%Y')} par {escape(request['demandeur']['nom'])} "
        f"pour la demande de places n° {request['id']}.</p>"
        f"<h2>La formation</h2><table>{rows}</table>"
        f"<h2>Les stagiaires ({len(trainees)})</h2><table><thead><tr><th scope='col'>n°</th>"
        f"<th scope='col'>Nom</th><th scope='col'>Prénom</th></tr></thead><tbody>{people}"
        "</tbody></table><p class='note'>Les noms des stagiaires viennent de la liste tenue par "
        "la CAE ; ils n'ont jamais été transmis au hub de la fédération. L'estimation suit les "
        "règles publiées par l'OPCO pour l'année indiquée : le montant accordé est celui de "
        "l'OPCO.</p></body></html>"
    )


def write_pdf(path: Path, html: str) -> None:
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        raise CliError(
            "écriture du PDF impossible : installez cae-hub[pdf] (WeasyPrint, avec Pango)"
        ) from None
    HTML(string=html).write_pdf(path)
