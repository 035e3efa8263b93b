"""What a register's columns mean for the report, said to the user before it is sent.

- an optional column the file lacks, or one that is empty on every row, is named with what
  its absence changes and the headers that would have been read (``column_warnings``);
- a per-person amount column (« CA HT 2025 ») gives its indicator for its own period only, or
  for the year when both semesters are there; for any other period it overlaps, the user is
  told why the amount is not sent (``person_amounts``).
"""

from __future__ import annotations

from collections.abc import Mapping

from cae_contract.periods import Period
from connectors.sdk.microdata import AmountRecord
from connectors.spreadsheet.amounts import parse_field
from connectors.spreadsheet.config import PERSON_AMOUNTS, REGISTER_EFFECTS, REGISTER_FIELDS
from connectors.spreadsheet.register import Register

_SHOWN_UNREAD = 12


def _quoted(headers: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"« {header} »" for header in headers)


def column_warnings(register: Register, mapping: Mapping[str, str]) -> list[str]:
    """One warning per optional column absent or empty, then the headers left unread."""
    label = register.label
    warnings = []
    for name in register.absent:
        names = {
            "departement": ("departement", "commune", "postcode"),
            "cesa_date": ("cesa_date", "contract"),
        }.get(name, (name,))
        missing = " ni ".join(f"« {REGISTER_FIELDS[n][0]} » ({n})" for n in names)
        recognised = " ; ".join(
            f"{n} : {_quoted(REGISTER_FIELDS[n] if n not in mapping else (mapping[n],))}"
            for n in names
        )
        warnings.append(
            f"{label} : pas de colonne {missing}, donc {REGISTER_EFFECTS[name]} ; en-têtes "
            f"reconnus : {recognised} ; si la colonne porte un autre nom, indiquez-le dans "
            f"columns.{name} de la configuration"
        )
    for name in register.empty:
        warnings.append(
            f"{label} : la colonne « {register.headers[name]} » ({name}) est vide, donc "
            f"{REGISTER_EFFECTS[name]}"
        )
    if register.absent and register.unread:
        shown = list(register.unread[:_SHOWN_UNREAD])
        left = len(register.unread) - len(shown)
        more = f" et {left} autre(s)" if left else ""
        warnings.append(f"{label} : colonnes du fichier non lues : {_quoted(shown)}{more}")
    return warnings


def person_amounts(
    register: Register, kind: str, period: Period
) -> tuple[list[AmountRecord] | None, list[str]]:
    """The amounts of ``kind`` (revenue, payroll) for ``period`` from the register's
    per-person columns (None: nothing to send), and why a column that overlaps the period
    could not give it."""
    indicator, what, sent, it = PERSON_AMOUNTS[kind]
    columns = {
        parsed[1]: name
        for name in register.amounts
        if (parsed := parse_field(name)) is not None and parsed[0] == kind
    }
    if not columns:
        return None, []
    wanted = [period]
    if period not in columns and not period.is_semester:
        halves = [Period(period.year, 1), Period(period.year, 2)]
        if all(half in columns for half in halves):
            wanted = halves
    if all(p in columns for p in wanted):
        names = [columns[p] for p in wanted]
        records = [record for name in names for record in register.amounts[name]]
        if not records:
            headers = _quoted([register.headers[name] for name in names])
            return None, [f"{period} : {what} non {sent}, colonne {headers} vide"]
        return records, []
    notes = []
    for other, name in sorted(columns.items()):
        if other.year != period.year:
            continue
        header = register.headers[name]
        if other.is_semester and not period.is_semester:
            notes.append(
                f"{period} : {what} ({indicator}) non {sent} pour l'année, la colonne "
                f"« {header} » ne couvre que le semestre {other} ; {it} s'envoie avec la "
                f"période {other}"
            )
        elif not other.is_semester:
            notes.append(
                f"{period} : {what} ({indicator}) non {sent} pour le semestre, la colonne "
                f"« {header} » donne l'année {other} entière ; {it} s'envoie avec la période "
                f"« {other} » (ajoutez-la aux périodes de la synchronisation)"
            )
    return None, notes
