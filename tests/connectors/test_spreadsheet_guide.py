"""The spreadsheet connector's French guide: shipped with the package, printed by
``cae-hub connectors doc spreadsheet``, and true to what the connector reads."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from connectors.sdk.values import MONTH_NAMES
from connectors.spreadsheet import SpreadsheetConnector
from connectors.spreadsheet.amounts import PAYROLL_WORDS, REVENUE_WORDS
from connectors.spreadsheet.config import (
    AMOUNT_FIELDS,
    CATALOGUE_FIELDS,
    CELL_FIELDS,
    REGISTER_FIELDS,
)
from connectors.spreadsheet.vocabulary import trade_labels
from tests.cli import Cli, cli_runner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return cli_runner(monkeypatch, capsys, "connectors")


def guide() -> str:
    text = SpreadsheetConnector.guide()
    assert text is not None
    return text


def test_doc_prints_the_guide(cli: Cli) -> None:
    result = cli("doc", "spreadsheet")
    assert result.code == 0, result.err
    assert result.out.startswith("# Connecteur « spreadsheet » : envoyer les chiffres")
    assert result.out == guide().rstrip("\n") + "\n"


def test_list_says_where_the_guides_are(cli: Cli) -> None:
    result = cli("list")
    assert result.out.splitlines()[-1] == "Guide d'un connecteur : cae-hub connectors doc NOM"


def test_doc_of_a_connector_without_guide_or_unknown(cli: Cli) -> None:
    result = cli("doc", "endi")
    assert (result.code, result.err) == (
        1,
        "erreur : le connecteur « endi » ne fournit pas de guide (README.md dans son paquet)\n",
    )
    assert cli("doc", "tableur").err.startswith("erreur : connecteur inconnu « tableur »")


def test_every_recognised_header_and_trade_label_is_in_the_guide() -> None:
    text = guide()
    for fields in (REGISTER_FIELDS, AMOUNT_FIELDS, CELL_FIELDS, CATALOGUE_FIELDS):
        for name, labels in fields.items():
            assert f"`{name}`" in text, name
            for label in labels:
                assert f"« {label} »" in text, label
    for label, code in trade_labels().items():
        assert label in text and code in text, label
    assert "amount_columns" in text and "`values`" in text and "`columns`" in text


def test_the_guide_s_configuration_examples_are_accepted() -> None:
    """Every TOML block of the guide parses, and each configuration in it is accepted."""
    text = guide()
    blocks = [part.split("```", 1)[0] for part in text.split("```toml\n")[1:]]
    assert len(blocks) >= 6
    for block in blocks:
        document = tomllib.loads(block)
        config = document.get("connector", {}).get("config", document)
        settings = {"file": "suivi.csv", **config}
        SpreadsheetConnector(settings)  # the schema and the connector's own checks


def test_the_revenue_and_payroll_words_the_guide_names_are_read() -> None:
    text = guide()
    assert "« Chiffre d'affaires »" in text and "« Gross payroll »" in text
    assert {"chiffre d affaires", "turnover"} <= set(REVENUE_WORDS)
    assert {"masse salariale", "gross payroll"} <= set(PAYROLL_WORDS)
    assert "février" in text and "fevrier" in MONTH_NAMES


def test_the_guide_and_data_files_are_package_data() -> None:
    """What the connectors read with importlib.resources must be in the wheel."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = declared["tool"]["setuptools"]["package-data"]["connectors"]
    package = ROOT / "connectors"
    data = [
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert {"spreadsheet/README.md", "spreadsheet/trades.csv", "sdk/data/communes.csv.gz"} <= set(
        data
    )
    for path in data:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns), path
