"""``cae-hub sync``: run the sync client once, or on a schedule.

Exit codes: 0 when everything is on the hub, 2 when the hub (or the local check) refused some
documents or the connector skipped records (unless ``--accept-skipped``), 1 when the run could
not happen (one French line says what to fix).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cae_contract.cli import CliError
from connectors.sdk.errors import ConnectorError
from connectors.sync.config import check_cron, check_periods, load_config
from connectors.sync.progress import LogLines, for_stream
from connectors.sync.runner import run_sync
from connectors.sync.schedule import run_on_schedule

if TYPE_CHECKING:
    from connectors.sync.config import SyncConfig

EXIT_REJECTED = 2


def _fail(message: str) -> NoReturn:
    raise CliError(message)


def sync(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Fichier de configuration TOML de la CAE"),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Une seule synchronisation, tout de suite")
    ] = False,
    schedule: Annotated[
        str | None,
        typer.Option(
            "--schedule",
            help="Planification cron, par ex. « 0 2 * * * » (par défaut : sync.schedule)",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Tout vérifier, y compris par le hub, sans rien envoyer"),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Renvoyer aussi ce que le hub a déjà accepté")
    ] = False,
    accept_skipped: Annotated[
        bool,
        typer.Option(
            "--accept-skipped",
            help="Terminer avec succès même si le connecteur a ignoré des enregistrements",
        ),
    ] = False,
    period: Annotated[
        list[str] | None,
        typer.Option("--period", help="Période à envoyer, répétable (par défaut : sync.periods)"),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Détail technique des erreurs (pour les développeurs)")
    ] = False,
) -> None:
    """Synchroniser : lire la source avec le connecteur, envoyer au hub ce qui a changé."""

    if config is None:
        _fail("indiquez le fichier de configuration : cae-hub sync --config FICHIER.toml")
    if once and schedule:
        _fail("--once et --schedule s'excluent : choisissez l'un des deux")
    try:
        _sync(
            config,
            once,
            schedule,
            dry_run=dry_run,
            force=force,
            accept_skipped=accept_skipped,
            periods=period or [],
        )
    except (typer.Exit, CliError):
        raise
    except ConnectorError as exc:
        if debug and exc.detail:
            typer.echo(f"détail : {exc.detail}", err=True)
        _fail(exc.message)
    except KeyboardInterrupt:
        _fail("synchronisation interrompue ; la suivante reprendra sans rien envoyer deux fois")
    except Exception as exc:
        if debug:
            raise
        _fail(_unexpected(exc))


def _unexpected(exc: Exception) -> str:
    """One line for what no one planned: a damaged state file, a full disk, a bug."""
    if isinstance(exc, sqlite3.Error):
        return (
            f"état local de la synchronisation illisible ({type(exc).__name__}) ; "
            "vérifiez sync.data_dir"
        )
    if isinstance(exc, OSError):
        where = f" : {exc.filename}" if exc.filename else ""
        return f"erreur d'accès aux fichiers{where} ({exc.strerror or type(exc).__name__})"
    return f"erreur inattendue ({type(exc).__name__}) ; relancez avec --debug pour le détail"


def _sync(
    path: Path,
    once: bool,
    schedule: str | None,
    *,
    dry_run: bool,
    force: bool,
    accept_skipped: bool,
    periods: list[str],
) -> None:

    config = load_config(path)
    periods = check_periods(periods, name=lambda index: f"--period n°{index + 1}")
    cron = None if once else (schedule or config.schedule)
    if cron is None:
        if not _run_once(
            config, dry_run=dry_run, force=force, accept_skipped=accept_skipped, periods=periods
        ):
            raise typer.Exit(EXIT_REJECTED)
        return
    if dry_run:
        _fail("--dry-run ne se planifie pas : ajoutez --once")
    check_cron(cron, where="--schedule" if schedule else "sync.schedule")

    log = LogLines(sys.stderr).note
    job = scheduled_job(path, force=force, accept_skipped=accept_skipped, periods=periods, log=log)
    run_on_schedule(job, cron=cron, jitter=config.jitter, log=log)


def _run_once(
    config: SyncConfig,
    *,
    dry_run: bool,
    force: bool,
    periods: list[str],
    accept_skipped: bool = False,
) -> bool:

    report = run_sync(
        config,
        periods=periods or None,
        dry_run=dry_run,
        force=force,
        accept_skipped=accept_skipped,
        progress=for_stream(sys.stderr),
    )
    typer.echo(report.render())
    return report.ok


def scheduled_job(
    path: Path,
    *,
    force: bool = False,
    accept_skipped: bool = False,
    periods: list[str] | None = None,
    log: Callable[[str], None],
) -> Callable[[], None]:
    """One scheduled run: the file is read again each time (an edit needs no restart), and a
    failed run is logged in one line without stopping the schedule."""

    def job() -> None:
        try:
            _run_once(
                load_config(path),
                dry_run=False,
                force=force,
                periods=periods or [],
                accept_skipped=accept_skipped,
            )
        except ConnectorError as exc:
            log(f"erreur : {exc.message}")
        except Exception as exc:  # the schedule must survive any single failed run
            log(f"erreur : synchronisation interrompue ({type(exc).__name__})")

    return job
