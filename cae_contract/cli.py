"""``cae-hub``: the command line shared by the hub and the CAE-side client.

Each part of the distribution adds its subcommands through the ``cae_hub.commands``
entry-point group (a ``typer.Typer`` becomes a group, a function a command), so this module
knows none of them. A subcommand whose module cannot be imported — the server's commands in
a client-only installation — is reported when someone asks for it, and never stops the
others. Every command prints one French line saying what to fix and exits non-zero when
something is wrong; no traceback reaches the user.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from cae_contract import cli_french

COMMANDS_GROUP = "cae_hub.commands"
HELP = "Hub d'échange de données des CAE du bâtiment."

E = TypeVar("E", bound=BaseException)
Wording = Callable[[Any], list[str]]
_WORDINGS: list[tuple[type[BaseException], Wording]] = []


class CliError(Exception):
    """A problem the user can fix; its message is the one line printed."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


def explain(kind: type[E], wording: Callable[[E], list[str]]) -> None:
    """Print errors of ``kind`` as these lines (the first after « erreur : ») and exit 1.

    A part of the distribution declares how its own errors read (the hub: its HTTP errors,
    database errors, refused settings), in the order it wants them matched.
    """
    _WORDINGS.append((kind, wording))


def _missing_command(name: str, error: Exception) -> Callable[..., None]:
    missing = getattr(error, "name", None) or str(error)

    def unavailable(args: Annotated[list[str] | None, typer.Argument(hidden=True)] = None) -> None:
        fail(
            f"la commande « {name} » n'est pas installée ici (module manquant : {missing}) ; "
            "installez le hub avec « pip install 'cae-hub[hub]' »"
        )

    unavailable.__doc__ = f"Indisponible dans cette installation ({missing} manquant)."
    return unavailable


def _add(app: typer.Typer, entry: EntryPoint) -> None:
    try:
        command = entry.load()
    except ImportError as exc:
        app.command(
            entry.name,
            hidden=True,
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        )(_missing_command(entry.name, exc))
        return
    if isinstance(command, typer.Typer):
        app.add_typer(command, name=entry.name)
    else:
        app.command(entry.name)(command)


def build_app() -> typer.Typer:
    """The root command with every installed subcommand, in name order."""
    app = typer.Typer(
        name="cae-hub",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        _add(app, entry)
    return app


def _usage_error(error: UsageError) -> NoReturn:
    """A usage error in French: the usage line, the error, where the help is; exit 2."""
    if isinstance(error, NoArgsIsHelpError):
        typer.echo(error.message, err=True)
        sys.exit(2)
    ctx = error.ctx
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
    typer.echo(f"erreur : {cli_french.usage_error(error)}", err=True)
    if ctx is not None:
        typer.echo(f"aide : {ctx.command_path} --help", err=True)
    sys.exit(2)


def _explained(error: BaseException) -> list[str] | None:
    for kind, wording in _WORDINGS:
        if isinstance(error, kind):
            return wording(error)
    return None


def main() -> None:
    """Entry point of the ``cae-hub`` script."""
    cli_french.install()
    app = build_app()
    try:
        status = app(standalone_mode=False, prog_name="cae-hub")
    except UsageError as exc:
        _usage_error(exc)
    except ClickException as exc:  # a file option that cannot be opened…
        typer.echo(f"erreur : {cli_french.click_error(exc)}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("interrompu", err=True)
        sys.exit(1)
    except CliError as exc:
        typer.echo(f"erreur : {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        lines = _explained(exc)
        if lines is None:
            raise
        first, *rest = lines
        typer.echo(f"erreur : {first}", err=True)
        for line in rest:
            typer.echo(line, err=True)
        sys.exit(1)
    # Without standalone mode, typer.Exit(code) comes back as its code.
    sys.exit(status if isinstance(status, int) else 0)
