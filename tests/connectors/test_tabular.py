"""Reading CSV and XLSX exports tolerantly: separators, encodings, labels, French values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.tabular import (
    Column,
    normalize_label,
    parse_date,
    parse_decimal,
    parse_month,
    parse_text,
    read_table,
)

COLUMNS = [
    Column("start_date", ("Date de début",)),
    Column("ht", ("Montant HT",)),
    Column("coordonnees_zipcode", ("Code postal",), required=False),
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolon_latin1_french_labels_in_any_order(tmp_path: Path) -> None:
    path = write(
        tmp_path / "contrats.csv",
        "Nom;MONTANT  ht;date DE DEBUT;Code Postal\r\n"
        "Dupré;1 234,56;31/12/2025;20090\r\n"
        "Léa;-12,5;2025-07-01 08:30:00;\r\n",
        encoding="latin-1",
    )
    table = read_table(path, COLUMNS)
    assert [row.values for row in table] == [
        {"start_date": "31/12/2025", "ht": "1 234,56", "coordonnees_zipcode": "20090"},
        {"start_date": "2025-07-01 08:30:00", "ht": "-12,5", "coordonnees_zipcode": None},
    ]
    assert table.headers == {
        "start_date": "date DE DEBUT",
        "ht": "MONTANT  ht",
        "coordonnees_zipcode": "Code Postal",
    }
    first, second = table.rows
    assert (first.number, first.source) == (2, "contrats.csv ligne 2")
    assert first.as_decimal("ht") == Decimal("1234.56")
    assert first.as_date("start_date") == date(2025, 12, 31)
    assert second.as_decimal("ht") == Decimal("-12.5")
    assert second.as_date("start_date") == date(2025, 7, 1)


def test_the_columns_nobody_asked_for_never_enter_a_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv", "Nom;Prénom;Date de début;Montant HT\nDurand;Ana;01/01/2026;3\n"
    )
    (row,) = read_table(path, COLUMNS).rows
    assert set(row.values) == {"start_date", "ht", "coordonnees_zipcode"}
    assert "Durand" not in repr(row) and "Ana" not in repr(row)


def test_field_names_comma_utf8_with_bom_and_quoted_french_decimals(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv",
        '\ufeffht,start_date\n"1 000,50",2026-03-04\n"2,5",04/03/2026\n',
    )
    table = read_table(path, COLUMNS)
    assert [row.as_decimal("ht") for row in table] == [Decimal("1000.50"), Decimal("2.5")]
    assert [row.as_date("start_date") for row in table] == [date(2026, 3, 4)] * 2
    assert not table.has("coordonnees_zipcode")


def test_tab_separated_cp1252_with_euro_sign_and_no_break_space(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.txt",
        "Montant HT\tDate de début\n12\u00a0345,00 €\t15/02/2026 14:05\n",
        encoding="cp1252",
    )
    (row,) = read_table(path, COLUMNS).rows
    assert row.as_decimal("ht") == Decimal("12345.00")
    assert row.as_date("start_date") == date(2026, 2, 15)


def test_header_after_title_lines_and_blank_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv",
        "Export du 02/01/2026;;\n\nht;start_date;x\n1;01/01/2026;a\n;;\n2;02/01/2026;b\n",
    )
    table = read_table(path, COLUMNS)
    assert [row.number for row in table] == [4, 6]
    assert [row.source for row in table] == ["f.csv ligne 4", "f.csv ligne 6"]


def test_a_missing_required_column_is_a_configuration_error_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path / "factures.csv", "Montant HT;Autre\n1;2\n")
    with pytest.raises(ConfigError) as caught:
        read_table(path, COLUMNS)
    assert caught.value.message == (
        "il manque la colonne « Date de début » (start_date) dans le fichier « factures.csv »"
    )


def test_two_columns_for_one_field_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "ht;Montant HT;start_date\n1;2;01/01/2026\n")
    with pytest.raises(ConfigError) as caught:
        read_table(path, COLUMNS)
    assert caught.value.message == (
        "le fichier « f.csv » a deux colonnes pour le même champ (ht) : « ht » et « Montant HT » ;"
        " supprimez-en une"
    )


def test_a_title_line_repeating_a_label_is_not_mistaken_for_the_header(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "Montant HT;Montant HT;\nht;start_date;x\n3;01/01/2026;a\n")
    (row,) = read_table(path, COLUMNS).rows
    assert (row.number, row.as_decimal("ht")) == (3, Decimal(3))


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"« absent\.csv » est introuvable"):
        read_table(tmp_path / "absent.csv", COLUMNS)
    with pytest.raises(ConfigError, match="ni un CSV ni un classeur XLSX"):
        read_table(write(tmp_path / "f.ods", "x"), COLUMNS)
    with pytest.raises(ConfigError, match="n'est pas un classeur XLSX lisible"):
        read_table(write(tmp_path / "f.xlsx", "not a zip"), COLUMNS)


def test_xlsx_with_typed_cells_and_a_chosen_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.create_sheet("Notes", 0)
    del workbook["Sheet"]
    sheet = workbook.create_sheet("Factures")
    sheet.append(["Code postal", "Montant HT", "Date de début"])
    sheet.append([1000, 1234.56, datetime(2026, 1, 31, 14, 5)])
    sheet.append(["2A004", "1 234,56", "31/01/2026"])
    sheet.append([None, None, None])
    sheet.append([33000, 7, date(2026, 2, 1)])
    path = tmp_path / "f.xlsx"
    workbook.save(path)

    table = read_table(path, COLUMNS, sheet="Factures", label="factures")
    assert [row.as_decimal("ht") for row in table] == [
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("7"),
    ]
    assert [row.as_date("start_date") for row in table] == [
        date(2026, 1, 31),
        date(2026, 1, 31),
        date(2026, 2, 1),
    ]
    assert [row.as_text("coordonnees_zipcode") for row in table] == ["1000", "2A004", "33000"]
    assert [row.source for row in table] == [
        "factures, feuille Factures, ligne 2",
        "factures, feuille Factures, ligne 3",
        "factures, feuille Factures, ligne 5",
    ]
    with pytest.raises(ConfigError) as caught:
        read_table(path, COLUMNS, sheet="Ventes")
    assert caught.value.message == (
        "le classeur « f.xlsx » n'a pas de feuille « Ventes » ; ses feuilles sont « Notes » et "
        "« Factures » : indiquez le nom exact de la feuille à lire (sheet) dans la configuration"
    )


def test_a_bad_cell_is_skippable_and_the_message_names_the_row_not_the_value(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "f.csv", "Date de début;Montant HT\n31/02/1984;douze\n")
    (row,) = read_table(path, COLUMNS).rows
    with pytest.raises(SkippableRecordError) as caught:
        row.as_date("start_date")
    assert caught.value.source == "f.csv ligne 2"
    assert caught.value.message.startswith("f.csv ligne 2, colonne « Date de début » : ")
    assert "1984" not in caught.value.message
    with pytest.raises(SkippableRecordError, match="colonne « Montant HT »"):
        row.as_decimal("ht")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("-0,01", "-0.01"),
        ("+3", "3"),
        ("150 000 €", "150000"),
        ("1'234.5", "1234.5"),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_decimal(text: str, expected: str | None) -> None:
    assert parse_decimal(text) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize("text", ["douze", "1,2,3.4.5", "1e5", "NaN", "12-", "--1"])
def test_parse_decimal_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="nombre"):
        parse_decimal(text)


def test_parse_decimal_typed_values() -> None:
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal(7) == Decimal(7)
    assert parse_decimal(None) is None
    with pytest.raises(ValueError):
        parse_decimal(float("inf"))
    with pytest.raises(ValueError):
        parse_decimal(date(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("1/2/2025", date(2025, 2, 1)),
        ("31/12/2025 14:05", date(2025, 12, 31)),
        ("31/12/2025 14h05", date(2025, 12, 31)),
        ("31/12/2025 14:05:59", date(2025, 12, 31)),
        ("31.12.2025", date(2025, 12, 31)),
        ("31-12-2025", date(2025, 12, 31)),
        ("2025-12-31", date(2025, 12, 31)),
        ("2025-12-31T23:59:00+01:00", date(2025, 12, 31)),
        ("2025-12-31 23:59:00.123", date(2025, 12, 31)),
        ("03/02/25", date(2025, 2, 3)),
        ("12/05/85", date(1985, 5, 12)),
        ("31/12/29", date(2029, 12, 31)),
        ("01/01/30", date(1930, 1, 1)),
        ("3 février 2025", date(2025, 2, 3)),
        ("3 fevrier 2025", date(2025, 2, 3)),
        ("3 fév. 2025", date(2025, 2, 3)),
        ("3 FÉVR. 2025", date(2025, 2, 3)),
        ("1er mars 2025", date(2025, 3, 1)),
        ("lundi 3 février 2025", date(2025, 2, 3)),
        ("03-févr.-25", date(2025, 2, 3)),
        ("15 août 2025", date(2025, 8, 15)),
        ("3 déc 2025", date(2025, 12, 3)),
        ("3 February 2025", date(2025, 2, 3)),
        ("February 3, 2025", date(2025, 2, 3)),
        ("45691", date(2025, 2, 3)),
        ("45691,75", date(2025, 2, 3)),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "13/13/2025",
        "2025-13-01",
        "30/02/2025",
        "31 février 2025",
        "3 brumaire 2025",
        "demain",
        "12/2025",
        "2025",
        "1234",
        "99999",
    ],
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


def test_parse_date_and_text_of_typed_cells() -> None:
    assert parse_date(datetime(2026, 1, 2, 3, 4)) == date(2026, 1, 2)
    assert parse_date(date(2026, 1, 2)) == date(2026, 1, 2)
    assert parse_date(Decimal(45691)) == date(2025, 2, 3)  # a date cell typed as a number
    assert parse_date(Decimal("45691.5")) == date(2025, 2, 3)
    for number in (Decimal(12), Decimal(250000), Decimal(-45691)):
        with pytest.raises(ValueError, match="une date est attendue"):
            parse_date(number)
    assert parse_text(Decimal("33000")) == "33000"
    assert parse_text(Decimal("2.50")) == "2.50"
    assert parse_text(date(2026, 1, 2)) == "2026-01-02"
    assert parse_text("  ") is None


def test_normalize_label() -> None:
    assert normalize_label("Date d'entrée au sociétariat") == "datedentreeausocietariat"
    assert normalize_label("DATE_D_ENTREE_AU_SOCIETARIAT") == "datedentreeausocietariat"
    assert normalize_label("Main-d'œuvre") == "maindoeuvre"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01/2026", date(2026, 1, 1)),
        ("1/2026", date(2026, 1, 1)),
        ("2026-11", date(2026, 11, 1)),
        ("15/11/2026", date(2026, 11, 1)),
        (datetime(2026, 2, 28, 12), date(2026, 2, 1)),
        ("novembre 2026", date(2026, 11, 1)),
        ("nov. 2026", date(2026, 11, 1)),
        ("Février 2026", date(2026, 2, 1)),
        (None, None),
    ],
)
def test_parse_month(value: str | datetime | None, expected: date | None) -> None:
    assert parse_month(value) == expected


@pytest.mark.parametrize("text", ["13/2026", "2026-00", "novembre"])
def test_parse_month_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="mois"):
        parse_month(text)


OPTIONAL_ONLY = [
    Column("id", ("ID enseigne",), required=False),
    Column("name", ("Enseigne",), required=False),
]


def test_title_lines_above_a_header_of_optional_columns_are_skipped(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Export des enseignes"])
    sheet.append(["Généré le 02/01/2026"])
    sheet.append(["ID enseigne", "Enseigne"])
    sheet.append([7, "Toits du Lauragais"])
    path = tmp_path / "enseignes.xlsx"
    workbook.save(path)

    table = read_table(path, OPTIONAL_ONLY, label="enseignes")
    assert [(row.as_text("id"), row.as_text("name")) for row in table] == [
        ("7", "Toits du Lauragais")
    ]
    assert [row.source for row in table] == ["enseignes ligne 4"]


def test_a_file_without_any_known_column_is_a_configuration_error(tmp_path: Path) -> None:
    path = write(tmp_path / "autre.csv", "Nom;Ville\nA;B\n")
    with pytest.raises(ConfigError, match="aucune colonne reconnue dans le fichier « autre »"):
        read_table(path, OPTIONAL_ONLY, label="autre")
