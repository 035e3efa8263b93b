"""Reading what a page shows, as a person would: tables cell by cell, with their marks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from playwright.sync_api import Page

from cae_contract.catalogue import code_list_of
from cae_contract.registry import get_registry
from hub.stats.disclosure import CellKey, Reason
from hub.stats.lattice import NOT_STATED, OTHERS
from hub.stats.served import category_label
from tests.web_e2e.dataset import Cell
from tests.web_e2e.leaks import numbers

TOTAL = "Total"

_READ_TABLE = """
(selector) => {
  const table = document.querySelector(selector);
  if (!table) { return null; }
  const cells = (row) => Array.from(row.cells).map((cell) => ({
    tag: cell.tagName.toLowerCase(),
    text: cell.textContent.replace(/[ \\t\\n\\r]+/g, " ").trim(),
    note: Array.from(cell.querySelectorAll("sup")).map((s) => s.textContent).join(""),
    attributes: Object.fromEntries(Array.from(cell.attributes).map((a) => [a.name, a.value])),
  }));
  return {
    head: table.tHead ? cells(table.tHead.rows[0]) : [],
    rows: Array.from(table.tBodies).flatMap((body) => Array.from(body.rows)).map(cells),
  };
}
"""


@dataclass(frozen=True)
class ShownCell:
    tag: str
    text: str
    note: str
    attributes: dict[str, str]

    @property
    def secret(self) -> str | None:
        """``primary`` or ``secondary`` for a suppressed cell, else None."""
        if "secret" in self.attributes.get("class", "").split():
            return self.attributes.get("data-reason", "")
        return None

    def number(self) -> Decimal:
        found = numbers(self.text)
        assert len(found) == 1, f"un nombre attendu dans « {self.text} »"
        return found.pop()


@dataclass(frozen=True)
class ShownTable:
    head: list[ShownCell]
    rows: list[list[ShownCell]]

    @property
    def columns(self) -> list[str]:
        return [cell.text for cell in self.head[1:]]

    def secret_cells(self) -> list[ShownCell]:
        return [cell for row in self.rows for cell in row if cell.secret is not None]


def read_table(page: Page, selector: str = "table.stats") -> ShownTable:
    raw: Any = page.evaluate(_READ_TABLE, selector)
    assert raw is not None, f"aucun tableau « {selector} » sur {page.url}"

    def cells(items: list[dict[str, Any]]) -> list[ShownCell]:
        return [ShownCell(i["tag"], i["text"], i["note"], i["attributes"]) for i in items]

    return ShownTable(cells(raw["head"]), [cells(row) for row in raw["rows"]])


def codes_by_label(dim: str) -> dict[str, str]:
    """Category label → code, for reading a table's headers back: the code list's own, then
    « non renseigné » and the groups of rare codes as the hub names them."""
    codes = list(get_registry().code_list(code_list_of(dim)))
    codes += [NOT_STATED, OTHERS]
    if dim == "departement":
        codes += [
            f"{OTHERS}:{region}" for region in get_registry().code_list(code_list_of("region"))
        ]
    return {category_label(dim, code): code for code in codes}


def grid(table: ShownTable, by: tuple[str, ...]) -> dict[CellKey, ShownCell]:
    """The page's cells by the same keys as the hub's tables (None for a « Total » margin).

    No breakdown: one row « Total ». One: a row per category then « Total », one value column
    (then contributors). Two: rows of the first, columns of the second, « Total » last in both.
    """

    def code(dim: str, label: str) -> str | None:
        return None if label == TOTAL else codes_by_label(dim)[label]

    result: dict[CellKey, ShownCell] = {}
    for row in table.rows:
        header, values = row[0], row[1:]
        assert header.tag == "th", header
        if not by:
            result[()] = values[0]
        elif len(by) == 1:
            result[(code(by[0], header.text),)] = values[0]
        else:
            assert len(values) == len(table.columns), (header.text, len(values))
            for column, cell in zip(table.columns, values, strict=True):
                result[(code(by[0], header.text), code(by[1], column))] = cell
    return result


def shown_value(kind: str, cell: Cell) -> Decimal:
    """A published value as the page writes it: counts whole, amounts to the euro."""
    if kind == "persons":
        return Decimal(int(cell.value))
    return Decimal(str(cell.value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def secret_kind(reason: Reason) -> str:
    return "secondary" if reason is Reason.SECONDARY else "primary"


_NOTE = re.compile(r"note \d+")


def carries_nothing(cell: ShownCell) -> bool:
    """A suppressed cell shows its mark and note number only: no other digit, in its text or
    in any attribute."""
    text = _NOTE.sub("", cell.text).replace(cell.note, "", 1)
    attributes = " ".join(v for k, v in cell.attributes.items() if k != "class")
    return not re.search(r"\d", text) and not re.search(r"\d", attributes)
