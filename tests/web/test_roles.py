"""Who may see which page (DESIGN.md, section 9): a wrong role gets a French 404 page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import DRAFT, PUBLISHED, Loaded, csrf_of, login

STAFF_ONLY = [
    "/completude",
    f"/completude?periode={PUBLISHED[0]}",
    "/membres",
    "/membres/{siren}",
    f"/publication/{DRAFT}",
]


def _not_found_page(response: object) -> None:
    assert response.status_code == 404  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert "<h1>Page introuvable</h1>" in html and '<div role="alert"' in html


@pytest.mark.parametrize("path", STAFF_ONLY)
def test_members_cannot_open_staff_pages(
    member_client: TestClient, loaded: Loaded, path: str
) -> None:
    _not_found_page(member_client.get(path.format(siren=loaded.member.siren)))


def test_members_cannot_publish(member_client: TestClient) -> None:
    token = csrf_of(member_client.get("/tableau-de-bord").text)
    response = member_client.post(f"/publication/{DRAFT}", data={"csrf_token": token})
    _not_found_page(response)


def test_staff_have_no_member_preview(staff_client: TestClient) -> None:
    _not_found_page(staff_client.get("/apercu"))


def test_members_navigation_offers_only_their_pages(member_client: TestClient) -> None:
    html = member_client.get("/tableau-de-bord").text
    assert 'href="/apercu"' in html
    assert 'href="/completude"' not in html and 'href="/membres"' not in html


def test_members_see_their_own_report_and_no_other_cae(
    member_client: TestClient, loaded: Loaded
) -> None:
    html = member_client.get(f"/tableau-de-bord?periode={PUBLISHED[1]}").text
    assert "Votre rapport pour ce semestre" in html
    assert loaded.member.name in html
    others = [m.name for m in loaded.members[1:]] + [loaded.late.name]
    assert not [name for name in others if name in html]


def test_members_see_published_figures_only(member_client: TestClient) -> None:
    overview = member_client.get(f"/tableau-de-bord?periode={DRAFT}")
    assert overview.status_code == 200
    assert "pas encore publiées" in overview.text
    assert 'class="chiffres"' not in overview.text
    table = member_client.get(f"/statistiques?indicateur=entrepreneurs&periode={DRAFT}")
    assert table.status_code == 404
    assert '<div role="alert"' in table.text and 'class="stats"' not in table.text
    export = member_client.get(
        f"/statistiques/export?indicateur=entrepreneurs&periode={DRAFT}&format=csv"
    )
    _not_found_page(export)


def test_staff_see_live_figures_of_an_unpublished_semester(staff_client: TestClient) -> None:
    html = staff_client.get(f"/statistiques?indicateur=entrepreneurs&periode={DRAFT}").text
    assert "Chiffres provisoires" in html and 'class="stats"' in html
    overview = staff_client.get(f"/tableau-de-bord?periode={DRAFT}").text
    assert "Non publié" in overview and "Chiffres provisoires" in overview


def test_the_default_semester_depends_on_the_role(staff_client: TestClient, loaded: Loaded) -> None:
    # Staff start on the latest reported semester, members on the latest published one.
    assert f"/publication/{DRAFT}" in staff_client.get("/tableau-de-bord").text
    member = TestClient(staff_client.app)
    login(member, loaded.other_user.email)
    html = member.get("/tableau-de-bord").text
    assert "Tableau de bord — 1<sup>er</sup> semestre 2025" in html
    assert "Publié" in html
