"""Working groups, seminars, packs, roadmaps and the skills register in real Chromium, on a
hub whose groups and seminar were set up with ``cae-hub seminaire`` as staff type it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.served import RunningHub
from tests.web_e2e.browser import Visitor
from tests.web_e2e.checks import assert_no_hidden_value, heading
from tests.web_e2e.dataset import STAFF_NAME, Dataset

PLACE = "Bordeaux, Maison des Scop"
QUESTION = "Quel rythme de passage au sociétariat visons-nous ?"
PRIVATE_TARGET = "9876"
BUILD_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def seminar(hub: RunningHub, dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seminar n°1 after the last published semester, its strategy pack built from the
    shell; the path of the PDF the command wrote."""
    other = next(c for c in dataset.federation.caes if c.siren != dataset.member_siren)
    output = tmp_path_factory.mktemp("pack") / "pack.pdf"
    for args in (
        ("contact", "--groupe", "strategie", "--compte", dataset.member_email),
        ("animateur", "--groupe", "strategie", "--compte", dataset.staff_email),
        ("ajouter-cae", "--groupe", "competences", "--cae", other.siren),
        ("creer", "--semestre", "2025-S2", "--date", "2025-11-20", "--lieu", PLACE),
        ("ordre-du-jour", "--seminaire", "1", "--groupe", "strategie", "Feuilles de route"),
        ("question", "--seminaire", "1", "--groupe", "strategie", QUESTION),
        ("pack", "--seminaire", "1", "--groupe", "strategie", "--sortie", str(output)),
    ):
        done = hub.cli("seminaire", *args)
        assert done.returncode == 0, done.stderr + done.stdout
    assert "version 1" in done.stdout and "publication n° 1" in done.stdout
    return output


def test_the_command_wrote_the_strategy_pack(seminar: Path) -> None:
    reader = PdfReader(seminar)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Stratégie de développement" in text
    assert "Questions pour la discussion" in text and QUESTION in text
    assert "Publication n° 1 du 1er semestre 2025" in reader.pages[-1].extract_text()


def test_staff_see_the_three_groups_with_their_people(staff: Visitor, seminar: Path) -> None:
    page = staff.page
    page.goto("/groupes")
    assert heading(page) == "Groupes de travail"
    names = page.locator("section.groupe h2").all_inner_texts()
    assert names == [
        "Stratégie de développement",
        "Mutualisation des compétences",
        "Formation des entrepreneurs",
    ]
    assert page.locator('[data-animation="strategie"]').inner_text() == STAFF_NAME
    assert page.locator('[data-animation="formation"]').inner_text() == "à désigner"
    assert page.locator('[data-groupe="competences"] ul.membres li').count() == 1
    staff.watch.assert_clean()


def test_staff_rebuild_a_pack_and_read_it_in_the_browser(
    staff: Visitor, dataset: Dataset, seminar: Path
) -> None:
    page = staff.page
    page.goto("/seminaires")
    assert heading(page) == "Séminaires"
    page.get_by_role("link", name="20 novembre 2025").click()
    assert heading(page) == "Séminaire du 20 novembre 2025"
    assert page.locator('tr[data-pack="strategie"]').count() == 1
    assert QUESTION in page.locator('ol.questions[data-groupe="strategie"]').inner_text()
    # The pack is drawn while the request waits (a PDF of a dozen pages): give it time.
    with page.expect_navigation(timeout=BUILD_TIMEOUT_MS):
        page.locator('[data-produire="pleniere"]').click(timeout=BUILD_TIMEOUT_MS)
    assert "Pack produit : pleniere-1" in page.get_by_role("alert").inner_text()
    row = page.locator('tr[data-pack="pleniere"][data-version="1"]')
    assert "publication n° 1" in row.inner_text().replace("\xa0", " ")
    with page.expect_navigation():
        row.get_by_role("link", name="HTML").click()
    assert page.locator("h1").inner_text() == "Plénière"
    titles = page.locator("section.partie h2").all_inner_texts()
    assert titles[:4] == [
        "1. Le séminaire et son ordre du jour",
        "2. Chiffres clés du semestre",
        "3. Évolution sur les derniers semestres",
        "4. Comparaison par région",
    ]
    assert page.locator("svg[role=img]").count() >= 3
    assert "s" in page.locator("td.secret").first.inner_text()
    assert_no_hidden_value(page, dataset)
    staff.watch.assert_clean()


def test_a_member_keeps_a_private_goal_and_reads_only_its_groups_packs(
    member: Visitor, staff: Visitor, seminar: Path
) -> None:
    page = member.page
    page.goto("/feuille-de-route")
    assert heading(page) == "Feuilles de route"
    page.get_by_label("Indicateur", exact=True).select_option("entrepreneurs")
    page.get_by_label("Valeur cible", exact=True).fill(PRIVATE_TARGET)
    page.get_by_label("Échéance", exact=True).fill("2028-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'objectif").click()
    row = page.locator('tr[data-objectif="entrepreneurs"]')
    assert "9" in row.inner_text() and "31 décembre 2028" in row.inner_text()
    assert row.locator("[data-avancement]").inner_text() in {"en bonne voie", "en retard"}
    # One CAE only set a goal: the group sees « s », never the goal.
    line = page.locator('#agregats-objectifs tr[data-indicateur="entrepreneurs"]')
    assert line.locator("td.secret").count() >= 1
    staff.page.goto("/feuille-de-route")
    assert "31 décembre 2028" not in staff.page.content()
    assert PRIVATE_TARGET not in staff.page.content().replace("\u202f", "")
    page.goto("/seminaires/1")
    assert page.locator('tr[data-pack="strategie"]').count() == 1
    assert page.locator('tr[data-pack="competences"]').count() == 0
    assert page.locator("[data-produire]").count() == 0
    member.watch.expect("/seminaires/1/packs/competences", 404)
    page.goto("/seminaires/1/packs/competences")
    assert heading(page) == "Page introuvable"
    member.watch.assert_clean()


def test_a_member_declares_a_skill_in_the_register(member: Visitor, seminar: Path) -> None:
    page = member.page
    page.goto("/competences")
    assert heading(page) == "Registre des compétences"
    page.get_by_label("Compétence", exact=True).select_option("gestion_sociale")
    page.get_by_label("Sens", exact=True).select_option("offre")
    page.get_by_label("Jours par mois", exact=True).fill("4,5")
    with page.expect_navigation():
        page.get_by_role("button", name="Déclarer").click()
    row = page.locator('tr[data-declaration="gestion_sociale-offre"]')
    assert "Gestion sociale et paie" in row.inner_text()
    assert "4,5" in row.inner_text()
    member.watch.assert_clean()
