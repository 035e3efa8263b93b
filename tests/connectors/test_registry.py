"""Connectors are found by entry point, built-in or shipped by a third party (a real wheel
installed by pip into the test's folder: see ``third_party_site`` in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.sdk import ConfigError, FatalSyncError, available, discover, load
from connectors.spreadsheet import SpreadsheetConnector


def test_built_in_connectors_are_declared_and_load() -> None:
    assert {"spreadsheet", "endi"} <= set(available())
    assert available()["spreadsheet"].value == "connectors.spreadsheet:SpreadsheetConnector"
    assert load("spreadsheet") is SpreadsheetConnector


def test_unknown_name_lists_the_installed_connectors() -> None:
    with pytest.raises(ConfigError) as caught:
        load("tableur")
    names = ", ".join(available())
    assert caught.value.message == (
        f"connecteur inconnu « tableur » ; connecteurs installés : {names}"
    )


def test_third_party_package_is_found_like_a_built_in(third_party_installed: Path) -> None:
    declared = available()
    assert declared["register"].value == "cae_register:RegisterConnector"
    register = load("register")
    assert (register.name, register.version) == ("register", "0.3.1")
    connector = register({"entries": ["2024-03-01", "2025-09-15", "2026-02-01"]})
    (document,) = connector.documents(["2025-S2"])
    totals = {c["indicator"]: c["value"] for c in document.body["cells"] if not c["dims"]}
    assert totals == {"entrepreneurs": 2, "associates": 0, "entries": 1, "exits": 0}


def test_a_broken_connector_is_reported_and_spares_the_others(third_party_installed: Path) -> None:
    loaded, broken = discover()
    assert loaded["spreadsheet"] is SpreadsheetConnector
    assert loaded["register"].name == "register"
    assert set(broken) == {"broken", "misnamed"}
    assert broken["broken"] == (
        "le connecteur « broken » (paquet cae-register) ne se charge pas : "
        "ModuleNotFoundError : No module named 'cae_missing_dependency'"
    )
    assert "la classe se nomme « autre » mais est déclarée sous « misnamed »" in broken["misnamed"]
    with pytest.raises(FatalSyncError, match="ne se charge pas"):
        load("broken")


def test_two_packages_declaring_one_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed distribution is its metadata folder; this one claims a built-in name."""
    dist_info = tmp_path / "cae_imposter-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: cae-imposter\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[cae_hub.connectors]\nspreadsheet = cae_imposter:Spreadsheet\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    loaded, broken = discover()
    assert "spreadsheet" not in loaded
    assert broken["spreadsheet"].startswith(
        "le connecteur « spreadsheet » est déclaré par plusieurs paquets (cae-imposter, cae-hub)"
    )
    assert "endi" in loaded


def test_a_package_installed_while_running_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The declared connectors are remembered between calls, but not past an installation."""
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "chantier" not in available()
    dist_info = tmp_path / "cae_chantier-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: cae-chantier\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[cae_hub.connectors]\nchantier = cae_chantier:Chantier\n"
    )
    assert available()["chantier"].value == "cae_chantier:Chantier"
