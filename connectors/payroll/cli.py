"""``cae-hub cles …`` and ``cae-hub paie …``: the CAE's payroll keys and exchanges."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cae_contract.cli import fail
from cae_contract.payroll import Kind, Month
from cae_contract.payroll_keys import b64
from connectors.payroll.bundle import files_of
from connectors.payroll.client import PayrollHub
from connectors.payroll.exchange import receive, send
from connectors.payroll.keystore import KeyStore, Partners
from connectors.sdk.errors import ConfigError
from connectors.sync.config import SyncConfig, load_config

cles_app = typer.Typer(
    help="Clés de paie de la CAE (chiffrement et signature).", no_args_is_help=True
)
paie_app = typer.Typer(help="Échanges chiffrés de paie entre CAE.", no_args_is_help=True)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="Fichier de configuration TOML de la CAE")
]
MandateOption = Annotated[str, typer.Option("--mandat", help="Identifiant du mandat")]


def _config(path: Path) -> SyncConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        fail(error.message)


def _hub(config: SyncConfig) -> PayrollHub:
    return PayrollHub(config.hub.url, config.hub.token, timeout=max(config.hub.timeout, 60))


@cles_app.command("generer")
def generate(
    config: ConfigOption,
    rotation: Annotated[
        bool,
        typer.Option(
            "--rotation", help="Remplacer les clés en vigueur (gardées pour l'historique)"
        ),
    ] = False,
) -> None:
    """Générer les clés de la CAE ici ; la partie privée ne quitte jamais cette machine."""
    settings = _config(config)
    pair = KeyStore.open(settings.data_dir).generate(rotate=rotation)
    typer.echo(
        f"clés générées dans {settings.data_dir} (droits 600) ; empreinte : {pair.fingerprint}"
    )
    typer.echo("publiez-les : cae-hub cles publier ; sauvegardez ce fichier en lieu sûr")


@cles_app.command("publier")
def publish(config: ConfigOption) -> None:
    """Enregistrer les clés publiques de la CAE auprès du hub."""
    settings = _config(config)
    pair = KeyStore.open(settings.data_dir).required()
    answer = _hub(settings).call(
        "PUT",
        "/keys",
        json={
            "encryption_public": b64(pair.encryption_public),
            "signing_public": b64(pair.signing_public),
        },
    )
    if answer["fingerprint"] != pair.fingerprint:
        fail("le hub annonce une autre empreinte que celle de vos clés : publication à vérifier")
    typer.echo(f"clés publiées ; empreinte à communiquer hors ligne : {pair.fingerprint}")


@cles_app.command("empreinte")
def show_fingerprint(config: ConfigOption) -> None:
    """Afficher l'empreinte des clés de la CAE, à comparer avec l'autre CAE."""
    settings = _config(config)
    typer.echo(KeyStore.open(settings.data_dir).required().fingerprint)


@cles_app.command("confirmer")
def confirm(
    config: ConfigOption,
    siren: Annotated[str, typer.Argument(help="SIREN de la CAE partenaire")],
    empreinte: Annotated[str, typer.Argument(help="Empreinte vérifiée avec elle")],
) -> None:
    """Accepter l'empreinte des clés d'une CAE partenaire, vérifiée avec elle hors ligne."""
    settings = _config(config)
    Partners.open(settings.data_dir).confirm(siren, " ".join(empreinte.split()))
    typer.echo(f"empreinte acceptée pour la CAE {siren}")


@cles_app.command("revoquer")
def revoke(
    config: ConfigOption,
    key_id: Annotated[int, typer.Argument(help="Numéro des clés (cae-hub cles liste)")],
) -> None:
    """Révoquer des clés perdues ou compromises : plus rien ne sera accepté signé par elles."""
    settings = _config(config)
    answer = _hub(settings).call("POST", f"/keys/{key_id}/revoke")
    typer.echo(f"clés n° {key_id} révoquées (empreinte {answer['fingerprint']})")


@cles_app.command("liste")
def list_keys(config: ConfigOption) -> None:
    """Les clés de la CAE connues du hub."""
    settings = _config(config)
    for key in _hub(settings).call("GET", "/keys"):
        typer.echo(f"n° {key['id']} · {key['fingerprint']} · {key['status']}")


@paie_app.command("envoyer")
def send_command(
    config: ConfigOption,
    mandat: MandateOption,
    mois: Annotated[str, typer.Option("--mois", help="Mois de paie, AAAA-MM")],
    nature: Annotated[
        str,
        typer.Option(
            "--nature",
            help="variables, bulletins, dsn, dsn_retour, contrats, attestations ou soldes",
        ),
    ] = "variables",
    dossier: Annotated[
        Path | None, typer.Option("--dossier", help="Dossier dont tous les fichiers partent")
    ] = None,
    fichier: Annotated[
        list[Path] | None,
        typer.Option("--fichier", help="Fichier à envoyer (export enDI…), répétable"),
    ] = None,
    verdict: Annotated[
        str | None, typer.Option("--verdict", help="Pour un retour de DSN : accepte ou rejete")
    ] = None,
) -> None:
    """Chiffrer, signer et déposer les fichiers du mois pour l'autre CAE du mandat."""
    settings = _config(config)
    try:
        month, kind = Month.parse(mois), Kind(nature)
    except ValueError as error:
        fail(str(error) if "AAAA" in str(error) else f"nature inconnue : {nature}")
    files = list(fichier or []) + (files_of(dossier) if dossier else [])
    for path in files:
        if not path.is_file():
            fail(f"fichier introuvable : {path}")
    store = KeyStore.open(settings.data_dir)
    partners = Partners.open(settings.data_dir)
    answer = send(
        _hub(settings),
        store,
        partners,
        uid=mandat,
        month=month,
        kind=kind,
        files=files,
        verdict=verdict,
    )
    typer.echo(
        f"{kind.label} de {month} déposés chiffrés : {len(files)} fichier(s), "
        f"{answer['size']} octets, empreinte {answer['sha256'][:16]}…"
    )


@paie_app.command("recevoir")
def receive_command(
    config: ConfigOption,
    mandat: MandateOption,
    dossier: Annotated[Path, typer.Option("--dossier", help="Où écrire les fichiers reçus")],
) -> None:
    """Recevoir ce que l'autre CAE a déposé : vérifier, déchiffrer, accuser réception."""
    settings = _config(config)
    store = KeyStore.open(settings.data_dir)
    store.required()
    received = receive(
        _hub(settings), store, Partners.open(settings.data_dir), uid=mandat, target=dossier
    )
    if not received:
        typer.echo("rien de nouveau à recevoir")
    for payload, written in received:
        typer.echo(
            f"{payload['kind']} de {payload['month']} reçus de la CAE {payload['sender']} : "
            f"{len(written)} fichier(s) dans {written[0].parent if written else dossier}"
        )
