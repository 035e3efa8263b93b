"""The hub's own commands: ``cae-hub db`` and ``cae-hub serve``, and what the hub's other
commands share (the configured database, a unit of work), with how the hub's errors read on
the command line.

The server's modules (the application, uvicorn, Alembic) are imported inside the commands that
use them: every ``cae-hub`` invocation loads this module to list its commands, and should not
pay a second of start-up for a server it does not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

from cae_contract.cli import explain, fail
from cae_contract.problems import field_message
from hub.config import Settings
from hub.db import ensure_sqlite_folder, make_engine, session_scope
from hub.errors import HubError

db_app = typer.Typer(help="Base de données : migrations.", no_args_is_help=True)


def load_settings() -> Settings:
    return Settings()


def open_engine(settings: Settings) -> Engine:
    ensure_sqlite_folder(settings.database_url)
    return make_engine(settings)


@contextmanager
def migrated_engine(settings: Settings, *, require_schema: bool = True) -> Iterator[Engine]:
    """An engine on the configured database, refusing an unmigrated one; disposed on exit."""
    from hub.migrate import current_revision, head_revision

    engine = open_engine(settings)
    try:
        if require_schema and current_revision(engine) != head_revision():
            fail("la base n'est pas à jour : lancez « cae-hub db upgrade »")
        yield engine
    finally:
        engine.dispose()


@contextmanager
def unit_of_work(*, require_schema: bool = True) -> Iterator[Session]:
    """A committed session on the configured database, refusing an unmigrated one."""
    with (
        migrated_engine(load_settings(), require_schema=require_schema) as engine,
        session_scope(engine) as session,
    ):
        yield session


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Révision cible")] = "head",
) -> None:
    """Appliquer les migrations jusqu'à la révision demandée."""
    from hub.migrate import current_revision, upgrade

    settings = load_settings()
    engine = open_engine(settings)
    try:
        upgrade(engine, revision)
        typer.echo(f"base à jour (révision {current_revision(engine)})")
    finally:
        engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Afficher la révision de la base et celle du code."""
    from hub.migrate import current_revision, head_revision

    engine = open_engine(load_settings())
    try:
        typer.echo(f"base : {current_revision(engine) or 'vide'} ; code : {head_revision()}")
    finally:
        engine.dispose()


def serve(
    host: Annotated[str | None, typer.Option(help="Adresse d'écoute (HUB_HOST)")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port d'écoute (HUB_PORT)", min=1, max=65535)
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Appliquer les migrations au démarrage")] = True,
    workers: Annotated[
        int,
        typer.Option(
            help="Processus servant les requêtes (PostgreSQL seulement au-delà de 1 ; "
            "en production, un par cœur)",
            min=1,
        ),
    ] = 1,
    check_port: Annotated[
        bool,
        typer.Option(
            "--check-port",
            help="Vérifier seulement que le port est libre, sans rien servir",
        ),
    ] = False,
) -> None:
    """Servir le hub (les migrations sont appliquées d'abord, une seule fois)."""
    from hub.serving import ServeRefused, check_workers
    from hub.serving import check_port as port_check

    settings = load_settings()
    address, number = host or settings.host, port or settings.port
    from hub.jobs.registry import InvalidSchedule, load_jobs

    try:
        check_workers(settings, workers)
        port_check(address, number)
        load_jobs(settings)  # a bad HUB_JOB_SCHEDULES is one line here, not a failed start
    except (ServeRefused, InvalidSchedule) as exc:
        fail(str(exc))
    if check_port:
        return
    _serve(settings, address, number, migrate=migrate, workers=workers)


def _serve(settings: Settings, host: str, port: int, *, migrate: bool, workers: int) -> None:
    import uvicorn

    from hub.logs import configure_logging
    from hub.main import create_app
    from hub.migrate import upgrade
    from hub.server import HubHttpProtocol
    from hub.serving import APP_FACTORY

    engine = open_engine(settings)
    if migrate:
        upgrade(engine)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "http": HubHttpProtocol,
        # X-Forwarded-For/-Proto only from HUB_TRUSTED_PROXIES (never uvicorn's default list).
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": [str(network) for network in settings.trusted_proxies] or None,
    }
    if workers == 1:
        uvicorn.run(create_app(settings, engine=engine), **common)
        return
    # Each worker imports the factory and builds its own app (and engine) from the same
    # environment; the parent only supervises them.
    engine.dispose()
    configure_logging(settings)
    uvicorn.run(APP_FACTORY, factory=True, workers=workers, **common)


def _one_line(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "valeur"
        parts.append(f"{where} : {field_message(dict(item))}")
    return "; ".join(parts)


def _hub_error(error: HubError) -> list[str]:
    return [error.detail, *(f"  {item.path} : {item.message}" for item in error.errors)]


def _database_unreachable(error: OperationalError) -> list[str]:
    return [
        "base de données injoignable ou illisible ; vérifiez HUB_DATABASE_URL "
        f"({type(error.orig).__name__})"
    ]


def _database_refused(error: SQLAlchemyError) -> list[str]:
    return [f"la base de données a refusé l'opération ({type(error).__name__})"]


explain(HubError, _hub_error)
explain(ValidationError, lambda error: [_one_line(error)])
# Settings refused (insecure production configuration…).
explain(ValueError, lambda error: [str(error)])
explain(OperationalError, _database_unreachable)
explain(SQLAlchemyError, _database_refused)
