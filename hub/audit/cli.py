"""``cae-hub audit``: make the signing key, sign a checkpoint, check the whole trail."""

from __future__ import annotations

import typer
from sqlmodel import Session

from cae_contract.cli import fail
from hub.audit.service import audit_service
from hub.audit.signing import new_key_text
from hub.cli import load_settings, open_engine, unit_of_work
from hub.migrate import current_revision, head_revision

audit_app = typer.Typer(
    help="Piste d'audit : clé de signature, points de contrôle, vérification.",
    no_args_is_help=True,
)


@audit_app.command("init-key")
def init_key() -> None:
    """Générer une clé de signature Ed25519 (à placer dans l'environnement, jamais journalisée)."""

    typer.echo(f"HUB_AUDIT_SIGNING_KEY={new_key_text()}")
    typer.echo(
        "placez cette ligne dans l'environnement du hub (fichier .env ou hub.env lisible par "
        "le seul service) ; gardez-en une copie sûre : sans elle, les anciennes signatures "
        "ne peuvent plus être vérifiées",
        err=True,
    )


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Signer maintenant un point de contrôle sur le dernier événement."""

    audit_service.configure(load_settings())
    with unit_of_work() as session:
        made = audit_service.checkpoint(session)
        if made is None:
            typer.echo("rien de neuf : le dernier événement est déjà couvert")
        else:
            typer.echo(f"point de contrôle signé sur l'événement n° {made.sequence}")


@audit_app.command("verify")
def verify() -> None:
    """Vérifier toute la piste : empreintes, chaînage et signatures des points de contrôle."""

    settings = load_settings()
    audit_service.configure(settings)
    engine = open_engine(settings)
    try:
        if current_revision(engine) != head_revision():
            fail("la base n'est pas à jour : lancez « cae-hub db upgrade »")
        # A reading transaction: the hub keeps writing (appending) while the chain is checked.
        with Session(engine) as session:
            result = audit_service.verify(session)
    finally:
        engine.dispose()
    if result.intact:
        typer.echo(result.sentence())
        return
    typer.echo(f"erreur : {result.sentence()}", err=True)
    for problem in result.problems[1:]:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)
