"""What every export of a protected table says, whatever its format: the columns and their
French descriptions, one row per cell (a suppressed cell has no value, only its status and
reason), the title, publication and disclosure rules in words, and the file names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from cae_contract.catalogue import dimension_title as dimension_title
from cae_contract.catalogue import get_catalogue
from cae_contract.format import fr_datetime, fr_period
from hub.stats.disclosure import Reason, Rules, reason_label
from hub.stats.schemas import StatsCell, StatsTable

SOURCE = "Fédération des CAE du bâtiment — cae-hub"
TOTAL = "Total"
HIDDEN_MARK = "s"
PUBLISHED = "publiée"
PRIMARY = "secret primaire"
SECONDARY = "secret secondaire"


def status(cell: StatsCell) -> str:
    """« publiée », « secret primaire » or « secret secondaire »; a republication's cell
    that repeats an earlier value says which publication it comes from."""
    if cell.suppressed is None:
        if cell.kept_from is not None:
            return f"{PUBLISHED} (valeur de la publication n° {cell.kept_from})"
        return PUBLISHED
    return SECONDARY if cell.suppressed is Reason.SECONDARY else PRIMARY


@dataclass(frozen=True)
class Column:
    name: str
    type: Literal["string", "integer", "number"]
    description: str


def columns(table: StatsTable) -> list[Column]:
    """The columns shared by every export, with French names and descriptions."""
    result = []
    for dim in table.by:
        title = dimension_title(dim)
        result += [
            Column(
                f"{title} (code)",
                "string",
                f"Code de la catégorie ({_lower_first(title)}) ; « {TOTAL} » pour la marge qui "
                "réunit toutes les catégories.",
            ),
            Column(title, "string", f"Libellé de la catégorie ({_lower_first(title)})."),
        ]
    info = table.indicator
    result += [
        Column(
            f"{info.label} ({info.unit})",
            "integer" if info.kind == "persons" else "number",
            f"{info.label}, en {info.unit}, somme sur les CAE contributrices. Vide quand la "
            "cellule est couverte par le secret statistique (voir « Statut »).",
        ),
        Column(
            "CAE contributrices",
            "integer",
            "Nombre de CAE dont un chiffre entre dans la cellule ; vide pour une cellule masquée.",
        ),
        Column("Statut", "string", f"« {PUBLISHED} », « {PRIMARY} » ou « {SECONDARY} »."),
        Column("Motif", "string", "Pourquoi la cellule est masquée, en clair."),
    ]
    return result


def rows(table: StatsTable) -> list[list[str | float | int | None]]:
    """One row per cell, as typed values: None where nothing is published."""
    result: list[list[str | float | int | None]] = []
    for cell in table.cells:
        row: list[str | float | int | None] = []
        for dim in table.by:
            code = cell.dims.get(dim)
            row += [code, cell.labels.get(dim, code)] if code is not None else [TOTAL, TOTAL]
        shown = cell.suppressed is None
        reason = "" if cell.suppressed is None else table.legend[cell.suppressed.value]
        row += [
            cell.value if shown else None,
            cell.contributors if shown else None,
            status(cell),
            reason,
        ]
        result.append(row)
    return result


def rules_of(table: StatsTable) -> Rules:
    return Rules(**table.rules.model_dump())


def breakdown(table: StatsTable) -> str:
    return " × ".join(dimension_title(d) for d in table.by) or "aucune (ensemble des CAE)"


def publication_text(table: StatsTable) -> str:
    source = table.source
    if source.status == "published" and source.published_at is not None:
        text = f"publication n° {source.publication} du {fr_datetime(source.published_at)}"
        return f"{text} ({source.provisional_label})" if source.provisional_label else text
    return "brouillon non publié : chiffres provisoires, réservés à l'équipe de la fédération"


def primary_reasons(table: StatsTable) -> tuple[Reason, Reason]:
    """Dominance is judged on amounts, small counts on persons (and rates built on them)."""
    other = Reason.DOMINANCE if table.indicator.kind == "amount" else Reason.SMALL_COUNT
    return Reason.FREQUENCY, other


def rules_text(table: StatsTable) -> str:
    """The disclosure rules that shaped the table, in one French paragraph."""
    rules = rules_of(table)
    reasons = " ; ".join(reason_label(r, rules) for r in primary_reasons(table))
    protection = f"{rules.protection * 100:g}".replace(".", ",")
    return (
        f"Secret primaire pour toute cellule où : {reasons}. Secret secondaire : d'autres "
        "cellules sont masquées pour qu'aucune valeur masquée ne puisse être recalculée à "
        f"partir des cellules publiées et des totaux, ni encadrée à moins de {protection} % "
        "près. Les valeurs masquées ne sont jamais diffusées."
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def title_of(table: StatsTable) -> str:
    title = f"{table.indicator.label} — {fr_period(table.period)}"
    if table.by:
        title += ", par " + " et ".join(_lower_first(dimension_title(d)) for d in table.by)
    if table.source.status == "draft":
        return title + " (brouillon)"
    return title + (" (provisoire)" if table.source.provisional else "")


def provisional_note(table: StatsTable) -> str | None:
    """The line an export of a provisional publication carries (None for a final one)."""
    if not table.source.provisional:
        return None
    label = (table.source.provisional_label or "").removeprefix("provisoire : ")
    return (
        f"Note : publication provisoire{f' ({label})' if label else ''} : chiffres partiels, "
        "remplacés par la publication définitive après la fin de la période."
    )


def definition(table: StatsTable) -> str:
    indicator = get_catalogue().get(table.indicator.code)
    return indicator.definition if indicator is not None else ""


def timestamp(table: StatsTable, exported_at: datetime | None) -> datetime:
    if table.source.status == "published" and table.source.published_at is not None:
        moment = table.source.published_at
    else:
        moment = exported_at or datetime.now(UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def ascii_filename(table: StatsTable, extension: str) -> str:
    """``entrepreneurs_2025-S2_trade-sex.csv``: safe for any client."""
    draft = (
        "_brouillon"
        if table.source.status == "draft"
        else "_provisoire"
        if table.source.provisional
        else ""
    )
    name = f"{table.indicator.code}_{table.period}_{'-'.join(table.by) or 'total'}{draft}"
    return f"{name}.{extension}" if extension else name


def french_filename(table: StatsTable, extension: str) -> str:
    """The title of the table as a file name, without characters file systems refuse."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title_of(table))
    return f"{re.sub(r' +', ' ', name).strip()}.{extension}"
