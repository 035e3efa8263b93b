"""``cae-hub schemas``: check and pin the published schemas."""

from __future__ import annotations

import typer

from cae_contract.cli import fail
from cae_contract.registry import SCHEMAS_DIR, SchemaRegistry

schemas_app = typer.Typer(help="Registre des schémas JSON.", no_args_is_help=True)


def _registry() -> SchemaRegistry:
    return SchemaRegistry(SCHEMAS_DIR)


@schemas_app.command("check")
def schemas_check() -> None:
    """Vérifier chaque schéma : méta-schéma, références, exemples, compatibilité, empreintes."""
    registry = _registry()
    problems = registry.check()
    for problem in problems:
        typer.echo(f"- {problem}", err=True)
    if problems:
        fail(f"{len(problems)} problème(s) dans le registre des schémas")
    count = sum(1 for _ in registry.all())
    if count == 0:
        fail(f"aucun schéma publié trouvé dans {registry.root} : l'installation est incomplète")
    typer.echo(f"{count} schéma(s) publiés vérifiés : tout est conforme")


@schemas_app.command("pin")
def schemas_pin() -> None:
    """Épingler les nouvelles versions dans le manifeste (jamais une version déjà publiée)."""
    try:
        added = _registry().pin()
    except ValueError as exc:
        fail(str(exc))
    typer.echo("épinglé : " + ", ".join(added) if added else "rien de nouveau à épingler")
