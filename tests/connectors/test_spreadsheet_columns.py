"""What the register's columns say, and what the user is told about them: per-person amount
columns, optional columns absent or empty, trade labels, communes and postcodes, and the
configuration errors that name what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import ConfigError, Document
from connectors.spreadsheet import SpreadsheetConnector
from tests.connectors.conftest import write_csv, write_xlsx

Key = tuple[str, tuple[tuple[str, str], ...]]


def cells(document: Document) -> dict[Key, Any]:
    return {
        (c["indicator"], tuple(sorted(c["dims"].items()))): c["value"]
        for c in document.body["cells"]
    }


def run(config: dict[str, Any], *periods: str) -> tuple[dict[str, dict[Key, Any]], Any]:
    connector = SpreadsheetConnector(config)
    connector.check()
    return {d.period: cells(d) for d in connector.documents(periods)}, connector


# -- per-person amounts ------------------------------------------------------------------------

AMOUNTS_HEADER = [
    "Nom",
    "Date d'entrée",
    "Métier",
    "Département",
    "CA HT 2025",
    "Masse salariale 2025",
]
AMOUNTS_ROWS = [
    ["A", "01/01/2024", "Plomberie", "33", "12 000,50", "8 000"],
    ["B", "01/03/2025", "Électricité", "33", "3 000", "2 500"],
    ["C", "01/06/2024", "Plomberie", "47", "1 000", None],
    ["D", "01/01/2025", "Électricité", "47", None, "1 200"],  # no revenue: counts as nothing
]


def test_a_per_person_revenue_column_gives_the_year_by_trade_and_departement(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "registre.csv", AMOUNTS_HEADER, AMOUNTS_ROWS)
    reports, connector = run({"file": str(path)}, "2025")
    got = reports["2025"]
    assert got[("revenue_eur", ())] == 16000.5
    assert got[("revenue_eur", (("trade", "43.22A"),))] == 13000.5
    assert got[("revenue_eur", (("trade", "43.21A"),))] == 3000
    assert got[("revenue_eur", (("departement", "33"),))] == 15000.5
    assert got[("revenue_eur", (("departement", "47"),))] == 1000
    assert got[("revenue_eur", (("departement", "33"), ("trade", "43.22A")))] == 12000.5
    assert got[("gross_payroll_eur", ())] == 11700
    assert got[("gross_payroll_eur", (("trade", "43.21A"),))] == 3700
    assert got[("entrepreneurs", ())] == 4
    assert connector.skipped == []


def test_an_annual_column_is_not_split_into_semesters_and_says_so(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "registre.csv", AMOUNTS_HEADER, AMOUNTS_ROWS)
    reports, connector = run({"file": str(path)}, "2025-S2", "2026-S1")
    assert not any(key[0] == "revenue_eur" for key in reports["2025-S2"])
    assert not any(key[0] == "revenue_eur" for key in reports["2026-S1"])
    assert (
        "2025-S2 : chiffre d'affaires (revenue_eur) non envoyé pour le semestre, la colonne "
        "« CA HT 2025 » donne l'année 2025 entière ; il s'envoie avec la période « 2025 » "
        "(ajoutez-la aux périodes de la synchronisation)"
    ) in connector.warnings
    assert not any(w.startswith("2026-S1 : chiffre") for w in connector.warnings)


def test_semester_columns_in_english_and_the_year_as_their_sum(tmp_path: Path) -> None:
    header = ["Entry date", "Trade", "Revenue H1 2025", "Revenue 2025-S2"]
    rows = [["2024-01-01", "Roofing", "1000", "2000"], ["2024-01-01", "Plumbing", "10", None]]
    path = write_csv(tmp_path / "register.csv", header, rows, encoding="utf-8")
    reports, _ = run({"file": str(path)}, "2025-S1", "2025-S2", "2025")
    assert reports["2025-S1"][("revenue_eur", ())] == 1010
    assert reports["2025-S2"][("revenue_eur", (("trade", "43.91B"),))] == 2000
    assert reports["2025"][("revenue_eur", ())] == 3010


def test_a_column_without_its_period_is_read_when_the_configuration_names_it(
    tmp_path: Path,
) -> None:
    header = ["Date d'entrée", "CA HT", "CA 2024"]
    rows = [["01/01/2024", "1 500", "700"], ["01/02/2024", "abc", "300"]]
    path = write_csv(tmp_path / "registre.csv", header, rows)
    config = {"file": str(path), "amount_columns": {"revenue": {"2025": "CA HT"}}}
    reports, connector = run(config, "2025", "2024")
    assert reports["2025"][("revenue_eur", ())] == 1500
    assert reports["2024"][("revenue_eur", ())] == 1000  # « CA 2024 » still recognised
    assert reports["2025"][("entrepreneurs", ())] == 2  # the bad amount keeps its person
    assert [(s.source, s.message) for s in connector.skipped] == [
        (
            "registre.csv ligne 3",
            "registre.csv ligne 3, colonne « CA HT » : n'est pas un nombre (par exemple "
            "1 234,56 attendu) ; montant non compté (la personne est comptée)",
        )
    ]
    with pytest.raises(ConfigError, match=r"amount_columns.revenue.2025 : pas de colonne « CA »"):
        run({"file": str(path), "amount_columns": {"revenue": {"2025": "CA"}}}, "2025")


def test_amounts_from_a_file_win_over_a_column_and_an_empty_column_sends_nothing(
    tmp_path: Path,
) -> None:
    register = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "CA HT 2025", "Salaire brut 2025"],
        [["01/01/2024", "100", None], ["01/01/2024", "illisible", None]],
    )
    invoices = write_csv(tmp_path / "factures.csv", ["Date", "Montant HT"], [["05/05/2025", "42"]])
    config = {"file": str(register), "revenue": {"file": str(invoices)}}
    reports, connector = run(config, "2025")
    assert reports["2025"][("revenue_eur", ())] == 42
    assert connector.skipped == []  # the column left unread is not read at all
    assert not any(key[0] == "gross_payroll_eur" for key in reports["2025"])
    assert (
        "registre.csv : colonne « CA HT 2025 » non lue, ce montant vient du fichier "
        "revenue.file de la configuration"
    ) in connector.warnings
    assert (
        "2025 : masse salariale brute non envoyée, colonne « Salaire brut 2025 » vide"
        in connector.warnings
    )
    both = {**config, "amount_columns": {"revenue": {"2025": "CA HT 2025"}}}
    with pytest.raises(ConfigError, match="deux sources pour le même montant"):
        SpreadsheetConnector(both)


def test_two_columns_for_the_same_amount_and_period_are_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "CA 2025", "CA HT 2025 (€)"],
        [["01/01/2024", "1", "1"]],
        encoding="cp1252",
    )
    with pytest.raises(ConfigError, match="deux colonnes pour la même donnée : « CA 2025 » et"):
        SpreadsheetConnector({"file": str(path)}).check()


# -- optional columns absent, empty or unrecognised ---------------------------------------------


def test_an_absent_sex_column_is_named_with_the_headers_read_and_the_file_s(
    tmp_path: Path,
) -> None:
    header = [
        "Nom",
        "H/F",
        "Date d'entrée",
        "Sociétaire depuis",
        "Date CESA",
        "Métier",
        "Département",
        "Date de naissance",
        "Date de sortie",
        "Motif de sortie",
    ]
    rows = [
        [
            "A",
            "F",
            "01/01/2020",
            "01/01/2022",
            "01/06/2020",
            "Couverture",
            "33",
            "01/01/1980",
            None,
            None,
        ],
        ["B", "M", "01/01/2021", None, None, "Couverture", "33", "01/01/1990", None, None],
    ]
    path = write_csv(tmp_path / "registre.csv", header, rows)
    reports, connector = run({"file": str(path)}, "2025-S2")
    got = reports["2025-S2"]
    assert got[("associates", ())] == 1  # « Sociétaire depuis » is the associate date
    assert got[("entrepreneurs", (("sex", "X"),))] == 2
    assert (
        "registre.csv : pas de colonne « Sexe » (sex), donc tout le monde est compté en sexe "
        "« non précisé » (X) ; en-têtes reconnus : sex : « Sexe », « Genre », « Sex », "
        "« Gender » ; si la colonne porte un autre nom, indiquez-le dans columns.sex de la "
        "configuration"
    ) in connector.warnings
    assert "registre.csv : colonnes du fichier non lues : « Nom », « H/F »" in connector.warnings
    assert (
        "2025-S2 : entrepreneurs : sexe « non précisé » (X) pour les 2 personne(s) du stock, la "
        "ventilation par sexe ne dit rien ; vérifiez la colonne du sexe"
    ) in connector.warnings
    assert len(connector.warnings) == 3, connector.warnings


def test_genre_is_read_as_sex_and_missing_columns_say_what_is_lost(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "Genre"],
        [["01/01/2020", "Femme"], ["01/01/2021", "Homme"]],
    )
    reports, connector = run({"file": str(path)}, "2025-S2")
    assert reports["2025-S2"][("entrepreneurs", (("sex", "F"),))] == 1
    said = "\n".join(connector.warnings)
    for lost in (
        "pas de colonne « Date de sociétariat » (associate_date), donc aucun associé n'est compté",
        "« Date de sortie » (exit_date), donc aucune sortie n'est comptée",
        "pas de colonne « Date CESA » (cesa_date) ni « Contrat » (contract), donc tout le monde "
        "est compté en CAPE",
        "pas de colonne « Département » (departement) ni « Commune » (commune) ni « Code postal » "
        "(postcode), donc aucune ventilation par département n'est envoyée",
        "« Sociétaire depuis »",
    ):
        assert lost in said
    assert "non lues" not in said  # every column of the file was read


def test_an_empty_optional_column_is_named(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "Sexe", "Date de sociétariat"],
        [["01/01/2020", "F", None], ["01/01/2021", "M", None]],
    )
    _, connector = run({"file": str(path)}, "2025-S2")
    assert (
        "registre.csv : la colonne « Date de sociétariat » (associate_date) est vide, donc "
        "aucun associé n'est compté"
    ) in connector.warnings


def test_a_column_none_of_whose_values_is_recognised_says_it_may_be_the_wrong_one(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "Statut"],
        [["01/01/2020", "Salarié"], ["01/01/2021", "Associé"]],
    )
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector({"file": str(path), "columns": {"sex": "Statut"}}).check()
    assert caught.value.message == (
        "valeur(s) non reconnue(s) dans « registre.csv », colonne « Statut » : « Salarié » "
        "(ligne 2), « Associé » (ligne 3) ; aucune valeur de cette colonne n'est reconnue comme "
        "sexe : si ce n'est pas la bonne colonne, indiquez la bonne dans columns.sex (en-têtes "
        "reconnus d'office : « Sexe », « Genre », « Sex », « Gender ») ; sinon, ajoutez la "
        "correspondance dans values.sex de la configuration"
    )


# -- trade labels ------------------------------------------------------------------------------


def test_trade_labels_of_the_built_in_vocabulary_and_the_cae_s_own(tmp_path: Path) -> None:
    trades = [
        "Plomberie",
        "Électricité",
        "Couverture",
        "couvreur",
        "CHARPENTE",
        "Maçon",
        "Multiservice",
        "43.34Z",
        "Travaux de plâtrerie",
    ]
    rows = [["01/01/2020", trade] for trade in trades]
    path = write_csv(tmp_path / "registre.csv", ["Date d'entrée", "Métier"], rows)
    with pytest.raises(ConfigError, match="« Multiservice » \\(ligne 8\\)"):
        SpreadsheetConnector({"file": str(path)}).check()
    config = {"file": str(path), "values": {"trade": {"Multiservice": "43.99D", "Maçon": ""}}}
    reports, _ = run(config, "2025-S2")
    assert trade_counts(reports["2025-S2"]) == {}  # « Maçon » unknown on purpose: no breakdown
    del config["values"]["trade"]["Maçon"]
    reports, _ = run(config, "2025-S2")
    assert trade_counts(reports["2025-S2"]) == {
        "43.22A": 1,
        "43.21A": 1,
        "43.91B": 2,
        "43.91A": 1,
        "43.99C": 1,
        "43.99D": 1,
        "43.34Z": 1,
        "43.31Z": 1,
    }


def trade_counts(got: dict[Key, Any]) -> dict[str, int]:
    return {
        dims[0][1]: value
        for (indicator, dims), value in got.items()
        if indicator == "entrepreneurs" and len(dims) == 1 and dims[0][0] == "trade"
    }


# -- communes and postcodes --------------------------------------------------------------------


def test_a_commune_name_insee_code_or_postcode_gives_the_departement(tmp_path: Path) -> None:
    header = ["Date d'entrée", "Commune", "Code postal"]
    rows = [
        ["01/01/2020", "Bordeaux", None],
        ["01/01/2020", "saint-emilion", None],
        ["01/01/2020", "2A004", None],  # Ajaccio, by its Insee code
        ["01/01/2020", "Saint-Denis (974)", None],
        ["01/01/2020", None, "94390"],  # Paray-Vieille-Poste, in the Essonne
        ["01/01/2020", None, "47000"],
    ]
    path = write_csv(tmp_path / "registre.csv", header, rows)
    reports, _ = run({"file": str(path)}, "2025-S2")
    got = reports["2025-S2"]
    by_departement = {
        dict(dims)["departement"]: value
        for (indicator, dims), value in got.items()
        if indicator == "entrepreneurs" and len(dims) == 1 and dims[0][0] == "departement"
    }
    assert by_departement == {"33": 2, "2A": 1, "974": 1, "91": 1, "47": 1}


def test_a_commune_name_of_several_departements_asks_which(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "Ville"],
        [["01/01/2020", "Saint-Denis"], ["01/01/2020", "Villenouvelle-sur-Rien"]],
    )
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector({"file": str(path)}).check()
    message = caught.value.message
    assert (
        "« Saint-Denis » (ligne 2, commune de ce nom dans les départements 11, 30, 93, 974)"
        in message
    )
    assert "« Villenouvelle-sur-Rien » (ligne 3)" in message and "values.commune" in message
    config = {
        "file": str(path),
        "values": {"commune": {"Saint-Denis": "93", "Villenouvelle-sur-Rien": "31"}},
    }
    reports, _ = run(config, "2025-S2")
    assert reports["2025-S2"][("entrepreneurs", (("departement", "93"),))] == 1


def test_a_departement_column_wins_over_the_commune(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "registre.csv",
        ["Date d'entrée", "Département", "Ville"],
        [["01/01/2020", "47", "Bordeaux"], ["01/01/2020", None, "Bordeaux"]],
    )
    reports, _ = run({"file": str(path)}, "2025-S2")
    assert reports["2025-S2"][("entrepreneurs", (("departement", "47"),))] == 1
    assert reports["2025-S2"][("entrepreneurs", (("departement", "33"),))] == 1


# -- configuration errors that say what is allowed ----------------------------------------------


def test_an_unknown_columns_key_lists_the_allowed_keys_and_suggests_one() -> None:
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector({"file": "x.csv", "columns": {"sexe": "Genre"}})
    message = caught.value.message
    assert message.startswith(
        "configuration du connecteur « spreadsheet » refusée : columns.sexe : champ non admis "
        "(champs admis : id (Identifiant), entry_date (Date d'entrée), "
    )
    assert "sex (Sexe)" in message and "associate_date (Date de sociétariat)" in message
    assert message.endswith(" ; vouliez-vous dire « sex » ?")
    with pytest.raises(
        ConfigError,
        match=r"values.metier : champ non admis \(champs admis : "
        r"indicator \(indicateur\), contract \(contrat\), trade \(métier\)",
    ):
        SpreadsheetConnector({"file": "x.csv", "values": {"metier": {}}})


def test_a_missing_sheet_names_the_workbook_and_its_sheets(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "suivi_entrepreneurs.xlsx",
        {"Entrepreneurs": (["Date d'entrée"], []), "Factures": (["Date", "Montant HT"], [])},
    )
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector({"file": str(path), "sheet": "Feuil1"}).check()
    assert caught.value.message == (
        "le classeur « suivi_entrepreneurs.xlsx » n'a pas de feuille « Feuil1 » ; ses feuilles "
        "sont « Entrepreneurs » et « Factures » : indiquez le nom exact de la feuille à lire "
        "(sheet) dans la configuration"
    )


def test_a_column_of_a_cells_file_that_nothing_reads_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cellules.csv", ["Période", "Indicateur", "Civilité", "Valeur"],
                     [["2025-S2", "entrepreneurs", None, 3]])  # fmt: skip
    _, connector = run({"file": str(path), "layout": "cells"}, "2025-S2")
    assert connector.warnings == [
        "cellules.csv : colonne(s) non lue(s) : « Civilité » ; en-têtes reconnus : « Indicateur », "
        "« Valeur », « Période », « Contrat », « Métier », « Sexe », « Tranche d'âge », "
        "« Département », « Motif de sortie » (et leurs variantes du guide) ; si une colonne "
        "porte un autre nom, indiquez-le dans columns de la configuration"
    ]


def test_a_postcode_that_is_not_one_asks_for_a_correspondence_the_schema_accepts(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "registre.csv", ["Date d'entrée", "CP"],
                     [["01/01/2020", "inconnu"], ["01/01/2020", "33999"]])  # fmt: skip
    with pytest.raises(ConfigError, match=r"« inconnu » \(ligne 2\).*values\.postcode"):
        SpreadsheetConnector({"file": str(path)}).check()
    config = {"file": str(path), "values": {"postcode": {"inconnu": ""}}}
    reports, _ = run(config, "2025-S2")  # 33999 is no postcode in use: read by its digits
    assert reports["2025-S2"][("entrepreneurs", ())] == 2
    assert ("entrepreneurs", (("departement", "33"),)) not in reports["2025-S2"]  # one unknown


def test_a_sheet_named_but_for_case_and_spaces_is_found(tmp_path: Path) -> None:
    sheets = {"Notes": (["x"], []), "Feuil 1": (["Date d'entrée"], [["01/01/2020"]])}
    path = write_xlsx(tmp_path / "suivi.xlsx", sheets)
    reports, _ = run({"file": str(path), "sheet": "feuil1"}, "2025-S2")
    assert reports["2025-S2"][("entrepreneurs", ())] == 1
