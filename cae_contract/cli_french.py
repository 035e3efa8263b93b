"""The command line in French: help pages and usage errors.

Typer (0.29) carries its own copy of Click whose texts are written in English with no
translation hook, except the rich help's panel titles and labels, which are module settings.
``install`` sets those, and wraps the four places that write the rest of a help page (the usage
prefix and its placeholders, the ``--help`` option's description, the type labels).
``usage_error`` writes a usage error in French from the exception's own fields: the caller runs
the application with ``standalone_mode=False`` and prints it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer
import typer.core
import typer.rich_utils
from pydantic import ValidationError
from typer._click import core as click_core
from typer._click import decorators as click_decorators
from typer._click import exceptions as click_errors
from typer._click import formatting as click_formatting

from cae_contract.problems import field_message

USAGE_PREFIX = "Utilisation : "
HELP_OPTION_HELP = "Afficher cette aide et quitter."
USAGE_PIECES = {
    "[OPTIONS]": "[OPTIONS]",
    "COMMAND [ARGS]...": "COMMANDE [ARGUMENTS]...",
}
TYPE_LABELS = {
    "str": "texte",
    "int": "entier",
    "float": "nombre",
    "bool": "oui/non",
    "path": "chemin",
    "file": "fichier",
    "dir": "dossier",
    "directory": "dossier",
    "datetime": "date-heure",
    "int range": "entier",
    "float range": "nombre",
}
_TYPE_LABEL = re.compile(r"<([^<>]*)>")
_installed = False


def _french_label(label: str) -> str:
    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner.startswith("list[") and inner.endswith("]"):
            return f"<liste de {TYPE_LABELS.get(inner[5:-1], inner[5:-1])}>"
        return f"<{TYPE_LABELS.get(inner, inner)}>"

    return _TYPE_LABEL.sub(one, label)


def install() -> None:
    """Make every help page of the process French (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    rich = typer.rich_utils
    rich.COMMANDS_PANEL_TITLE = "Commandes"
    rich.OPTIONS_PANEL_TITLE = "Options"
    rich.ARGUMENTS_PANEL_TITLE = "Arguments"
    rich.ERRORS_PANEL_TITLE = "Erreur"
    rich.ABORTED_TEXT = "Interrompu."
    rich.RICH_HELP = "Aide : [blue]{command_path} {help_option}[/]"
    rich.DEFAULT_STRING = "[par défaut : {}]"
    rich.ENVVAR_STRING = "[variable d'environnement : {}]"
    rich.REQUIRED_LONG_STRING = "[obligatoire]"
    rich.DEPRECATED_STRING = "(obsolète) "

    write_usage = click_formatting.HelpFormatter.write_usage

    def french_write_usage(
        self: click_formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    click_formatting.HelpFormatter.write_usage = french_write_usage  # type: ignore[method-assign]

    for command_class in (click_core.Command, typer.core.TyperCommand, typer.core.TyperGroup):
        if "collect_usage_pieces" in vars(command_class):
            _translate_usage_pieces(command_class)

    help_option = click_decorators.help_option

    def french_help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        decorate = help_option(param_decls)

        def apply(command: Any) -> Any:
            command = decorate(command)
            command.params[-1].help = HELP_OPTION_HELP
            return command

        return apply

    click_decorators.help_option = french_help_option

    display_type = typer.core._TyperParameter.display_type

    def french_display_type(self: Any, ctx: click_core.Context) -> str:
        return _french_label(display_type(self, ctx))

    typer.core._TyperParameter.display_type = french_display_type  # type: ignore[method-assign]


def _translate_usage_pieces(command_class: type[Any]) -> None:
    collect = command_class.collect_usage_pieces

    def french_pieces(self: click_core.Command, ctx: click_core.Context) -> list[str]:
        return [USAGE_PIECES.get(piece, piece) for piece in collect(self, ctx)]

    command_class.collect_usage_pieces = french_pieces


def _hint(error: click_errors.BadParameter) -> str:
    if error.param_hint is not None:
        hints = [error.param_hint] if isinstance(error.param_hint, str) else error.param_hint
        return " / ".join(f"« {h.strip(chr(39))} »" for h in hints)
    if error.param is not None:
        return f"« {error.param.get_error_hint().strip(chr(39))} »"
    return ""


def _value_message(error: click_errors.BadParameter) -> str:
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        return "; ".join(field_message(dict(item)) for item in cause.errors())
    return _generic(error.message)


_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"No such command '(.*)'\.+(?: Did you mean (.*)\?)?$"),
        lambda m: (
            f"commande inconnue : « {m.group(1)} »"
            + (f" (vouliez-vous dire {m.group(2)} ?)" if m.group(2) else "")
        ),
    ),
    (re.compile(r"Missing command\.$"), lambda m: "commande manquante"),
    (
        re.compile(r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)$"),
        lambda m: f"argument(s) en trop : {m.group(1)}",
    ),
    (
        re.compile(r"Option '(.*)' requires an argument\.$"),
        lambda m: f"l'option « {m.group(1)} » attend une valeur",
    ),
    (
        re.compile(r"Option '(.*)' requires (\d+) arguments\.$"),
        lambda m: f"l'option « {m.group(1)} » attend {m.group(2)} valeurs",
    ),
    (
        re.compile(r"Option '(.*)' does not take a value\.$"),
        lambda m: f"l'option « {m.group(1)} » ne prend pas de valeur",
    ),
    (
        re.compile(r"Argument '(.*)' takes (\d+) values\.$"),
        lambda m: f"l'argument « {m.group(1)} » attend {m.group(2)} valeurs",
    ),
    (re.compile(r"No such option: (.*)$"), lambda m: f"option inconnue : {m.group(1)}"),
]


def _generic(message: str) -> str:
    for pattern, french in _MESSAGES:
        found = pattern.match(message)
        if found:
            return french(found)
    return message


def usage_error(error: click_errors.UsageError) -> str:
    """The French line of a usage error, without the « erreur : » prefix."""
    if isinstance(error, click_errors.MissingParameter):
        param = error.param
        name = _hint(error)
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return f"argument obligatoire manquant : {name}"
        return f"option obligatoire manquante : {name}"
    if isinstance(error, click_errors.BadParameter):
        hint = _hint(error)
        message = _value_message(error)
        return f"valeur incorrecte pour {hint} : {message}" if hint else message
    if isinstance(error, click_errors.NoSuchOption):
        message = f"option inconnue : {error.option_name}"
        if error.possibilities:
            message += f" (options proches : {', '.join(sorted(error.possibilities))})"
        return message
    return _generic(error.message)


def click_error(error: click_errors.ClickException) -> str:
    """The French line of another error Click reports (a file it could not open)."""
    if isinstance(error, click_errors.FileError):
        return f"impossible d'ouvrir « {error.ui_filename} » : {error.message}"
    return _generic(error.message)
