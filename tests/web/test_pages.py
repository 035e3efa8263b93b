"""What the pages show: figures from the stats service, accessible markup, French errors."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cae_contract.format import fr_eur, fr_int
from hub.members.models import Member
from hub.stats.repository import StatsRepository
from hub.stats.service import stats_service
from tests.factories import issue_token
from tests.web.conftest import DRAFT, PUBLISHED, Loaded, csrf_of

LATEST = PUBLISHED[1]


def _table(session: Session, app_settings: object, indicator: str, period: str, by: str | None):
    return stats_service.table(
        session,
        indicator_code=indicator,
        period_text=period,
        by_text=by,
        draft=False,
        staff=True,
        settings=app_settings,  # type: ignore[arg-type]
    )


def _total(session: Session, client: TestClient, indicator: str, period: str) -> float | None:
    table = _table(session, client.app.state.settings, indicator, period, None)  # type: ignore[attr-defined]
    [cell] = table.cells
    return cell.value


def _card(html: str, code: str) -> str:
    found = re.search(rf'<li class="chiffre[^"]*" data-figure="{code}">(.*?)</li>', html, re.S)
    assert found is not None, code
    return found.group(1)


def test_overview_shows_the_published_headline_figures(
    staff_client: TestClient, session: Session
) -> None:
    response = staff_client.get(f"/tableau-de-bord?periode={LATEST}")
    assert response.status_code == 200
    html = response.text
    assert "Publié" in html and "Publication n°&nbsp;1" in html
    entrepreneurs = _total(session, staff_client, "entrepreneurs", LATEST)
    before = _total(session, staff_client, "entrepreneurs", PUBLISHED[0])
    assert entrepreneurs is not None and before is not None
    card = _card(html, "entrepreneurs")
    assert f'<p class="valeur">{fr_int(entrepreneurs)}</p>' in card
    change = fr_int(abs(entrepreneurs - before))
    assert change in card and "par rapport au 2e semestre 2024" in card
    revenue = _total(session, staff_client, "revenue_eur", LATEST)
    revenue_card = _card(html, "revenue_eur")
    if revenue is None:
        assert 'class="valeur secret"' in revenue_card
    else:
        assert fr_eur(revenue) in revenue_card
    for code in ["cesa", "cape", "associates", "associate_rate", "entries", "exits"]:
        assert 'role="img"' in _card(html, code)  # a trend with its text alternative
    assert html.count("<h1>") == 1


def test_overview_of_a_semester_without_reports(staff_client: TestClient) -> None:
    html = staff_client.get("/tableau-de-bord?periode=2023-S1").text
    assert "Aucun rapport reçu pour ce semestre." in html


def test_explorer_table_marks_suppressed_cells_with_a_reason(
    staff_client: TestClient, session: Session
) -> None:
    url = f"/statistiques?indicateur=entrepreneurs&periode={LATEST}&par=trade&par=sex"
    response = staff_client.get(url)
    assert response.status_code == 200
    html = response.text
    table = _table(session, staff_client.app.state.settings, "entrepreneurs", LATEST, "trade,sex")  # type: ignore[attr-defined]
    hidden = [c for c in table.cells if c.suppressed is not None]
    assert hidden, "the test federation should have suppressed cells"
    marks = re.findall(r'<td class="secret" data-reason="(primary|secondary)"', html)
    assert len(marks) == len(hidden)
    assert '<table class="stats"' in html and "<caption" in html
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "Cellules masquées (secret statistique)" in html
    offered = re.search(r"Ventilations possibles selon l'indicateur : ([^.]*)\.", html)
    assert offered is not None
    assert "Métier du bâtiment (code NAF)" in offered.group(1)
    assert "age_band" not in offered.group(1)
    for reason in {c.suppressed for c in hidden if c.suppressed is not None}:
        assert table.legend[reason.value][1:] in html
    assert 'class="graphique-barres' in html or "graphique graphique-barres" in html
    trades = {c.dims["trade"] for c in table.cells if c.dims["trade"]}
    rows = re.findall(r'<tr(?: class="marge")?>\s*<th scope="row">', html)
    assert len(rows) == len(trades) + 1  # every trade and the total


def test_explorer_trend_lists_the_published_semesters(staff_client: TestClient) -> None:
    url = f"/statistiques?indicateur=entrepreneurs&periode={LATEST}&par=contract&vue=evolution"
    html = staff_client.get(url).text
    assert "graphique-courbes" in html
    assert "2e semestre 2024" in html and "1er semestre 2025" in html
    assert "2e semestre 2023" not in html  # nothing published before the first semester


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("indicateur=inconnu", 400, "Indicateur inconnu"),
        ("periode=2025-S3", 400, "Période refusée"),
        ("periode=2099-S1", 400, "pas encore commencé"),
        ("par=contract&par=trade&par=sex", 400, "au plus deux dimensions"),
        ("indicateur=revenue_eur&par=sex", 400, "non disponible"),
        ("vue=camembert", 400, "Vue inconnue"),
    ],
)
def test_explorer_errors_are_french_pages(
    staff_client: TestClient, query: str, status: int, words: str
) -> None:
    response = staff_client.get(f"/statistiques?{query}")
    assert response.status_code == status
    assert '<div role="alert"' in response.text and words in response.text
    assert '<form method="get" action="/statistiques"' in response.text  # to correct the query


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tableau-de-bord?periode=2025", 400),
        ("/tableau-de-bord?periode=n%27importe", 400),
        ("/completude?region=99", 400),
        ("/membres/000000000", 404),
        ("/publication/2025-S9", 400),
        (f"/publication/{DRAFT}?publiee=abc", 400),
        ("/statistiques/export?format=pdf", 400),
        ("/statistiques/export?separateur=tab", 400),
        ("/page-qui-n-existe-pas", 404),
    ],
)
def test_page_errors_never_answer_500(staff_client: TestClient, path: str, status: int) -> None:
    response = staff_client.get(path, headers={"accept": "text/html"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in response.text and '<div role="alert"' in response.text


def test_the_api_keeps_its_problem_answers(client: TestClient) -> None:
    response = client.get("/v1/nulle-part", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_completeness_lists_late_members_first_and_filters_by_region(
    staff_client: TestClient, loaded: Loaded
) -> None:
    html = staff_client.get(f"/completude?periode={DRAFT}").text
    sirens = re.findall(r'<tr class="(?:recu|en-retard)" data-siren="(\d{9})"', html)
    assert sirens[0] == loaded.late.siren
    assert len(sirens) == len(loaded.members) + 1
    assert "En retard" in html and "Dernière synchronisation" in html
    filtered = staff_client.get(f"/completude?periode={DRAFT}&region=11").text
    assert re.findall(r'data-siren="(\d{9})"', filtered) == [loaded.late.siren]
    assert '<option value="11" selected>Île-de-France</option>' in filtered


def test_members_list_and_detail_show_token_metadata_never_tokens(
    staff_client: TestClient, loaded: Loaded, session: Session
) -> None:
    member = session.get(Member, loaded.member.id)
    assert member is not None
    secret = issue_token(session, member=member)
    session.flush()
    listing = staff_client.get("/membres").text
    assert all(m.name in listing for m in loaded.members)
    detail = staff_client.get(f"/membres/{member.siren}").text
    assert secret[:11] in detail  # the display prefix
    assert secret not in detail and secret[11:20] not in detail
    assert loaded.member_user.email in detail
    assert member.contact_email in detail
    assert "Métiers" in detail and "Départements" in detail and "Consentement" in detail


def test_token_rights_and_page_titles_are_in_french(
    staff_client: TestClient, loaded: Loaded, session: Session
) -> None:
    member = session.get(Member, loaded.member.id)
    assert member is not None
    issue_token(session, member=member)
    session.flush()
    detail = staff_client.get(f"/membres/{member.siren}").text
    assert "envoyer les rapports" in detail and "lire les statistiques" in detail
    assert "reports:" not in detail and "stats:" not in detail
    overview = staff_client.get(f"/tableau-de-bord?periode={LATEST}").text
    assert "<title>Tableau de bord — 1er semestre 2025 — cae-hub</title>" in overview
    completeness = staff_client.get(f"/completude?periode={DRAFT}").text
    assert "<title>Complétude — 2e semestre 2025 — cae-hub</title>" in completeness


def test_a_refused_breakdown_is_named_by_its_title_not_its_code(
    staff_client: TestClient,
) -> None:
    response = staff_client.get(f"/statistiques?indicateur=revenue_eur&periode={LATEST}&par=sex")
    assert response.status_code == 400
    alert = re.search(r'<div role="alert"[^>]*>(.*?)</div>', response.text, re.S)
    assert alert is not None
    assert "Sexe" in alert.group(1) or "sexe" in alert.group(1)
    assert "Chiffre d&#39;affaires" in alert.group(1)
    assert "revenue_eur" not in alert.group(1) and "sex " not in alert.group(1)
    unknown = staff_client.get(f"/statistiques?periode={LATEST}&par=couleur").text
    assert "« couleur » (inconnue)" in unknown


def test_publishing_asks_for_confirmation_then_freezes(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    page = staff_client.get(f"/publication/{DRAFT}")
    assert page.status_code == 200
    html = page.text
    assert "Ce qui sera figé" in html
    assert f"<strong>{len(loaded.members)}</strong> CAE sur {len(loaded.members) + 1}" in html
    assert loaded.late.name in html  # listed as without a report
    refused = staff_client.post(f"/publication/{DRAFT}", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert StatsRepository(session).latest_publication(DRAFT) is None
    response = staff_client.post(
        f"/publication/{DRAFT}", data={"csrf_token": csrf_of(html)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/publication/{DRAFT}?publiee=1"
    assert StatsRepository(session).latest_publication(DRAFT) is not None
    done = staff_client.get(response.headers["location"]).text
    assert '<div role="alert"' in done and "Publication n°&nbsp;1 enregistrée" in done
    assert "Publié" in staff_client.get(f"/tableau-de-bord?periode={DRAFT}").text


def test_publishing_a_semester_without_reports_is_refused(staff_client: TestClient) -> None:
    page = staff_client.get("/publication/2023-S1")
    assert "rien à publier" in page.text
    response = staff_client.post("/publication/2023-S1", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 400
    assert "Aucun rapport reçu" in response.text


def test_member_preview_shows_own_values_and_their_fate(
    member_client: TestClient, loaded: Loaded
) -> None:
    html = member_client.get(f"/apercu?periode={DRAFT}&par=trade").text
    assert '<table class="apercu"' in html
    assert "Votre valeur" in html and ("publiée" in html or "masquée" in html)
    assert not [m.name for m in loaded.members[1:] if m.name in html]
    unknown = member_client.get("/apercu?periode=2023-S1")
    assert unknown.status_code == 404 and "pas encore envoyé de rapport" in unknown.text


def test_pages_are_accessible_and_self_contained(staff_client: TestClient) -> None:
    for path in ["/tableau-de-bord", "/statistiques", "/completude", "/membres"]:
        response = staff_client.get(path)
        html = response.text
        assert '<html lang="fr">' in html
        assert 'href="#contenu"' in html and '<main id="contenu"' in html
        assert html.count("<h1>") + html.count("<h1 ") == 1
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        for field in re.findall(r'<select id="([^"]+)"', html):
            assert f'<label for="{field}">' in html
    css = staff_client.get("/static/hub.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text and "@media" in css.text
    assert "url(http" not in css.text and "@import" not in css.text
