"""A late member and a republication over HTTP: staff see what it adds to the secret, the
tables keep earlier values where new ones would expose the late member, and the two
publications read together reveal nothing (audited with one unknown per revision)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.federation import generate_federation, report_for
from cae_contract.periods import Period
from hub.indicators.service import report_service
from hub.members.schemas import MemberCreate
from hub.members.service import member_service
from hub.stats.audit_linked import audit_releases
from hub.stats.lattice import id_text
from hub.stats.patterns import region_of
from hub.stats.repository import StatsRepository
from tests.factories import bearer, create_staff, issue_token
from tests.stats.linked import served, truth

PERIOD = "2025-S1"


def test_a_late_member_is_not_revealed_by_the_republication(
    client: TestClient, session: Session
) -> None:
    federation = generate_federation(caes=9, first=PERIOD, semesters=1, seed=5, dominant=1)
    late, *early = federation.caes
    members = {}
    for cae in federation.caes:
        members[cae.siren] = member_service.create(session, MemberCreate(**cae.profile()))
    for cae in early:
        report_service.submit(
            session, members[cae.siren], PERIOD, report_for(cae, Period.parse(PERIOD))
        )
    session.flush()
    staff = bearer(issue_token(session, staff=create_staff(session)))
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=staff).status_code == 201
    first = {code: served(client, staff, code, PERIOD) for code in ("revenue_eur", "exits")}

    report_service.submit(
        session, members[late.siren], PERIOD, report_for(late, Period.parse(PERIOD))
    )
    session.flush()
    preview = client.get(f"/v1/stats/publications/{PERIOD}/preview", headers=staff)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["number"] == 2 and body["earlier"] == [1]
    assert body["revised_since_previous"] == [late.siren]
    assert body["added_to_secret"] >= 0
    assert all(p["hidden_alone"] is not None for p in body["protection"])
    published = client.post(f"/v1/stats/publications/{PERIOD}", headers=staff)
    assert published.status_code == 201, published.text
    second = {code: served(client, staff, code, PERIOD) for code in ("revenue_eur", "exits")}

    repository = StatsRepository(session)
    one, two = repository.period_publications(PERIOD)
    assert one.id is not None and two.id is not None
    stored = repository.patterns(one.id)
    revisions = {cae.siren: int(cae.siren) for cae in federation.caes}
    included = [
        frozenset(int(cae.siren) for cae in early),
        frozenset(int(cae.siren) for cae in federation.caes),
    ]
    member_of = {r: r for r in included[1]}
    kept = 0
    for code, kind in (("revenue_eur", "amount"), ("exits", "persons")):
        lattice = truth(
            federation, Period.parse(PERIOD), code, stored[code].recode, revisions=revisions
        )
        # A kept cell repeats the first publication: to the reader, the second hides it.
        cells_two = repository.patterns(two.id)[code].cells
        kept += sum(1 for c in cells_two.values() if c[3] is not None)
        views = [
            (first[code], included[0]),
            (
                {
                    k: (
                        None
                        if (cells_two.get(id_text(k)) or [0, 0, None, None])[3] is not None
                        else v
                    )
                    for k, v in second[code].items()
                },
                included[1],
            ),
        ]
        assert (
            audit_releases(views, lattice.contributions, member_of, kind, region_of=region_of())
            == []
        )
    table = client.get(f"/v1/stats?indicator=revenue_eur&period={PERIOD}", headers=staff).json()
    assert table["source"]["publication"] == 2
    for by in ("trade", "exit_reason"):
        code = "revenue_eur" if by == "trade" else "exits"
        body = client.get(f"/v1/stats?indicator={code}&period={PERIOD}&by={by}", headers=staff)
        cells = body.json()["cells"]
        marked = [c for c in cells if c["kept_from"] is not None]
        assert all(c["kept_from"] == 1 and c["value"] is not None for c in marked)
        assert bool(marked) == any("publication n° 1" in n for n in body.json()["notes"])
    assert kept >= 0


def test_regions_of_live_figures_are_refused_in_french(
    client: TestClient, session: Session
) -> None:
    federation = generate_federation(caes=4, first=PERIOD, semesters=1, seed=2)
    for cae in federation.caes:
        member = member_service.create(session, MemberCreate(**cae.profile()))
        report_service.submit(session, member, PERIOD, report_for(cae, Period.parse(PERIOD)))
    session.flush()
    staff = bearer(issue_token(session, staff=create_staff(session)))
    url = f"/v1/stats?indicator=revenue_eur&period={PERIOD}&by=region"
    refused = client.get(url + "&draft=true", headers=staff)
    assert refused.status_code == 422
    assert "semestres publiés" in refused.json()["detail"]
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=staff).status_code == 201
    regions = client.get(url, headers=staff)
    assert regions.status_code == 200, regions.text
    assert any(c["labels"].get("region") for c in regions.json()["cells"])


def test_an_export_says_which_publication_a_kept_value_comes_from() -> None:
    from hub.stats.export_layout import status
    from hub.stats.schemas import StatsCell

    cell = StatsCell(
        dims={}, labels={}, margin=True, value=3.0, contributors=4, suppressed=None, kept_from=1
    )
    assert status(cell) == "publiée (valeur de la publication n° 1)"
    assert status(cell.model_copy(update={"kept_from": None})) == "publiée"
