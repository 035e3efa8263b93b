"""``cae-hub formations``: the OPCO request pack of an accepted seat request, written at the
CAE, and the network's pooled catalogue as a LHÉO file.

The hub is named by ``--hub`` (or ``CAE_HUB_URL``); the CAE's token is read from
``CAE_HUB_TOKEN`` or from ``--jeton-fichier``, never from the command line, where other users
of the machine could read it.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import requests
import typer

from cae_contract.cli import CliError
from connectors.formations.pack import (
    check_request,
    read_trainees,
    render_html,
    write_csv,
    write_pdf,
)

formations_app = typer.Typer(
    help="Formations mutualisées : dossier OPCO d'une demande acceptée, export LHÉO du réseau.",
    no_args_is_help=True,
)

HubOption = Annotated[
    str,
    typer.Option("--hub", envvar="CAE_HUB_URL", help="Adresse du hub (ou CAE_HUB_URL)"),
]
TokenFileOption = Annotated[
    Path | None,
    typer.Option(
        "--jeton-fichier", help="Fichier contenant le jeton de la CAE (sinon CAE_HUB_TOKEN)"
    ),
]
TIMEOUT_S = 60


def _token(path: Path | None) -> str:
    if path is not None:
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CliError(f"fichier du jeton illisible ({path}) : {exc.strerror}") from None
    else:
        token = os.environ.get("CAE_HUB_TOKEN", "").strip()
    if not token:
        raise CliError("jeton absent : définissez CAE_HUB_TOKEN ou donnez --jeton-fichier")
    return token


def _get(hub: str, token: str, path: str, *, what: str) -> requests.Response:
    url = hub.rstrip("/") + path
    try:
        response = requests.get(
            url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_S
        )
    except requests.RequestException as exc:
        raise CliError(f"hub injoignable ({hub}) : {type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise CliError(
            "le hub refuse ce jeton : vérifiez qu'il est valide et a le droit trainings:read"
        )
    if response.status_code == 404:
        raise CliError(f"{what} introuvable sur le hub")
    if response.status_code != 200:
        raise CliError(f"le hub a répondu {response.status_code} pour {what}")
    return response


@formations_app.command("dossier-opco")
def dossier_opco(
    demande: Annotated[
        int, typer.Option("--demande", min=1, help="Numéro de la demande de places")
    ],
    stagiaires: Annotated[
        Path, typer.Option("--stagiaires", help="CSV des stagiaires (colonnes nom;prenom)")
    ],
    sortie: Annotated[Path, typer.Option("--sortie", help="Dossier où écrire le PDF et le CSV")],
    hub: HubOption = "http://127.0.0.1:8000",
    jeton_fichier: TokenFileOption = None,
) -> None:
    """Préparer le dossier OPCO (PDF et CSV) d'une demande acceptée, stagiaires compris.

    Les noms des stagiaires sont lus dans le CSV de la CAE et ne sont jamais envoyés au hub.
    """
    trainees = read_trainees(stagiaires)
    response = _get(
        hub,
        _token(jeton_fichier),
        f"/v1/trainings/requests/{demande}",
        what=f"la demande {demande}",
    )
    request: dict[str, Any] = response.json()
    check_request(request, trainees)
    try:
        sortie.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(
            f"dossier de sortie impossible à créer ({sortie}) : {exc.strerror}"
        ) from None
    stem = f"dossier-opco-demande-{demande}"
    pdf, table = sortie / f"{stem}.pdf", sortie / f"{stem}.csv"
    write_pdf(pdf, render_html(request, trainees, on=date.today()))
    write_csv(table, request, trainees)
    typer.echo(f"dossier OPCO écrit : {pdf} et {table} ({len(trainees)} stagiaire(s))")


@formations_app.command("exporter")
def exporter(
    sortie: Annotated[Path, typer.Option("--sortie", help="Fichier LHÉO à écrire")],
    hub: HubOption = "http://127.0.0.1:8000",
    jeton_fichier: TokenFileOption = None,
) -> None:
    """Écrire l'offre mutualisée du réseau dans un fichier LHÉO 2.3."""
    response = _get(
        hub, _token(jeton_fichier), "/v1/trainings/export.lheo.xml", what="l'offre mutualisée"
    )
    try:
        sortie.write_bytes(response.content)
    except OSError as exc:
        raise CliError(f"écriture impossible ({sortie}) : {exc.strerror}") from None
    typer.echo(f"offre mutualisée écrite : {sortie} ({len(response.content)} octets)")
