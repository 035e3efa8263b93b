"""Publishing a semester from the browser: the live overview, the confirmation page, then the
frozen status everywhere it shows."""

from __future__ import annotations

from tests.web_e2e.browser import Visitor, shoot
from tests.web_e2e.checks import assert_no_hidden_value, assert_table_shows, heading
from tests.web_e2e.dataset import TO_PUBLISH, Dataset


def test_staff_publishes_a_semester_after_confirmation(staff: Visitor, dataset: Dataset) -> None:
    page = staff.page
    members = len(dataset.federation.caes)
    reporting = members - len(dataset.late_sirens)

    page.goto(f"/tableau-de-bord?periode={TO_PUBLISH}")
    assert heading(page) == "Tableau de bord — 2e semestre 2025"
    status = page.locator("section.statut")
    assert status.locator(".pastille").inner_text() == "Non publié"
    assert f"rapports reçus de {reporting} CAE" in status.inner_text()
    # Live figures: each table protected alone until the publication stores its pattern.
    drafts = dataset.truth.drafts()
    assert_no_hidden_value(page, dataset, truth=drafts)
    shoot(page, "tableau-de-bord-provisoire", tablet=True)

    # Live figures of an unpublished semester: staff only, and marked as such.
    page.goto(f"/statistiques?indicateur=entrepreneurs&periode={TO_PUBLISH}&par=sex")
    assert "Chiffres provisoires" in page.locator("main").inner_text()
    assert_table_shows(page, drafts.table(TO_PUBLISH, "entrepreneurs", ("sex",)), ("sex",))

    page.goto(f"/tableau-de-bord?periode={TO_PUBLISH}")
    with page.expect_navigation():
        page.get_by_role("link", name="Publier ce semestre").click()
    assert page.url.endswith(f"/publication/{TO_PUBLISH}")
    assert heading(page) == "Publier le 2e semestre 2025"
    main = page.locator("main").inner_text()
    assert "Ce semestre n'a jamais été publié." in main
    assert f"{reporting}\nCAE sur {members}" in main or f"{reporting} CAE sur {members}" in main
    assert page.locator("table.completude tbody tr").count() == reporting
    late_names = {c.name for c in dataset.federation.caes if c.siren in dataset.late_sirens}
    listed = set(page.locator("#manquants ~ ul li").all_inner_texts())
    assert listed == late_names
    assert_no_hidden_value(page, dataset, truth=drafts)
    shoot(page, "publication-confirmation", tablet=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Publier et figer le 2e semestre 2025").click()
    assert page.url.endswith(f"/publication/{TO_PUBLISH}?publiee=1"), page.url
    assert "Publication n°\u00a01 enregistrée" in page.get_by_role("alert").inner_text()
    shoot(page, "publication-faite")

    page.goto(f"/tableau-de-bord?periode={TO_PUBLISH}")
    status = page.locator("section.statut")
    assert status.locator(".pastille").inner_text() == "Publié"
    assert "Publication n°\u00a01" in status.inner_text()
    assert "Ces chiffres sont figés" in status.inner_text()
    assert f"rapports de {reporting} CAE" in status.inner_text()

    page.goto(f"/statistiques?indicateur=entrepreneurs&periode={TO_PUBLISH}&par=sex")
    main = page.locator("main").inner_text()
    assert "Chiffres provisoires" not in main
    assert "Publication n°\u00a01" in main
    # Published: the pattern the publication stored, as the preview announced it.
    assert_table_shows(page, dataset.truth.table(TO_PUBLISH, "entrepreneurs", ("sex",)), ("sex",))

    page.goto(f"/completude?periode={TO_PUBLISH}")
    assert "Dernière publication : n°\u00a01" in page.locator("p.resume").inner_text()
    staff.watch.assert_clean()


def test_publication_form_refuses_a_forged_request(staff: Visitor, dataset: Dataset) -> None:
    """The publish button's form carries the session's CSRF token; without it, nothing."""
    page = staff.page
    staff.watch.expect(f"/publication/{TO_PUBLISH}", 403)
    page.goto(f"/publication/{TO_PUBLISH}")
    page.evaluate("document.querySelector('form.confirmation input[name=csrf_token]').value = 'x'")
    with page.expect_navigation() as navigation:
        page.locator("form.confirmation button[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == 403
    assert heading(page) == "Action refusée"
    page.goto(f"/completude?periode={TO_PUBLISH}")
    summary = page.locator("p.resume").inner_text()
    assert "n°\u00a02" not in summary
    staff.watch.assert_clean()
