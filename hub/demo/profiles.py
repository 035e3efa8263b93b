"""The demonstration CAEs as a federation officer would describe them.

Names are invented. Most CAEs work in Nouvelle-Aquitaine (region 75) and Occitanie (76); a few
elsewhere. The order matters: a reduced demonstration keeps the first ones, so the first eight
already hold the dominant CAE, large and tiny ones, and every kind of source file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Size(StrEnum):
    """How many entrepreneurs a CAE has, roughly, once its history has run."""

    DOMINANT = "dominant"  # the largest, and far above the others in revenue
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    TINY = "tiny"


class Source(StrEnum):
    """The kind of files a CAE's management system gives, and so the connector it runs."""

    ENDI_CSV_FIELDS = "endi-csv-fields"  # enDI CSV, field-name headers, UTF-8, ","
    ENDI_CSV_LABELS_LATIN1 = "endi-csv-labels-latin1"  # French labels, ";", Latin-1
    ENDI_CSV_LABELS_UTF8 = "endi-csv-labels-utf8"  # French labels, ";", UTF-8 with BOM
    ENDI_XLSX_LABELS = "endi-xlsx-labels"  # XLSX, French labels
    ENDI_XLSX_FIELDS = "endi-xlsx-fields"  # XLSX, field-name headers
    SHEET_CSV = "spreadsheet-csv"  # a hand-kept table, one row per entrepreneur, CSV
    SHEET_XLSX = "spreadsheet-xlsx"  # the same in a workbook
    SHEET_AGGREGATED = "spreadsheet-aggregated"  # figures already counted, one row per cell

    @property
    def connector(self) -> str:
        return "endi" if self.value.startswith("endi") else "spreadsheet"


HISTORY_START = date(2022, 1, 1)
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class CaeProfile:
    name: str
    slug: str
    region: str
    departements: tuple[str, ...]
    size: Size
    source: Source
    since: date = HISTORY_START  # first day its data covers (its founding for young CAEs)


PROFILES: tuple[CaeProfile, ...] = (
    CaeProfile(
        "Bâtisseurs Coopératifs d'Aquitaine",
        "batisseurs-aquitaine",
        "75",
        ("33", "24", "47", "40"),
        Size.DOMINANT,
        Source.ENDI_CSV_FIELDS,
    ),
    CaeProfile(
        "Ouvrage Commun Occitanie",
        "ouvrage-commun",
        "76",
        ("31", "81", "82", "32"),
        Size.LARGE,
        Source.ENDI_CSV_LABELS_LATIN1,
    ),
    CaeProfile(
        "Chantiers Partagés du Périgord",
        "chantiers-perigord",
        "75",
        ("24",),
        Size.TINY,
        Source.SHEET_XLSX,
    ),
    CaeProfile(
        "Les Charpentiers Associés du Béarn",
        "charpentiers-bearn",
        "75",
        ("64", "40"),
        Size.MEDIUM,
        Source.ENDI_XLSX_LABELS,
    ),
    CaeProfile(
        "Le Fil à Plomb",
        "fil-a-plomb",
        "76",
        ("11", "66", "34"),
        Size.MEDIUM,
        Source.SHEET_CSV,
    ),
    CaeProfile(
        "Toits et Murs Coopérative",
        "toits-et-murs",
        "75",
        ("17", "79"),
        Size.SMALL,
        Source.SHEET_AGGREGATED,
    ),
    CaeProfile(
        "Coop'Bâtir Gironde",
        "coopbatir-gironde",
        "75",
        ("33",),
        Size.LARGE,
        Source.ENDI_CSV_LABELS_UTF8,
    ),
    CaeProfile(
        "L'Équerre Coopérative",
        "equerre",
        "76",
        ("65", "09", "31"),
        Size.SMALL,
        Source.ENDI_XLSX_FIELDS,
    ),
    CaeProfile(
        "La Truelle Commune",
        "truelle-commune",
        "76",
        ("34", "30", "11"),
        Size.LARGE,
        Source.ENDI_CSV_FIELDS,
    ),
    CaeProfile(
        "Les Compagnons de la Garonne",
        "compagnons-garonne",
        "75",
        ("47", "33"),
        Size.MEDIUM,
        Source.ENDI_CSV_LABELS_LATIN1,
    ),
    CaeProfile(
        "Coop Habitat Pyrénées",
        "habitat-pyrenees",
        "76",
        ("66", "09", "11", "31"),
        Size.MEDIUM,
        Source.ENDI_CSV_LABELS_UTF8,
    ),
    CaeProfile(
        "Artisans Associés des Landes",
        "artisans-landes",
        "75",
        ("40", "64", "33"),
        Size.SMALL,
        Source.ENDI_XLSX_LABELS,
    ),
    CaeProfile(
        "Pierre et Chaux Coopérative",
        "pierre-et-chaux",
        "76",
        ("46", "12", "82"),
        Size.SMALL,
        Source.ENDI_CSV_FIELDS,
    ),
    CaeProfile(
        "Bâti-Coop Limousin",
        "baticoop-limousin",
        "75",
        ("87", "19", "23", "24"),
        Size.MEDIUM,
        Source.ENDI_CSV_LABELS_LATIN1,
    ),
    CaeProfile(
        "Coop Rénov' Charentes",
        "renov-charentes",
        "75",
        ("16", "17"),
        Size.SMALL,
        Source.ENDI_XLSX_FIELDS,
    ),
    CaeProfile(
        "Bois et Terre des Causses",
        "bois-et-terre",
        "76",
        ("48", "12"),
        Size.TINY,
        Source.ENDI_CSV_LABELS_UTF8,
    ),
    CaeProfile(
        "Les Bâtisseurs du Tarn",
        "batisseurs-tarn",
        "76",
        ("81", "31"),
        Size.MEDIUM,
        Source.ENDI_CSV_FIELDS,
    ),
    CaeProfile(
        "Éco-Bâtir Poitou",
        "ecobatir-poitou",
        "75",
        ("86", "79", "16"),
        Size.SMALL,
        Source.ENDI_CSV_LABELS_LATIN1,
    ),
    CaeProfile(
        "La Maison des Artisans du Gers",
        "artisans-gers",
        "76",
        ("32", "31"),
        Size.TINY,
        Source.ENDI_XLSX_LABELS,
        since=date(2024, 3, 1),
    ),
    CaeProfile(
        "Atelier Coopératif Rochelais",
        "atelier-rochelais",
        "75",
        ("17",),
        Size.SMALL,
        Source.SHEET_CSV,
        since=date(2023, 9, 1),
    ),
    CaeProfile(
        "Ensemble Bâtir Hérault",
        "batir-herault",
        "76",
        ("34",),
        Size.MEDIUM,
        Source.ENDI_CSV_LABELS_UTF8,
    ),
    CaeProfile(
        "Coop Bâtiment Rhône-Alpes",
        "batiment-rhone-alpes",
        "84",
        ("69", "38"),
        Size.MEDIUM,
        Source.ENDI_CSV_FIELDS,
    ),
    CaeProfile(
        "Chantiers Solidaires de l'Erdre",
        "chantiers-erdre",
        "52",
        ("44", "49"),
        Size.SMALL,
        Source.ENDI_XLSX_FIELDS,
    ),
    CaeProfile(
        "Bâtir en Bretagne Coopérative",
        "batir-bretagne",
        "53",
        ("35", "56"),
        Size.TINY,
        Source.ENDI_CSV_LABELS_LATIN1,
        since=date(2025, 2, 1),
    ),
)
