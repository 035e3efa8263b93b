"""``cae-hub``: the command line of the hub.

Every command prints one French line saying what to fix and exits non-zero when something
is wrong; no traceback reaches the user.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

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
    host: Annotated[str | None, typer.Option(help="Adresse d'écoute")] = None,
    port: Annotated[int | None, typer.Option(help="Port d'écoute", min=1, max=65535)] = None,
    migrate: Annotated[bool, typer.Option(help="Appliquer les migrations au démarrage")] = True,
) -> None:
    """Servir le hub (les migrations sont appliquées d'abord)."""
    import uvicorn

    from hub.main import create_app
    from hub.migrate import upgrade
    from hub.server import HubHttpProtocol

    settings = load_settings()
    engine = open_engine(settings)
    if migrate:
        upgrade(engine)
    application = create_app(settings, engine=engine)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        http=HubHttpProtocol,
        # X-Forwarded-For/-Proto only from HUB_TRUSTED_PROXIES (never uvicorn's default list).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=[str(network) for network in settings.trusted_proxies] or None,
    )


def _register_subcommands() -> None:
    from hub.members.cli import members_app, staff_app, tokens_app
    from hub.schemas.cli import schemas_app

    app.add_typer(members_app, name="members")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(staff_app, name="staff")
    app.add_typer(schemas_app, name="schemas")
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


def main() -> None:
    """Entry point of the ``cae-hub`` script."""
    try:
        app()
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
