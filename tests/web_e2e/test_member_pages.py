"""A member CAE's account in real Chromium: its own overview and preview, published figures
only, and the « page introuvable » of every staff page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bench.federation import report_for
from cae_contract.periods import Period
from tests.web_e2e.browser import Visitor, login, shoot
from tests.web_e2e.checks import assert_no_hidden_value, assert_table_shows, heading
from tests.web_e2e.dataset import PUBLISHED, TO_PUBLISH, Dataset
from tests.web_e2e.leaks import numbers
from tests.web_e2e.reading import codes_by_label, read_table, secret_kind

PERIOD = PUBLISHED[-1]
STAFF_PAGES = [
    f"/completude?periode={PERIOD}",
    "/membres",
    "/membres/{siren}",
    "/membres/{other}",
    f"/publication/{TO_PUBLISH}",
]


def test_member_signs_in_and_sees_its_own_report(visitor: Visitor, dataset: Dataset) -> None:
    page = visitor.page
    login(page, dataset.member_email, dataset.member_password)
    assert page.url.endswith("/tableau-de-bord")
    # Members see published semesters only: the latest published one is the default.
    assert heading(page) == "Tableau de bord — 1er semestre 2025"
    assert dataset.member_name in page.locator("header").inner_text()
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Tableau de bord",
        "Statistiques",
        "Formations",
        "Paie déléguée",
        "Séminaires",
        "Groupes",
        "Feuilles de route",
        "Compétences",
        "Ce que la fédération verra",
    ]
    own = page.locator("#votre-rapport").locator("xpath=..")
    assert "Reçu le" in own.inner_text()
    assert "spreadsheet 1.4.0" in own.inner_text()
    assert_no_hidden_value(page, dataset, known=dataset.own_values)
    shoot(page, "membre-tableau-de-bord", tablet=True)
    visitor.watch.assert_clean()


def test_member_preview_shows_only_its_own_cells(member: Visitor, dataset: Dataset) -> None:
    page = member.page
    by = ("trade", "sex")
    page.goto(f"/apercu?indicateur=entrepreneurs&periode={TO_PUBLISH}&par=trade&par=sex")
    assert heading(page) == "Ce que la fédération verra"
    cae = next(c for c in dataset.federation.caes if c.siren == dataset.member_siren)
    own = {  # its report's cells of this breakdown and of its margins
        tuple(cell["dims"].get(d) for d in by): Decimal(str(cell["value"]))
        for cell in report_for(cae, Period.parse(TO_PUBLISH))["cells"]
        if cell["indicator"] == "entrepreneurs" and set(cell["dims"]) <= set(by)
    }
    total = own[(None, None)]
    labels = [codes_by_label(d) for d in by]
    truth = dataset.truth.table(TO_PUBLISH, "entrepreneurs", by)
    seen = {}
    fates = {"publiée": 0, "masquée": 0}
    for row in read_table(page, "table.apercu").rows:
        *headers, value, fate = row
        key = tuple(
            None if h.text == "Total" else codes[h.text]
            for h, codes in zip(headers, labels, strict=True)
        )
        seen[key] = value.number()
        cell = truth[key]
        if cell.reason is None:
            assert fate.text == "publiée", key
            fates["publiée"] += 1
        else:
            assert fate.attributes.get("data-reason") == secret_kind(cell.reason), key
            assert fate.text.startswith("masquée : "), fate.text
            fates["masquée"] += 1
    assert seen == own
    assert fates["publiée"] and fates["masquée"], fates

    # Nothing of the other CAEs: neither their names nor the federation's totals.
    text = page.content()
    others = [c for c in dataset.federation.caes if c.siren != dataset.member_siren]
    assert not [c.name for c in others if re.search(rf"{re.escape(c.name)}\b", text)]
    assert not [c.siren for c in others if c.siren in text]
    federation_total = truth[(None, None)].value
    assert federation_total != total
    assert Decimal(int(federation_total)) not in numbers(page.inner_text("main"))
    assert_no_hidden_value(page, dataset, known=dataset.own_values)
    shoot(page, "apercu", tablet=True)
    member.watch.assert_clean()


def test_member_explorer_offers_published_semesters_only(member: Visitor, dataset: Dataset) -> None:
    page = member.page
    page.goto(f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=trade&par=sex")
    offered = page.locator("#periode option").evaluate_all("(os) => os.map((o) => o.value)")
    assert sorted(offered) == sorted(PUBLISHED)
    truth = dataset.truth.table(PERIOD, "entrepreneurs", ("trade", "sex"))
    assert_table_shows(page, truth, ("trade", "sex"))
    assert_no_hidden_value(page, dataset, known=dataset.own_values)
    shoot(page, "membre-statistiques")

    member.watch.expect("/statistiques", 404)
    response = page.goto(f"/statistiques?indicateur=entrepreneurs&periode={TO_PUBLISH}")
    assert response is not None and response.status == 404
    assert "pas encore publiées" in page.get_by_role("alert").inner_text()
    member.watch.assert_clean()


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_do_not_exist_for_a_member(
    member: Visitor, dataset: Dataset, path: str
) -> None:
    other = next(c.siren for c in dataset.federation.caes if c.siren != dataset.member_siren)
    url = path.format(siren=dataset.member_siren, other=other)
    page = member.page
    member.watch.expect(url.split("?")[0], 404)
    response = page.goto(url)
    assert response is not None and response.status == 404
    assert heading(page) == "Page introuvable"
    assert page.get_by_role("alert").inner_text() == "Cette page n'existe pas."
    main = page.locator("main").inner_text()
    assert other not in main and dataset.member_siren not in main
    if path == "/membres":
        shoot(page, "membre-page-introuvable")
    member.watch.assert_clean()


def test_member_cannot_publish_even_with_its_own_csrf_token(
    member: Visitor, dataset: Dataset
) -> None:
    page = member.page
    page.goto("/tableau-de-bord")
    token = page.locator('form[action="/deconnexion"] input[name="csrf_token"]').input_value()
    member.watch.expect(f"/publication/{TO_PUBLISH}", 404)
    response = page.request.post(
        f"/publication/{TO_PUBLISH}", form={"csrf_token": token}, max_redirects=0
    )
    assert response.status == 404
    assert "Page introuvable" in response.text()
    member.watch.assert_clean()
