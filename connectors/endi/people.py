"""Entrepreneurs from the entrepreneur file (UserDatas) and the career paths (CareerPath).

A person's career path is a list of dated stages. Each stay in the CAE (a « spell ») begins
with the first CAPE or CESA contract after arrival or after a previous exit, and ends with an
exit stage; someone who leaves and comes back is two spells, so that both the exit and the
later entry are counted. Candidates who never signed a contract are not entrepreneurs.

Identity columns are never read (see ``columns``); what is read about a person (birth date,
postcode) becomes an ``EntrepreneurRecord`` and nothing else is kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from connectors.endi.vocabulary import StageKind, TradeMap, departement, exit_reason, sex
from connectors.endi.vocabulary import stage_kind as classify_stage
from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.microdata import EntrepreneurRecord
from connectors.sdk.tabular import Row, Table, normalize_label

_SHOWN_LABELS = 8
_ORDER = {"cape": 0, "cesa": 0, "exit": 1}  # a contract and an exit the same day: in, then out


@dataclass(frozen=True)
class Person:
    """What the connector uses of one entrepreneur, without identity."""

    source: str
    associate_date: date | None
    trade: str | None
    sex: str | None
    birth_date: date | None
    departement: str | None


@dataclass(frozen=True)
class Stage:
    start: date
    kind: StageKind
    reason: str | None


@dataclass
class Spell:
    entry: date
    cesa: date | None = None
    exit: date | None = None
    reason: str | None = None


@dataclass
class Vocabulary:
    """The CAE's configuration of labels, and what the files said that it does not cover."""

    trades: TradeMap
    stages: Mapping[str, StageKind]
    exits: Mapping[str, str]
    departements: Collection[str]
    unknown: dict[tuple[str, str], dict[str, str]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """(where, setting) → the unrecognised labels, by normalised form (first writing kept)."""

    def raise_unknown(self) -> None:
        """One ConfigError naming every unrecognised label, by file and column."""
        if not self.unknown:
            return
        parts = []
        for (where, setting), found in sorted(self.unknown.items()):
            labels = sorted(found.values())
            shown = labels[:_SHOWN_LABELS]
            more = " …" if len(labels) > _SHOWN_LABELS else ""
            listed = ", ".join(f"« {label[:60]} »" for label in shown)
            parts.append(f"{where} : {listed}{more} (à déclarer dans « {setting} »)")
        raise ConfigError(
            "libellés sans correspondance dans la configuration — " + " ; ".join(parts)
        )

    def note(self, table: Table, column: str, setting: str, label: str) -> None:
        header = table.headers.get(column, column)
        where = f"colonne « {header} » de « {table.label} »"
        self.unknown[(where, setting)].setdefault(normalize_label(label), label)


@dataclass
class People:
    """Entrepreneur records, the persons by enDI identifier (for linking invoices and
    payroll), and the rows that could not be used."""

    records: list[EntrepreneurRecord]
    persons: dict[str, Person]
    skipped: list[SkippableRecordError]


def read_people(userdatas: Table, career_paths: Table, vocabulary: Vocabulary) -> People:
    """Entrepreneurs of ``userdatas`` whose ``career_paths`` hold a contract. Raises
    ConfigError listing every label the configuration does not cover."""
    skipped: list[SkippableRecordError] = []
    rows = _rows_by_id(userdatas, skipped)
    stages = _stages_by_id(career_paths, rows, vocabulary, skipped)
    persons: dict[str, Person] = {}
    for key in stages:
        try:
            persons[key] = _person(rows[key], userdatas, vocabulary)
        except SkippableRecordError as error:
            skipped.append(error)
    vocabulary.raise_unknown()
    records: list[EntrepreneurRecord] = []
    for key, person in persons.items():
        for spell in _spells(stages[key]):
            try:
                records.append(_record(person, spell))
            except SkippableRecordError as error:
                skipped.append(error)
    return People(records, persons, skipped)


def _rows_by_id(userdatas: Table, skipped: list[SkippableRecordError]) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for row in userdatas:
        key = row.as_text("id")
        if key is None:
            skipped.append(row.error("id", "identifiant manquant, la ligne ne peut être reliée"))
        elif key in rows:
            skipped.append(
                row.error("id", f"identifiant déjà vu ({rows[key].source}), ligne ignorée")
            )
        else:
            rows[key] = row
    return rows


def _stages_by_id(
    career_paths: Table,
    people: Mapping[str, Row],
    vocabulary: Vocabulary,
    skipped: list[SkippableRecordError],
) -> dict[str, list[Stage]]:
    stages: dict[str, list[Stage]] = defaultdict(list)
    for row in career_paths:
        try:
            stage = _stage(row, career_paths, vocabulary)
            if stage is None:
                continue
            key = row.as_text("userdatas_id")
            if key is None:
                raise row.error("userdatas_id", "identifiant de l'entrepreneur manquant")
            if key not in people:
                raise row.error(
                    "userdatas_id", "aucun entrepreneur de cet identifiant dans le fichier enDI"
                )
            stages[key].append(stage)
        except SkippableRecordError as error:
            skipped.append(error)
    return stages


def _stage(row: Row, table: Table, vocabulary: Vocabulary) -> Stage | None:
    """The stage of a career-path row; None for stages that do not count (diagnostic,
    amendment) and for those whose label the configuration must first declare."""
    label = row.as_text("career_stage")
    kind = classify_stage(
        label, row.as_text("stage_type"), row.as_text("type_contrat"), vocabulary.stages
    )
    if kind is None:
        if label is None:
            raise row.error("career_stage", "étape de parcours vide")
        vocabulary.note(table, "career_stage", "career_stages", label)
        return None
    if kind == "ignore":
        return None
    start = row.as_date("start_date")
    if start is None:
        raise row.error("start_date", "date d'effet manquante")
    reason = None
    if kind == "exit":
        motive, exit_type = row.as_text("motif_sortie"), row.as_text("type_sortie")
        reason = exit_reason((motive, exit_type), vocabulary.exits)
        if reason is None:
            for column, text in (("motif_sortie", motive), ("type_sortie", exit_type)):
                if text:
                    vocabulary.note(table, column, "exit_reasons", text)
            return None
    return Stage(start, kind, reason)


def _person(row: Row, table: Table, vocabulary: Vocabulary) -> Person:
    trade: str | None = None
    for column in ("activity_typologie", "activity_companydatas"):
        label = row.as_text(column)
        known, trade = vocabulary.trades.resolve(label)
        if not known and label is not None:
            vocabulary.note(table, column, "trades", label)
        if trade is not None:
            break
    return Person(
        source=row.source,
        associate_date=row.as_date("situation_societariat_entrance"),
        trade=trade,
        sex=sex(row.as_text("coordonnees_sex"), row.as_text("coordonnees_civilite")),
        birth_date=row.as_date("coordonnees_birthday"),
        departement=departement(row.as_text("coordonnees_zipcode"), vocabulary.departements),
    )


def _spells(stages: list[Stage]) -> list[Spell]:
    spells: list[Spell] = []
    current: Spell | None = None
    for stage in sorted(stages, key=lambda s: (s.start, _ORDER[s.kind])):
        if stage.kind in ("cape", "cesa"):
            if current is None or current.exit is not None:
                current = Spell(entry=stage.start)
                spells.append(current)
            if stage.kind == "cesa" and current.cesa is None:
                current.cesa = stage.start
        elif stage.kind == "exit" and current is not None and current.exit is None:
            # An exit before any contract closes a candidacy, not a stay.
            current.exit, current.reason = stage.start, stage.reason
    return spells


def _record(person: Person, spell: Spell) -> EntrepreneurRecord:
    return EntrepreneurRecord(
        source=person.source,
        entry_date=spell.entry,
        cesa_date=spell.cesa,
        exit_date=spell.exit,
        exit_reason=spell.reason,
        associate_date=person.associate_date,
        trade=person.trade,
        sex=person.sex,
        birth_date=person.birth_date,
        departement=person.departement,
    )
