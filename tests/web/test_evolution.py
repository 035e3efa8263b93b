"""The explorer's evolution view: a chosen range, the number of CAE behind each semester, a
variation column, trades in NAF order, a CSV export and a chart of the largest categories."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.stats.service import stats_service
from hub.web.visuals import MAX_SERIES
from tests.web.conftest import DRAFT, PUBLISHED

BASE = "/statistiques?indicateur=entrepreneurs&vue=evolution"


def _evolution_table(html: str) -> str:
    found = re.search(r'<table class="stats" id="evolution">(.*?)</table>', html, re.S)
    assert found is not None, html[-3000:]
    return found.group(1)


def _headers(table: str) -> list[str]:
    head = table.split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]


def _rows(table: str) -> list[list[str]]:
    body = table.split("<tbody>")[1]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def _total(session: Session, client: TestClient, period: str) -> float | None:
    table = stats_service.table(
        session,
        indicator_code="entrepreneurs",
        period_text=period,
        by_text=None,
        draft=period == DRAFT,
        staff=True,
        settings=client.app.state.settings,  # type: ignore[attr-defined]
    )
    [cell] = table.cells
    return cell.value


def test_the_range_is_chosen_and_each_semester_shows_its_cae_and_variation(
    staff_client: TestClient, session: Session
) -> None:
    html = staff_client.get(f"{BASE}&periode={DRAFT}&depuis={PUBLISHED[1]}").text
    table = _evolution_table(html)
    assert _headers(table) == ["Semestre", "Total", "Variation du total", "CAE"]
    rows = _rows(table)
    assert [r[0] for r in rows] == ["1er semestre 2025", "2e semestre 2025"]
    assert rows[0][2] == "—"  # nothing before it in the range
    before, now = _total(session, staff_client, PUBLISHED[1]), _total(session, staff_client, DRAFT)
    assert before and now is not None
    change = 100 * (now - before) / before
    digits = f"{abs(change):.1f}".replace(".", ",")
    assert digits in rows[1][2], rows[1]
    assert all(r[3].isdigit() and int(r[3]) > 0 for r in rows)
    # The whole history on demand.
    wide = _rows(_evolution_table(staff_client.get(f"{BASE}&periode={DRAFT}&depuis=2024-S2").text))
    assert wide[0][0] == "2e semestre 2024" and len(wide) == 3


def test_a_range_that_ends_before_it_starts_is_refused_in_french(
    staff_client: TestClient,
) -> None:
    response = staff_client.get(f"{BASE}&periode={PUBLISHED[0]}&depuis={DRAFT}")
    assert response.status_code == 400
    assert "postérieur au semestre de fin" in response.text


def test_trades_are_in_naf_order_and_the_chart_names_the_largest(
    staff_client: TestClient,
) -> None:
    # The running semester's live figures: publications group rare trades into « autres »,
    # which leaves too few categories in this small federation.
    html = staff_client.get(f"{BASE}&periode={DRAFT}&depuis={DRAFT}&par=trade").text
    headers = _headers(_evolution_table(html))[1:-3]
    from cae_contract.registry import get_registry

    order = list(get_registry().code_list("code-trade").values())
    assert len(headers) > MAX_SERIES, "the test federation should have many trades"
    shown = [unescape(h) for h in headers]
    assert shown == sorted(shown, key=order.index)
    chart = unescape(html.split('<figure class="graphique">')[1].split("</figure>")[0])
    assert f"les {MAX_SERIES} premières catégories du dernier semestre sur {len(headers)}" in chart
    named = [h for h in shown if h in chart]
    assert len(named) == MAX_SERIES, named


def test_the_evolution_exports_as_csv(staff_client: TestClient, session: Session) -> None:
    html = staff_client.get(f"{BASE}&periode={DRAFT}&depuis={PUBLISHED[0]}").text
    links = re.findall(r'href="(/statistiques/evolution/export\?[^"]+)"', html)
    assert len(links) == 2
    response = staff_client.get(links[1].replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        "entrepreneurs_evolution_2024-S2_2025-S2_total.csv"
        in response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Semestre", "Total", "Variation du total (%)", "CAE", "Statut"]
    assert [r[0] for r in rows[1:]] == [*PUBLISHED, DRAFT]
    total = _total(session, staff_client, PUBLISHED[0])
    assert total is not None and rows[1][1] == str(int(total))
    assert rows[1][4] == "publié" and rows[3][4] == "provisoire"
    assert rows[2][2] != "" and int(rows[2][3]) > 0
    refused = staff_client.get(links[1].replace("&amp;", "&").replace("point-virgule", "tab"))
    assert refused.status_code == 400
