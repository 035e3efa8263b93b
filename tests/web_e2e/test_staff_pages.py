"""Federation staff in real Chromium: sign in and out, the overview, the statistics explorer
(a table with suppressed cells, a trend), completeness and the member CAEs."""

from __future__ import annotations

import re

from tests.served import RunningHub
from tests.web_e2e.browser import Visitor, login, shoot
from tests.web_e2e.checks import assert_no_hidden_value, heading, read_number
from tests.web_e2e.dataset import PUBLISHED, TO_PUBLISH, Dataset
from tests.web_e2e.reading import (
    carries_nothing,
    codes_by_label,
    grid,
    read_table,
    secret_kind,
    shown_value,
)

PERIOD = PUBLISHED[-1]
TABLE_URL = f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=trade&par=sex&vue=tableau"
NNBSP = "\u202f"


def test_logged_out_visitor_is_sent_to_login_then_back(
    visitor: Visitor, dataset: Dataset, hub: RunningHub
) -> None:
    page, watch = visitor.page, visitor.watch
    page.goto("/")
    assert page.url.endswith("/connexion")
    page.goto(TABLE_URL)
    assert re.search(r"/connexion\?suite=/statistiques", page.url), page.url
    assert heading(page) == "Connexion au tableau de bord"
    assert page.locator('input[type="hidden"][name="csrf_token"]').count() == 1
    shoot(page, "connexion", tablet=True)

    # A wrong password and an unknown address get the same answer: no account enumeration.
    watch.expect("/connexion", 401)
    messages = []
    for email, password in (
        (dataset.staff_email, "pas-le-bon-mot-de-passe"),
        ("personne@nulle-part.example", dataset.staff_password),
    ):
        page.fill('input[name="email"]', email)
        page.fill('input[name="password"]', password)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Se connecter").click()
        response = navigation.value
        assert response is not None and response.status == 401
        messages.append(page.get_by_role("alert").inner_text())
    assert messages[0] == messages[1] == "Adresse électronique ou mot de passe incorrect."
    shoot(page, "connexion-refusee")

    # The right password leads where the visitor was going.
    page.fill('input[name="email"]', dataset.staff_email)
    page.fill('input[name="password"]', dataset.staff_password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.url.endswith(TABLE_URL), page.url
    assert heading(page) == "Statistiques"
    # Every request was recorded, the page's own style sheet and script among them.
    assert {f"{hub.base_url}/static/hub.css", f"{hub.base_url}/static/hub.js"} <= set(
        watch.requests
    )
    watch.assert_clean()


def test_staff_logs_out_and_protected_pages_send_back_to_login(
    visitor: Visitor, dataset: Dataset
) -> None:
    page = visitor.page
    login(page, dataset.staff_email, dataset.staff_password)
    assert page.url.endswith("/tableau-de-bord")
    page.goto("/membres")
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    assert page.url.endswith("/connexion")
    for path in ("/membres", "/tableau-de-bord", TABLE_URL):
        page.goto(path)
        assert "/connexion?suite=" in page.url, page.url
        assert heading(page) == "Connexion au tableau de bord"

    # Signing in again, from the last page asked for, leads back to it.
    page.fill('input[name="email"]', dataset.staff_email)
    page.fill('input[name="password"]', dataset.staff_password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.url.endswith(TABLE_URL), page.url
    visitor.watch.assert_clean()


def test_overview_shows_the_published_semester_and_its_headline_figures(
    staff: Visitor, dataset: Dataset
) -> None:
    page = staff.page
    page.goto(f"/tableau-de-bord?periode={PERIOD}")
    assert heading(page) == "Tableau de bord — 1er semestre 2025"
    status = page.locator("section.statut")
    assert status.locator(".pastille").inner_text() == "Publié"
    reported = sum(1 for cae, period, _ in dataset.federation.reports() if str(period) == PERIOD)
    assert f"rapports de {reported} CAE" in status.inner_text()
    assert "Ces chiffres sont figés" in status.inner_text()

    truth = dataset.truth
    cards = {  # the card's code: the indicator, breakdown and cell it shows
        "entrepreneurs": ("entrepreneurs", (), ()),
        "cesa": ("entrepreneurs", ("contract",), ("cesa",)),
        "cape": ("entrepreneurs", ("contract",), ("cape",)),
        "associates": ("associates", (), ()),
        "entries": ("entries", (), ()),
        "exits": ("exits", (), ()),
        "revenue_eur": ("revenue_eur", (), ()),
    }
    for code, (indicator, by, key) in cards.items():
        cell = truth.table(PERIOD, indicator, by)[key]
        card = page.locator(f'li[data-figure="{code}"]')
        value = card.locator("p.valeur")
        if cell.reason is None:
            text = value.inner_text()
            assert read_number(text) == shown_value(truth.kinds[indicator], cell), (code, text)
            assert card.locator("svg[role=img]").count() == 1, code
        else:
            # Hidden under the publication's joint pattern (revenue_eur's grand total is, as
            # secondary): the mark « s », the rule, and its legend, never a figure.
            assert value.get_attribute("data-reason") == secret_kind(cell.reason), code
            assert value.get_attribute("data-rule") == cell.reason.value, code
            assert "secret" in (value.get_attribute("class") or "").split(), code
            text = value.inner_text()
            assert text.startswith("s") and "masquée" in text, (code, text)
            legend = value.locator("span.motif").inner_text()
            assert legend.startswith("(") and len(legend) > 2, (code, legend)
            assert not re.search(r"\d", text), (code, text)
    total = page.locator('li[data-figure="entrepreneurs"] p.valeur').inner_text()
    assert re.fullmatch(rf"\d{{1,3}}(?:{NNBSP}\d{{3}})*", total), total
    assert_no_hidden_value(page, dataset)
    shoot(page, "tableau-de-bord", tablet=True)
    staff.watch.assert_clean()


def test_explorer_table_hides_exactly_the_suppressed_cells(
    staff: Visitor, dataset: Dataset
) -> None:
    page = staff.page
    page.goto("/statistiques")
    page.select_option("#indicateur", "entrepreneurs")
    page.select_option("#periode", PERIOD)
    page.select_option("#par1", "trade")
    page.select_option("#par2", "sex")
    page.check('input[name="vue"][value="tableau"]')
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    assert heading(page) == "Statistiques"

    truth = dataset.truth.table(PERIOD, "entrepreneurs", ("trade", "sex"))
    hidden = {key for key, cell in truth.items() if cell.reason is not None}
    assert any(None not in key for key in hidden), "le tableau doit avoir des cellules masquées"
    shown = grid(read_table(page), ("trade", "sex"))
    assert set(shown) == set(truth)
    for key, cell in truth.items():
        on_page = shown[key]
        if cell.reason is None:
            assert on_page.secret is None, key
            assert on_page.number() == shown_value("persons", cell), key
        else:
            assert on_page.secret == secret_kind(cell.reason), key
            assert on_page.attributes.get("data-rule") == cell.reason.value, key
            assert carries_nothing(on_page), on_page

    legend = page.locator(".legende")
    reasons = {secret_kind(truth[key].reason) for key in hidden}  # type: ignore[arg-type]
    assert {
        legend.locator(".legende-ligne").nth(i).get_attribute("data-reason")
        for i in range(legend.locator(".legende-ligne").count())
    } == reasons
    assert page.locator("figure.graphique svg[role=img]").count() == 1
    assert_no_hidden_value(page, dataset)
    shoot(page, "statistiques-tableau", tablet=True)
    staff.watch.assert_clean()


def test_explorer_amounts_table_keeps_dominated_cells_hidden(
    staff: Visitor, dataset: Dataset
) -> None:
    page = staff.page
    page.goto(f"/statistiques?indicateur=revenue_eur&periode={PERIOD}&par=trade&vue=tableau")
    truth = dataset.truth.table(PERIOD, "revenue_eur", ("trade",))
    shown = grid(read_table(page), ("trade",))
    assert set(shown) == set(truth)
    for key, cell in truth.items():
        if cell.reason is None:
            assert shown[key].number() == shown_value("amount", cell), key
            assert shown[key].text.endswith("\u00a0€"), shown[key].text
        else:
            assert shown[key].secret == secret_kind(cell.reason), key
    assert_no_hidden_value(page, dataset)
    shoot(page, "statistiques-montants")
    staff.watch.assert_clean()


def test_explorer_trend_shows_each_published_semester(staff: Visitor, dataset: Dataset) -> None:
    page = staff.page
    page.goto(f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=sex&vue=evolution")
    assert heading(page) == "Statistiques"
    table = read_table(page, "table.stats#evolution")
    sexes = codes_by_label("sex")
    assert table.columns[-2:] == ["Variation du total", "CAE"]
    columns = [None if c == "Total" else sexes[c] for c in table.columns[:-2]]
    rows = {row[0].text: row[1:] for row in table.rows}
    for period, label in (("2024-S2", "2e semestre 2024"), ("2025-S1", "1er semestre 2025")):
        truth = dataset.truth.table(period, "entrepreneurs", ("sex",))
        assert int(rows[label][-1].text) > 0  # the CAE behind the semester
        for code, cell in zip(columns, rows[label][:-2], strict=True):
            expected = truth[(code,)]
            if expected.reason is None:
                assert cell.number() == shown_value("persons", expected), (period, code)
            else:
                assert cell.secret == secret_kind(expected.reason), (period, code)
    assert list(rows) == ["2e semestre 2024", "1er semestre 2025"]  # from the first publication
    assert page.locator("figure.graphique svg[role=img]").count() == 1
    assert_no_hidden_value(page, dataset)
    shoot(page, "statistiques-evolution", tablet=True)
    staff.watch.assert_clean()


def test_completeness_lists_late_members_first(staff: Visitor, dataset: Dataset) -> None:
    page = staff.page
    page.goto(f"/completude?periode={TO_PUBLISH}")
    assert heading(page) == "Complétude — 2e semestre 2025"
    rows = page.locator("table.completude tbody tr")
    members = len(dataset.federation.caes)
    assert rows.count() == members
    late = len(dataset.late_sirens)
    assert f"{members - late} CAE sur {members}" in page.locator("p.resume").inner_text()
    first = {rows.nth(i).get_attribute("data-siren") for i in range(late)}
    assert first == set(dataset.late_sirens)
    assert all("en-retard" in (rows.nth(i).get_attribute("class") or "") for i in range(late))
    shoot(page, "completude", tablet=True)

    region = dataset.federation.caes[0].region
    page.select_option("#region", region)
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    in_region = [c for c in dataset.federation.caes if c.region == region]
    assert page.locator("table.completude tbody tr").count() == len(in_region)
    staff.watch.assert_clean()


def test_members_list_and_detail(staff: Visitor, dataset: Dataset, hub: RunningHub) -> None:
    page = staff.page
    page.goto("/membres")
    assert heading(page) == "CAE membres"
    assert page.locator("table.membres tbody tr").count() == len(dataset.federation.caes)
    shoot(page, "membres", tablet=True)

    cae = next(c for c in dataset.federation.caes if c.siren == dataset.member_siren)
    with page.expect_navigation():
        page.get_by_role("link", name=cae.name, exact=True).click()
    assert page.url.endswith(f"/membres/{cae.siren}")
    assert heading(page) == cae.name
    history = page.locator("table.completude tbody tr")
    assert history.count() >= len(PUBLISHED) + 1
    assert dataset.member_email in page.locator("#comptes ~ ul").inner_text()
    shoot(page, "membre")
    staff.watch.assert_clean()


def test_staff_page_unknown_member_is_a_french_404(staff: Visitor) -> None:
    page = staff.page
    staff.watch.expect("/membres/000000000", 404)
    response = page.goto("/membres/000000000")
    assert response is not None and response.status == 404
    assert heading(page) == "Page introuvable"
    assert page.get_by_role("alert").count() == 1
    shoot(page, "page-introuvable")
    staff.watch.assert_clean()
