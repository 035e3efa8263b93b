"""The search for hidden values finds them in every form a page or a file could write them,
so that the browser tests' « no hidden value » checks can fail."""

from __future__ import annotations

from cae_contract.format import fr_decimal, fr_eur, fr_int
from tests.web_e2e.dataset import PUBLISHED, Dataset
from tests.web_e2e.leaks import secrets


def test_every_written_form_of_a_hidden_amount_is_found(dataset: Dataset) -> None:
    search = secrets(dataset.truth)
    assert len(search) > 100  # enough hidden cells to make the page checks meaningful
    value = next(
        cell.value
        for (period, indicator, _), _, cell in dataset.truth.hidden(PUBLISHED[-1])
        if indicator == "revenue_eur" and search.leaked_numbers([cell.value])
    )
    for written in (
        fr_eur(value),
        fr_eur(value, 2),
        fr_decimal(value, 1),
        fr_int(value),
        str(value),
        f"{value:.2f}".replace(".", ","),
        f'<rect data-valeur="{value}"/>',
        f"<title>{fr_eur(value)}</title>",
    ):
        assert search.leaks(f"<p>{written}</p>"), written
    assert search.leaked_numbers([value])
    assert not search.leaks("<p>Aucune valeur ici : 1er semestre 2025, 36 CAE.</p>")


def test_large_hidden_counts_are_found_in_text_not_in_chart_geometry(dataset: Dataset) -> None:
    search = secrets(dataset.truth)
    assert search.in_text, "la fédération des tests masque des effectifs d'au moins 100"
    count = next(iter(search.in_text))
    assert search.leaks(f"<td>{fr_int(count)}</td>")
    assert search.leaks(f'<td aria-label="{count} personnes">s</td>')
    assert not search.leaks(f'<svg><rect x="{count}" width="{count}" height="3"/></svg>')
    assert not search.leaks(f'<svg aria-labelledby="graphique-9f{count}c2-titre"></svg>')
