"""``cae-hub``: the command line of the hub.

Every command prints one French line saying what to fix and exits non-zero when something
is wrong; no traceback reaches the user.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from hub.config import Settings
from hub.db import ensure_sqlite_folder, make_engine, session_scope
from hub.errors import HubError

app = typer.Typer(
    name="cae-hub",
    help="Hub d'échange de données des CAE du bâtiment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Base de données : migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class CliError(Exception):
    """A problem the user can fix; its message is the one line printed."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


def load_settings() -> Settings:
    return Settings()


def open_engine(settings: Settings) -> Engine:
    ensure_sqlite_folder(settings.database_url)
    return make_engine(settings)


@contextmanager
def unit_of_work(*, require_schema: bool = True) -> Iterator[Session]:
    """A committed session on the configured database, refusing an unmigrated one."""
    from hub.migrate import current_revision, head_revision

    settings = load_settings()
    engine = open_engine(settings)
    try:
        if require_schema and current_revision(engine) != head_revision():
            fail("la base n'est pas à jour : lancez « cae-hub db upgrade »")
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


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


@app.command()
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
    try:
        check_workers(settings, workers)
        port_check(address, number)
    except ServeRefused as exc:
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


def _register_subcommands() -> None:
    from hub.audit.cli import audit_app
    from hub.members.cli import members_app, staff_app, tokens_app
    from hub.schemas.cli import schemas_app

    app.add_typer(members_app, name="members")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(staff_app, name="staff")
    app.add_typer(schemas_app, name="schemas")
    app.add_typer(audit_app, name="audit")
    from connectors.sdk.cli import connectors_app

    app.add_typer(connectors_app, name="connectors")
    from hub.demo import demo

    app.command()(demo)
    from connectors.sync.cli import sync

    app.command()(sync)


_register_subcommands()


def _one_line(error: ValidationError) -> str:
    from hub.errors import _french_message

    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "valeur"
        parts.append(f"{where} : {_french_message(dict(item))}")
    return "; ".join(parts)


def _usage_error(error: UsageError) -> NoReturn:
    """A usage error in French: the usage line, the error, where the help is; exit 2."""
    from hub.cli_french import usage_error

    if isinstance(error, NoArgsIsHelpError):
        typer.echo(error.message, err=True)
        sys.exit(2)
    ctx = error.ctx
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
    typer.echo(f"erreur : {usage_error(error)}", err=True)
    if ctx is not None:
        typer.echo(f"aide : {ctx.command_path} --help", err=True)
    sys.exit(2)


def main() -> None:
    """Entry point of the ``cae-hub`` script."""
    from hub.cli_french import install

    install()
    try:
        status = app(standalone_mode=False, prog_name="cae-hub")
    except UsageError as exc:
        _usage_error(exc)
    except ClickException as exc:  # a file option that cannot be opened…
        from hub.cli_french import click_error

        typer.echo(f"erreur : {click_error(exc)}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("interrompu", err=True)
        sys.exit(1)
    except CliError as exc:
        typer.echo(f"erreur : {exc}", err=True)
        sys.exit(1)
    except HubError as exc:
        typer.echo(f"erreur : {exc.detail}", err=True)
        for item in exc.errors:
            typer.echo(f"  {item.path} : {item.message}", err=True)
        sys.exit(1)
    except ValidationError as exc:
        typer.echo(f"erreur : {_one_line(exc)}", err=True)
        sys.exit(1)
    except ValueError as exc:  # settings refused (insecure production configuration…)
        typer.echo(f"erreur : {exc}", err=True)
        sys.exit(1)
    except OperationalError as exc:
        typer.echo(
            "erreur : base de données injoignable ou illisible ; vérifiez HUB_DATABASE_URL "
            f"({type(exc.orig).__name__})",
            err=True,
        )
        sys.exit(1)
    except SQLAlchemyError as exc:
        typer.echo(
            f"erreur : la base de données a refusé l'opération ({type(exc).__name__})", err=True
        )
        sys.exit(1)
    # Without standalone mode, typer.Exit(code) comes back as its code.
    sys.exit(status if isinstance(status, int) else 0)
