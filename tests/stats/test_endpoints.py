"""Protected statistics over HTTP: publication, roles, completeness, previews, exports."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.federation import Federation, generate_federation, report_for
from cae_contract.periods import Period
from hub.members.models import Member, StaffRole
from hub.stats.audit_linked import audit_publication
from hub.stats.lattice import id_text
from hub.stats.patterns import region_of
from hub.stats.publishing import prospective_patterns
from hub.stats.repository import StatsRepository
from tests.factories import bearer, create_staff, issue_token
from tests.stats.linked import served, truth
from tests.stats.tables import load_federation

PERIODS = ["2024-S2", "2025-S1"]


@dataclass
class Loaded:
    federation: Federation
    members: dict[str, Member]
    staff: dict[str, str]
    admin: dict[str, str]

    def member_headers(self, session: Session, siren: str) -> dict[str, str]:
        return bearer(issue_token(session, member=self.members[siren]))


@pytest.fixture
def loaded(session: Session) -> Loaded:
    federation = generate_federation(caes=14, first=PERIODS[0], semesters=2, seed=3, dominant=1)
    members = load_federation(session, federation)
    staff = bearer(issue_token(session, staff=create_staff(session)))
    admin = bearer(issue_token(session, staff=create_staff(session, role=StaffRole.ADMIN)))
    return Loaded(federation, members, staff, admin)


def _publish(client: TestClient, loaded: Loaded, period: str = PERIODS[1]) -> dict:
    response = client.post(f"/v1/stats/publications/{period}", headers=loaded.staff)
    assert response.status_code == 201, response.text
    return response.json()


def test_tables_come_from_publications(client: TestClient, loaded: Loaded) -> None:
    url = f"/v1/stats?indicator=entrepreneurs&period={PERIODS[1]}&by=trade"
    assert client.get(url, headers=loaded.staff).status_code == 404
    published = _publish(client, loaded)
    assert published["number"] == 1
    response = client.get(url, headers=loaded.staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"]["status"] == "published"
    assert body["source"]["publication"] == 1
    grand = [c for c in body["cells"] if c["dims"] == {"trade": None}]
    assert len(grand) == 1 and grand[0]["margin"] is True
    expected = sum(
        len(
            [
                p
                for p in cae.entrepreneurs
                if p.started <= Period.parse(PERIODS[1])
                and (p.left is None or p.left > Period.parse(PERIODS[1]))
            ]
        )
        for cae in loaded.federation.caes
    )
    if grand[0]["suppressed"] is None:
        assert grand[0]["value"] == expected


def test_hidden_cells_carry_a_reason_and_never_a_value(client: TestClient, loaded: Loaded) -> None:
    _publish(client, loaded)
    body = client.get(
        f"/v1/stats?indicator=revenue_eur&period={PERIODS[1]}&by=trade,departement",
        headers=loaded.staff,
    ).json()
    hidden = [c for c in body["cells"] if c["suppressed"]]
    assert hidden, "a small federation always has cells to hide"
    for cell in hidden:
        assert cell["value"] is None
        assert cell["contributors"] is None
        assert cell["suppressed"] in body["legend"]
    assert {c["suppressed"] for c in hidden} <= {"frequency", "dominance", "secondary"}
    assert all(c["contributors"] >= 3 for c in body["cells"] if c["value"] and not c["suppressed"])


def test_published_tables_stand_up_to_the_lp_audit(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    """Rebuild the true cells of every table of an indicator, read all its published tables
    together, and let an independent reader (outside, then each member knowing its own
    figures) try to recover or narrow every hidden primary cell."""
    _publish(client, loaded)
    period = Period.parse(PERIODS[1])
    publication = StatsRepository(session).latest_publication(str(period))
    assert publication is not None and publication.id is not None
    stored = StatsRepository(session).patterns(publication.id)
    for indicator, kind in [("revenue_eur", "amount"), ("exits", "persons")]:
        lattice = truth(loaded.federation, period, indicator, stored[indicator].recode)
        published = served(client, loaded.staff, indicator, str(period))
        parts = {c: lattice.contributions.get(c, {}) for c in published}
        for key, value in published.items():
            if (
                value is not None
                and stored[indicator].cells.get(id_text(key), [0, 0, None, None])[3] is None
            ):
                assert value == pytest.approx(lattice.value(key)), key
        assert audit_publication(published, parts, kind, region_of=region_of()) == []
        for cae in loaded.federation.caes[:4]:
            own = int(cae.siren)
            assert audit_publication(published, parts, kind, region_of=region_of(), own=own) == []


def test_revisions_after_publication_wait_for_the_next_one(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    _publish(client, loaded)
    url = f"/v1/stats?indicator=support_staff_fte&period={PERIODS[1]}"
    before = client.get(url, headers=loaded.staff).json()
    cae = loaded.federation.caes[0]
    cae.support_staff_fte += 10
    headers = loaded.member_headers(session, cae.siren)
    document = report_for(cae, Period.parse(PERIODS[1]))
    revised = client.put(f"/v1/indicators/reports/{PERIODS[1]}", json=document, headers=headers)
    assert revised.json()["revision"] == 2
    assert client.get(url, headers=loaded.staff).json() == before
    draft = client.get(url + "&draft=true", headers=loaded.staff).json()
    assert draft["source"]["status"] == "draft"
    total = next(c for c in draft["cells"] if c["dims"] == {})
    old_total = next(c for c in before["cells"] if c["dims"] == {})
    if total["value"] is not None and old_total["value"] is not None:
        assert total["value"] == pytest.approx(old_total["value"] + 10)

    completeness = client.get(
        f"/v1/stats/completeness?period={PERIODS[1]}", headers=loaded.staff
    ).json()
    flagged = [r["siren"] for r in completeness["rows"] if r["revised_after_publication"]]
    assert flagged == [cae.siren]
    second = _publish(client, loaded)
    assert second["number"] == 2
    assert second["revised_since_previous"] == [cae.siren]
    assert client.get(url, headers=loaded.staff).json()["source"]["publication"] == 2


def test_members_read_published_tables_but_not_drafts(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    _publish(client, loaded)
    headers = loaded.member_headers(session, loaded.federation.caes[1].siren)
    url = f"/v1/stats?indicator=entrepreneurs&period={PERIODS[1]}&by=sex"
    assert client.get(url, headers=headers).status_code == 200
    assert client.get(url + "&draft=true", headers=headers).status_code == 403


def test_a_refused_draft_says_so_in_french_and_names_the_field(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    headers = loaded.member_headers(session, loaded.federation.caes[1].siren)
    url = f"/v1/stats?indicator=entrepreneurs&period={PERIODS[1]}&draft=true"
    refused = client.get(url, headers=headers)
    assert refused.status_code == 403
    problem = refused.json()
    assert "réservés à l'équipe de la fédération" in problem["detail"]
    assert "draft" not in problem["detail"]
    assert [e["path"] for e in problem["errors"]] == ["query.draft"]


def test_a_member_sees_only_its_own_completeness_row(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    cae = loaded.federation.caes[2]
    headers = loaded.member_headers(session, cae.siren)
    body = client.get(f"/v1/stats/completeness?period={PERIODS[0]}", headers=headers).json()
    assert [r["siren"] for r in body["rows"]] == [cae.siren]
    everyone = client.get(
        f"/v1/stats/completeness?period={PERIODS[0]}", headers=loaded.staff
    ).json()
    assert everyone["members"] == len(loaded.members)
    assert everyone["reported"] == sum(r["reported"] for r in everyone["rows"])


def test_completeness_puts_late_members_first(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    from tests.factories import create_member

    late = create_member(session, name="CAE en retard")
    body = client.get(f"/v1/stats/completeness?period={PERIODS[1]}", headers=loaded.staff).json()
    assert body["rows"][0]["siren"] == late.siren
    assert body["rows"][0]["reported"] is False


def test_preview_shows_the_members_cells_and_their_fate(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    cae = loaded.federation.caes[0]
    headers = loaded.member_headers(session, cae.siren)
    response = client.get(
        f"/v1/stats/preview?indicator=revenue_eur&period={PERIODS[1]}&by=trade",
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    own = {c["dims"]["trade"]: c for c in body["cells"]}
    document = report_for(cae, Period.parse(PERIODS[1]))
    # Rare trades are grouped into « autres » as the next publication would group them.
    recode = prospective_patterns(
        session,
        period=PERIODS[1],
        settings=client.app.state.settings,  # type: ignore[attr-defined]
    )["revenue_eur"].recode.get("trade", {})
    assert recode
    sent: dict[str, float] = {}
    for c in document["cells"]:
        if c["indicator"] == "revenue_eur" and list(c["dims"]) == ["trade"]:
            code = recode.get(c["dims"]["trade"], c["dims"]["trade"])
            sent[code] = sent.get(code, 0) + c["value"]
    assert {k: v["own_value"] for k, v in own.items() if k} == pytest.approx(sent)
    for cell in body["cells"]:
        assert cell["shown"] == (cell["suppressed"] is None)
        assert "value" not in cell
    assert (
        client.get(
            f"/v1/stats/preview?indicator=revenue_eur&period={PERIODS[1]}", headers=loaded.staff
        ).status_code
        == 403
    )


def test_csv_has_french_headers(client: TestClient, loaded: Loaded) -> None:
    _publish(client, loaded)
    response = client.get(
        f"/v1/stats?indicator=entrepreneurs&period={PERIODS[1]}&by=sex&format=csv",
        headers=loaded.staff,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Sexe (code)",
        "Sexe",
        "Entrepreneurs (stock en fin de période) (personnes)",
        "CAE contributrices",
        "Statut",
        "Motif",
    ]
    assert rows[-1][:2] == ["Total", "Total"]
    assert {r[4] for r in rows[1:]} <= {"publiée", "secret primaire", "secret secondaire"}
    assert response.headers["content-disposition"] == (
        f'attachment; filename="entrepreneurs_{PERIODS[1]}_sex.csv"; '
        "filename*=UTF-8''Entrepreneurs%20%28stock%20en%20fin%20de%20p%C3%A9riode%29%20"
        "%E2%80%94%201er%20semestre%202025%2C%20par%20sexe.csv"
    )


def test_xlsx_and_data_package_exports(client: TestClient, loaded: Loaded) -> None:
    _publish(client, loaded)
    url = f"/v1/stats?indicator=revenue_eur&period={PERIODS[1]}&by=trade"
    body = client.get(url, headers=loaded.staff).json()
    hidden = sum(c["suppressed"] is not None for c in body["cells"])

    workbook = client.get(url + "&format=xlsx", headers=loaded.staff)
    assert workbook.status_code == 200, workbook.text
    assert workbook.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = workbook.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="revenue_eur_{PERIODS[1]}_trade.xlsx"')
    assert "filename*=UTF-8''Chiffre%20d%27affaires%20HT" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Tableau"]
    values = [c.value for c in sheet["C"]]  # codes, labels, then the values
    assert values.count("s") == hidden
    assert any("Source : Fédération des CAE du bâtiment" in str(c.value) for c in sheet["A"])

    package = client.get(url + "&format=datapackage", headers=loaded.staff)
    assert package.status_code == 200, package.text
    assert package.headers["content-type"] == "application/zip"
    assert (
        f'filename="revenue_eur_{PERIODS[1]}_trade.zip"' in package.headers["content-disposition"]
    )
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        data = archive.read(descriptor["resources"][0]["path"]).decode("utf-8")
    assert descriptor["profile"] == "tabular-data-package"
    assert len(list(csv.reader(io.StringIO(data)))) == len(body["cells"]) + 1


def test_openapi_documents_the_export_formats(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/stats"]["get"]
    format_parameter = next(p for p in operation["parameters"] if p["name"] == "format")
    assert format_parameter["schema"]["enum"] == ["json", "csv", "xlsx", "datapackage"]
    assert "Frictionless" in format_parameter["description"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {
        "application/json",
        "text/csv; charset=utf-8",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    }


def test_associate_rate_is_derived(client: TestClient, loaded: Loaded) -> None:
    _publish(client, loaded)
    body = client.get(
        f"/v1/stats?indicator=associate_rate&period={PERIODS[1]}", headers=loaded.staff
    ).json()
    [total] = body["cells"]
    associates = client.get(
        f"/v1/stats?indicator=associates&period={PERIODS[1]}", headers=loaded.staff
    ).json()["cells"][0]
    if total["value"] is not None:
        assert associates["value"] is not None
        assert 0 < total["value"] <= 100
    else:
        assert total["suppressed"]


def test_series_lists_published_and_unpublished_periods(client: TestClient, loaded: Loaded) -> None:
    _publish(client, loaded, PERIODS[0])
    body = client.get(
        f"/v1/stats/series?indicator=entrepreneurs&from={PERIODS[0]}&to={PERIODS[1]}",
        headers=loaded.staff,
    ).json()
    assert [p["period"] for p in body["points"]] == PERIODS
    assert body["points"][0]["table"]["source"]["publication"] == 1
    assert body["points"][1]["table"] is None


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("indicator=nope&period=2025-S1", "query.indicator"),
        ("indicator=exits&period=2025-S1&by=sex", "query.by"),
        ("indicator=entrepreneurs&period=2025-S1&by=trade,sex,contract", "query.by"),
        ("indicator=entrepreneurs&period=2025-S7", "query.period"),
        ("indicator=entrepreneurs&period=2025-S1&format=pdf", "query.format"),
    ],
)
def test_bad_queries_name_the_parameter(
    client: TestClient, loaded: Loaded, query: str, path: str
) -> None:
    response = client.get(f"/v1/stats?{query}", headers=loaded.staff)
    assert response.status_code == 422
    assert path in {e["path"] for e in response.json()["errors"]}


def test_only_staff_publish(client: TestClient, loaded: Loaded, session: Session) -> None:
    headers = loaded.member_headers(session, loaded.federation.caes[0].siren)
    assert client.post(f"/v1/stats/publications/{PERIODS[1]}", headers=headers).status_code == 403
    empty = client.post("/v1/stats/publications/2023-S1", headers=loaded.staff)
    assert empty.status_code == 422
