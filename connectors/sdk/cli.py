"""``cae-hub connectors``: list the installed connectors, print a connector's guide, check a
source, run the conformance suite on a connector and its configuration."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from cae_contract.cli import fail
from cae_contract.periods import Period, today
from connectors.sdk.base import parse_periods
from connectors.sdk.errors import ConfigError, ConnectorError
from connectors.sdk.registry import discover, load
from connectors.sdk.testing import Conformance

connectors_app = typer.Typer(
    help="Connecteurs : liste, guide, vérification, tests.", no_args_is_help=True
)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        help="Configuration du connecteur (TOML ou JSON), ou fichier du client de synchronisation",
        dir_okay=False,
    ),
]
NameArgument = Annotated[str, typer.Argument(help="Nom du connecteur (voir « list »)")]


def _fail(message: str) -> NoReturn:
    fail(message)


def read_config(path: Path, name: str) -> dict[str, Any]:
    """The configuration of connector ``name`` from a TOML or JSON file: either the
    configuration itself, or a sync client's file (its ``[connector.config]`` table)."""
    if not path.is_file():
        raise ConfigError(f"fichier de configuration introuvable : {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"fichier de configuration illisible : {path}", detail=str(error)
        ) from error
    try:
        if path.suffix.lower() == ".json":
            data: Any = json.loads(text)
        elif path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            raise ConfigError(f"{path.name} : configuration en .toml ou .json attendue")
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path.name} : syntaxe incorrecte ({error})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} : un objet (des clés et des valeurs) est attendu")
    section = data.get("connector")
    if isinstance(section, dict) and "name" in section:
        if section["name"] != name:
            raise ConfigError(
                f"{path.name} : connector.name vaut « {section['name']} », pas « {name} »"
            )
        config = section.get("config", {})
        if not isinstance(config, dict):
            raise ConfigError(f"{path.name} : connector.config doit être une table")
        return config
    return data


def default_period() -> str:
    """The last finished semester."""

    return str(Period.last_closed_semester(today()))


@connectors_app.command("list")
def list_connectors() -> None:
    """Lister les connecteurs installés, leur version, et ceux qui ne se chargent pas."""

    loaded, broken = discover()
    if not loaded and not broken:
        _fail("aucun connecteur installé")
    for name in sorted({*loaded, *broken}):
        if name in loaded:
            connector = loaded[name]
            typer.echo(f"{name} {connector.version} : {connector.title}")
        else:
            typer.echo(f"{name} : inutilisable, {broken[name]}")
    if any(connector.guide() is not None for connector in loaded.values()):
        typer.echo("Guide d'un connecteur : cae-hub connectors doc NOM")
    if broken:
        _fail(f"{len(broken)} connecteur(s) inutilisable(s) : {', '.join(sorted(broken))}")


@connectors_app.command("doc")
def connector_guide(name: NameArgument) -> None:
    """Afficher le guide du connecteur : colonnes reconnues, configuration, exemples."""

    try:
        connector = load(name)
    except ConnectorError as error:
        _fail(error.message)
    guide = connector.guide()
    if guide is None:
        _fail(f"le connecteur « {name} » ne fournit pas de guide (README.md dans son paquet)")
    typer.echo(guide.rstrip("\n"))


@connectors_app.command("check")
def check_connector(name: NameArgument, config: ConfigOption) -> None:
    """Vérifier que le connecteur lit sa source avec cette configuration."""

    try:
        connector = load(name)
        instance = connector(read_config(config, name), base_dir=config.parent)
        instance.check()
    except ConnectorError as error:
        _fail(error.message)
    typer.echo(f"{instance.label} : la source se lit, configuration correcte")


@connectors_app.command("test")
def test_connector(
    name: NameArgument,
    config: ConfigOption,
    period: Annotated[
        list[str] | None,
        typer.Option(help="Période à produire (répétable) ; défaut : le dernier semestre clos"),
    ] = None,
) -> None:
    """Passer la suite de conformité : une ligne par vérification."""

    try:
        connector = load(name)
        settings = read_config(config, name)
        periods = [str(p) for p in parse_periods(period or [default_period()])]
    except ConnectorError as error:
        _fail(error.message)
    conformance = Conformance(connector, settings, periods, base_dir=config.parent)
    typer.echo(f"{name} {connector.version}, période(s) {', '.join(periods)}")
    results = conformance.results()
    for result in results:
        typer.echo(result.line())
        for problem in result.problems[1:]:
            typer.echo(f"    {problem}")
    for note in conformance.notes():
        typer.echo(f"  {note}")
    failed = [result for result in results if not result.ok]
    if failed:
        _fail(f"{len(failed)} vérification(s) sur {len(results)} en échec")
    typer.echo(f"{len(results)} vérifications réussies")
