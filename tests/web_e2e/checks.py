"""What every page must satisfy, checked on the page the browser is showing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from playwright.sync_api import Page

from hub.stats.disclosure import CellKey
from tests.web_e2e.dataset import Cell, Dataset, Truth
from tests.web_e2e.leaks import numbers, secrets
from tests.web_e2e.reading import (
    ShownCell,
    carries_nothing,
    grid,
    read_table,
    secret_kind,
    shown_value,
)


def heading(page: Page) -> str:
    """The page's one ``h1``, inside ``<main id="contenu">``."""
    headings = page.locator("h1")
    assert headings.count() == 1, f"{page.url} : {headings.count()} titres h1"
    assert page.locator("main#contenu h1").count() == 1, f"{page.url} : h1 hors de main#contenu"
    return headings.inner_text()


def read_number(text: str) -> Decimal:
    found = numbers(text)
    assert len(found) == 1, f"un nombre attendu dans « {text} »"
    return found.pop()


def secret_cells(page: Page) -> list[ShownCell]:
    """The suppressed cells of every statistics table of the page."""
    tables = page.locator("table.stats")
    cells: list[ShownCell] = []
    for index in range(tables.count()):
        table_id = tables.nth(index).get_attribute("id")
        assert table_id, f"{page.url} : tableau statistique sans id"
        cells += read_table(page, f"table.stats#{table_id}").secret_cells()
    return cells


def assert_no_hidden_value(
    page: Page, dataset: Dataset, *, known: Iterable[float] = (), truth: Truth | None = None
) -> None:
    """No value hidden by disclosure control in the page's HTML, and suppressed cells that
    carry nothing but their mark. ``known``: figures the reader may see (its own report);
    ``truth``: what the page hides, if not the published patterns (draft pages)."""
    truth = dataset.truth if truth is None else truth
    found = secrets(truth, known=known).leaks(page.content())
    assert not found, f"{page.url} montre des valeurs masquées : {found}"
    for cell in secret_cells(page):
        assert carries_nothing(cell), f"{page.url} : {cell}"


def assert_table_shows(
    page: Page, truth: Mapping[CellKey, Cell], by: tuple[str, ...], *, kind: str = "persons"
) -> dict[CellKey, ShownCell]:
    """Each cell of the page's statistics table: its published value, or its secret's mark.
    The cells read, by key, for what a test checks besides."""
    shown = grid(read_table(page), by)
    for key, cell in truth.items():
        if cell.reason is None:
            assert shown[key].number() == shown_value(kind, cell), key
        else:
            assert shown[key].secret == secret_kind(cell.reason), key
    return shown
