"""Every word the command line writes about itself is French: the help page of every command
and subcommand, and the usage errors (unknown option, missing argument, bad value, unknown
command), with none of the English texts of Typer's Click."""

from __future__ import annotations

import re
import sys

import pytest
import typer

from cae_contract.cli import build_app, main

ENGLISH = re.compile(
    r"\b(Usage|Show this|and exit|Error|Missing|No such|Try|for help|Invalid|Commands|COMMAND"
    r"|ARGS|required|default|env var|Possible|Did you mean|requires|does not take|Got"
    r"|unexpected|Aborted|deprecated|Input should|greater than|less than|valid integer"
    r"|Arguments?:)\b|<(?:str|int|bool|path|file|dir|float|datetime)>"
)


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group of ``cae-hub``, as the words typed after it."""
    root = typer.main.get_command(build_app())
    found: list[tuple[str, ...]] = [()]

    def walk(command: object, path: tuple[str, ...]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found.append((*path, name))
            walk(sub, (*path, name))

    walk(root, ())
    return found


def required_params(path: tuple[str, ...]) -> bool:
    command = typer.main.get_command(build_app())
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return any(p.required for p in command.params) and not hasattr(command, "commands")


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["cae-hub", *args])
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as stopped:
        main()
    out, err = capsys.readouterr()
    return stopped.value.code, out + err


def test_the_detector_knows_clicks_english() -> None:
    for text in [
        "Usage: cae-hub [OPTIONS] COMMAND [ARGS]...",
        "Show this message and exit.",
        "Nom affiché [required]",
        "Try 'cae-hub --help' for help.",
        "Missing option '--name'.",
        "│ --port  <int>  Port",
        "Error",
    ]:
        assert ENGLISH.search(text), text
    assert not ENGLISH.search("Utilisation : cae-hub [OPTIONS] COMMANDE [ARGUMENTS]...")


PATHS = command_paths()


def test_every_command_is_reached() -> None:
    names = {" ".join(p) for p in PATHS}
    assert {"serve", "db upgrade", "members add", "tokens issue", "sync", "demo"} <= names
    assert len(names) > 20


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "cae-hub")
def test_help_is_french(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = run(capsys, monkeypatch, *path, "--help")
    assert code == 0, text
    assert "Utilisation : cae-hub" in text
    assert "Afficher cette aide et quitter." in text
    assert not ENGLISH.search(text), text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "cae-hub")
def test_usage_errors_are_french(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = run(capsys, monkeypatch, *path, "--option-inexistante")
    assert code == 2, text
    assert "erreur : option inconnue : --option-inexistante" in text
    assert f"aide : {' '.join(('cae-hub', *path))} --help" in text
    assert not ENGLISH.search(text), text
    if required_params(path):
        code, text = run(capsys, monkeypatch, *path)
        assert code in {1, 2}, text
        assert "erreur : " in text and "manquant" in text, text
        assert not ENGLISH.search(text), text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--port", "x"], "erreur : valeur incorrecte pour « --port » : "),
        (
            ["serve", "--workers", "0"],
            "erreur : valeur incorrecte pour « --workers » : doit être ≥ 1",
        ),
        (
            ["serve", "--port", "70000"],
            "erreur : valeur incorrecte pour « --port » : doit être ≤ 65535",
        ),
        (["membrs"], "erreur : commande inconnue : « membrs » (vouliez-vous dire"),
        (["tokens", "issue", "--label"], "erreur : l'option « --label » attend une valeur"),
        (["staff", "add"], "erreur : argument obligatoire manquant : « email »"),
        (["staff", "add", "a@b.fr"], "erreur : option obligatoire manquante : « --name »"),
        (["db", "current", "en-trop"], "erreur : argument(s) en trop : en-trop"),
    ],
)
def test_typical_usage_errors(
    args: list[str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, text = run(capsys, monkeypatch, *args)
    assert code == 2, text
    assert expected in text, text
    assert not ENGLISH.search(text), text
    assert "Traceback" not in text


def test_no_arguments_shows_the_french_help(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = run(capsys, monkeypatch)
    assert code == 2
    assert "Utilisation : cae-hub [OPTIONS] COMMANDE [ARGUMENTS]..." in text
    assert "Commandes" in text and not ENGLISH.search(text)
