"""The training pool's pages in real Chromium: a member CAE searches the network's offer and
follows its seat requests; another CAE sees its offers and the requests received; staff read
the pooling activity of a semester and export it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.served import RunningHub, plain_session, register_member
from tests.trainings.catalogues import example
from tests.web_e2e.browser import Visitor, login, shoot
from tests.web_e2e.checks import heading
from tests.web_e2e.dataset import Dataset

SEMESTER = "2027-S1"  # the example's offered session starts on 18 January 2027
_ROWS = """(selector) => {
  const table = document.querySelector(selector);
  if (!table) return null;
  const heads = [...table.querySelectorAll("thead th")].map((th) => th.innerText.trim());
  return [...table.querySelectorAll("tbody tr")].map((tr) =>
    Object.fromEntries([...tr.children].map((cell, i) => [heads[i], cell.innerText.trim()])));
}"""


def read_rows(page: Page, selector: str) -> list[dict[str, str]]:
    """The body rows of a table, each cell by its column's heading."""
    rows: list[dict[str, str]] | None = page.evaluate(_ROWS, selector)
    assert rows is not None, f"aucun tableau « {selector} » sur {page.url}"
    return rows


@pytest.fixture(scope="module")
def pooled(hub: RunningHub, dataset: Dataset) -> Iterator[int]:
    """Another CAE offers the roofing session; the member's CAE asks 2 seats, which are
    accepted. The request's number."""
    http = plain_session()
    admin = hub.admin_token()
    offerer = register_member(
        hub, http, admin_token=admin, siren="732829320", name="CAE Toitures du Sud-Ouest"
    )
    issued = http.post(
        f"{hub.base_url}/v1/admin/tokens",
        headers={"Authorization": f"Bearer {admin}"},
        json={"member_siren": dataset.member_siren, "label": "formations"},
        timeout=30,
    )
    assert issued.status_code == 201, issued.text
    a = {"Authorization": f"Bearer {offerer}"}
    b = {"Authorization": f"Bearer {issued.json()['token']}"}
    put = http.put(f"{hub.base_url}/v1/trainings/catalogue", json=example(), headers=a, timeout=30)
    assert put.status_code == 200, put.text
    found = http.get(f"{hub.base_url}/v1/trainings/sessions", headers=b, timeout=30).json()
    [offer] = [s for s in found["items"] if s["offered"]]
    asked = http.post(
        f"{hub.base_url}/v1/trainings/sessions/{offer['id']}/requests",
        json={"places": 2, "reference": "FORM-27-01", "effectif": 8},
        headers=b,
        timeout=30,
    )
    assert asked.status_code == 201, asked.text
    request_id = int(asked.json()["id"])
    decided = http.post(
        f"{hub.base_url}/v1/trainings/requests/{request_id}/decision",
        json={"decision": "acceptee"},
        headers=a,
        timeout=30,
    )
    assert decided.status_code == 200, decided.text
    yield request_id


def test_member_searches_the_offer_and_follows_its_requests(member: Visitor, pooled: int) -> None:
    page = member.page
    page.goto("/tableau-de-bord")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Formations").click()
    assert heading(page) == "Formations du réseau"
    page.get_by_label("Mots").fill("toiture")
    page.get_by_role("button", name="Chercher").click()
    rows = read_rows(page, "table.formations")
    assert [r["Formation"] for r in rows] == ["Sécurité sur toiture"]
    assert rows[0]["Places restantes"] == "2 / 4"
    shoot(page, "membre-formations")

    page.get_by_role("link", name="Mes demandes de places").click()
    assert heading(page) == "Mes demandes de places"
    [made] = read_rows(page, "table.demandes")
    assert (made["N°"], made["Statut"], made["Places accordées"]) == (str(pooled), "acceptée", "2")
    assert made["CAE qui offre"] == "CAE Toitures du Sud-Ouest"
    assert made["Estimation OPCO"].endswith("€")
    member.watch.assert_clean()


def test_staff_read_and_export_the_pooling_activity(staff: Visitor, pooled: int) -> None:
    page = staff.page
    page.goto("/tableau-de-bord")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mutualisation"
    ).click()
    page.get_by_label("Semestre (début des sessions)").select_option(SEMESTER)
    page.get_by_role("button", name="Afficher").click()
    assert heading(page) == "Mutualisation des formations"
    total = page.locator("table[data-repartition='trade'] tfoot tr")
    assert total.locator("td").all_inner_texts() == ["1", "4", "1", "2", "2"]
    by_region = read_rows(page, "table[data-repartition='region']")
    assert [r["Région"] for r in by_region] == ["Auvergne-Rhône-Alpes"]
    shoot(page, "equipe-mutualisation")

    with page.expect_download() as started:
        page.get_by_role("link", name="CSV", exact=True).click()
    exported = started.value
    assert exported.suggested_filename == f"mutualisation-{SEMESTER}.csv"
    text = exported.path().read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[1][:3] == [SEMESTER, "Total", ""]
    assert lines[1][4:] == ["1", "4", "1", "2", "2"]
    with page.expect_download() as started:
        page.get_by_role("link", name="XLSX", exact=True).click()
    sheet = load_workbook(io.BytesIO(started.value.path().read_bytes())).active
    assert sheet is not None and sheet["A2"].value == SEMESTER
    staff.watch.assert_clean()


def test_a_cae_without_offers_is_told_so_where_requests_arrive(
    visitor: Visitor, dataset: Dataset, pooled: int
) -> None:
    # The member's CAE asked seats; it offers none of its own.
    page = visitor.page
    login(page, dataset.member_email, dataset.member_password, then="/formations/demandes-recues")
    assert heading(page) == "Mes offres et les demandes reçues"
    assert "Aucune session de votre catalogue" in page.locator("table.offres").inner_text()
    assert "Aucune demande" in page.locator("table.demandes").inner_text()
    visitor.watch.assert_clean()
