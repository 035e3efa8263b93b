"""Seminar packs: the PDF read back with pypdf, its figures against /v1/stats, secrecy,
versions in the audit trail, e-mails to the group, the job and the command."""

from __future__ import annotations

import hashlib
import io
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from cae_contract.format import fr_int, fr_percent
from hub.audit.models import AuditEvent
from hub.config import Settings
from hub.errors import NotFound
from hub.indicators.repository import ReportRepository
from hub.jobs.registry import load_jobs
from hub.mail.models import OutboxMessage
from hub.seminars.packs import BUILT, PDF_MISSING, pack_service, write_pdf
from hub.seminars.roadmaps import roadmap_service
from hub.seminars.service import seminar_service
from hub.seminars.tasks import build_seminar_packs
from hub.stats.patterns import region_of
from hub.stats.repository import StatsRepository
from tests.factories import bearer, issue_token
from tests.seminars.conftest import PUBLISHED, QUESTION, Loaded

PERIOD = PUBLISHED[-1]
COMPLETENESS = "Complétude : combien ont transmis"
HEADINGS = [
    "Sommaire",
    "Le séminaire et son ordre du jour",
    "Chiffres clés du semestre",
    "Évolution sur les derniers semestres",
    "Comparaison par région",
    COMPLETENESS,
]
# A goal no one shares, with values found nowhere else.
SECRET_TARGET = "87.65"
SECRET_DAY = "2031-03-31"


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _staff_table(client: TestClient, session: Session, loaded: Loaded, query: str) -> dict:
    headers = bearer(issue_token(session, staff=loaded.staff))
    response = client.get(f"/v1/stats?period={PERIOD}&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _true_regional_totals(session: Session) -> dict[str, int]:
    """What each region's entrepreneurs add up to in the publication's own revisions
    (regions are those of the départements the CAEs report)."""
    repository = StatsRepository(session)
    publication = repository.latest_publication(PERIOD)
    assert publication is not None and publication.id is not None
    regions = region_of()
    totals: dict[str, int] = {}
    for report in repository.published_reports(publication.id).values():
        cells = [
            c
            for c in ReportRepository(session).cells(report.id or 0)
            if c.indicator == "entrepreneurs" and "departement" in c.dim_set.split(",")
        ]
        for cell in cells:
            assert cell.departement is not None
            region = regions[cell.departement]
            totals[region] = totals.get(region, 0) + cell.value_centi // 100
    return totals


def test_the_strategy_pack_gives_the_published_figures_and_hides_secret_cells(
    session: Session, loaded: Loaded, client: TestClient, settings: Settings
) -> None:
    pack = pack_service.build(
        session, settings, seminar_id=loaded.seminar.id or 0, audience="strategie"
    )
    assert (pack.period, pack.publication_number, pack.version) == (PERIOD, 1, 1)
    pages = pdf_pages(pack.pdf)
    text = "\n".join(pages)
    for heading in [*HEADINGS, "Feuilles de route des CAE", "Questions pour la discussion"]:
        assert heading in text, heading
    assert QUESTION in text
    assert "Stratégie de développement" in pages[0]
    catalog = PdfReader(io.BytesIO(pack.pdf)).trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp  # PDF/A-3b
    for number, page in enumerate(pages, start=1):
        assert "Publication n° 1 du 2e semestre 2025" in page
        assert f"Page {number} sur {len(pages)}" in page
    # Every published cell of /v1/stats is in the pack as the API gives it.
    by_contract = _staff_table(client, session, loaded, "indicator=entrepreneurs&by=contract")
    regional = _staff_table(client, session, loaded, "indicator=entrepreneurs&by=region")
    for table in (by_contract, regional):
        for cell in table["cells"]:
            if cell["suppressed"] is None:
                assert fr_int(cell["value"]) in text
    associates = _staff_table(client, session, loaded, "indicator=associate_rate")
    assert fr_percent(associates["cells"][0]["value"]) in text
    # No secret cell's value: the region lines carry « s », never what it hides.
    truth = _true_regional_totals(session)
    hidden = [c for c in regional["cells"] if c["suppressed"] is not None and not c["margin"]]
    assert hidden, "the test federation should hide some regions"
    # The regional section only: the completeness table also starts its lines with regions.
    regions_part = text[text.rindex("Comparaison par région") : text.rindex(COMPLETENESS)]
    lines = regions_part.splitlines()
    for cell in hidden:
        label = cell["labels"]["region"]
        rows = [line for line in lines if line.startswith(label + " ")]
        assert rows, label
        for row in rows:
            assert fr_int(truth[cell["dims"]["region"]]) not in row.split(label, 1)[1]
    assert "Cellules masquées (secret statistique)" in text
    # The HTML the dashboard serves is the one the PDF was drawn from.
    assert hashlib.sha256(pack.html.encode()).hexdigest() == pack.html_sha256
    assert hashlib.sha256(pack.pdf).hexdigest() == pack.pdf_sha256
    assert "Feuilles de route des CAE" in pack.html


def test_each_group_and_the_plenary_get_their_pack_and_a_private_goal_is_in_none(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    for index in range(4):
        roadmap_service.set_goal(
            session,
            loaded.members[index],
            indicator="entrepreneurs_cesa",
            target=str(120 + index),
            day="2027-12-31",
            shared=index == 0,
        )
    private = loaded.members[5]
    roadmap_service.set_goal(
        session,
        private,
        indicator="associate_rate",
        target=SECRET_TARGET,
        day=SECRET_DAY,
        shared=False,
    )
    texts = {}
    for audience in ("strategie", "competences", "formation", "pleniere"):
        pack = pack_service.build(
            session, settings, seminar_id=loaded.seminar.id or 0, audience=audience
        )
        texts[audience] = ("\n".join(pdf_pages(pack.pdf)), pack.html)
    for audience, (text, html) in texts.items():
        for heading in HEADINGS:
            assert heading in text, (audience, heading)
        has_roadmaps = "Feuilles de route des CAE" in text
        assert has_roadmaps == (audience in {"strategie", "pleniere"})
        for document in (text, html):
            for secret in ("87,65", "87,7", "87.65", "31 mars 2031", SECRET_DAY, "31/03/2031"):
                assert secret not in document, (audience, secret)
    assert "Plénière" in texts["pleniere"][0]
    strategy = texts["strategie"][0]
    assert "Objectifs partagés par leur CAE" in strategy
    assert loaded.members[0].name in strategy
    assert "120,0 personnes" in strategy
    assert "Mutualisation des compétences" in texts["competences"][0]


def test_the_completeness_section_counts_caes_by_region_and_names_none(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    pack = pack_service.build(
        session, settings, seminar_id=loaded.seminar.id or 0, audience="pleniere"
    )
    start = pack.html.index('<section class="partie" id="completude"')
    part = pack.html[start : pack.html.index("</section>", start)]
    # A member CAE sees only its own row of completeness: a pack names none of them here.
    for member in loaded.members:
        assert member.name not in part, member.name
        assert member.siren not in part, member.siren
    published = StatsRepository(session).latest_publication(PERIOD)
    assert published is not None and published.id is not None
    included = len(StatsRepository(session).published_reports(published.id))
    assert f"{fr_int(included)} CAE sur {fr_int(len(loaded.members))}" in part
    cells = re.findall(r'<th scope="row">[^<]+</th><td>(\d+)</td><td>(\d+)</td>', part)
    assert sum(int(total) for total, _ in cells) == len(loaded.members)
    assert sum(int(done) for _, done in cells) == included


def test_a_rebuild_is_a_new_version_audited_with_its_hashes_and_mailed_to_the_group(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    seminar_id = loaded.seminar.id or 0
    first = pack_service.build(session, settings, seminar_id=seminar_id, audience="strategie")
    again = pack_service.build(
        session, settings, seminar_id=seminar_id, audience="strategie", staff=loaded.staff
    )
    assert (first.version, again.version) == (1, 2)
    assert pack_service.pack(session, seminar_id, "strategie").version == 2
    assert pack_service.pack(session, seminar_id, "strategie", 1).pdf_sha256 == first.pdf_sha256
    events = session.exec(select(AuditEvent).where(AuditEvent.kind == BUILT)).all()
    assert [e.details["version"] for e in events] == [1, 2]
    assert events[1].details["pdf_sha256"] == hashlib.sha256(again.pdf).hexdigest()
    assert events[1].details["html_sha256"] == again.html_sha256
    assert events[1].actor_kind == "staff"
    assert events[0].details["publication"] == 1
    mails = session.exec(select(OutboxMessage)).all()
    assert sorted(m.recipient for m in mails) == sorted(
        [loaded.users[0].email, loaded.users[1].email] * 2
    )
    assert all(f"/seminaires/{seminar_id}/packs/strategie" in m.body_text for m in mails)
    with pytest.raises(NotFound):
        pack_service.pack(session, seminar_id, "formation")


def test_the_job_builds_the_packs_of_a_seminar_days_before_it_once(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    assert "build-seminar-packs" in load_jobs(settings)
    early = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert build_seminar_packs(session, early, settings) == (
        "aucun séminaire dans la période de préparation"
    )
    slot = datetime(2026, 11, 13, 6, 30, tzinfo=UTC)  # 7 days before 20 November
    assert build_seminar_packs(session, slot, settings) == "4 packs produits"
    assert build_seminar_packs(session, slot, settings) == "0 pack produit"
    assert {p.audience for p in pack_service.packs(session, loaded.seminar.id)} == {
        "strategie",
        "competences",
        "formation",
        "pleniere",
    }


def test_a_seminar_before_any_publication_has_no_pack(
    session: Session, loaded: Loaded, settings: Settings
) -> None:
    early = seminar_service.create(session, period="2024-S1", day="2024-05-15", place="Pau")
    with pytest.raises(NotFound) as raised:
        pack_service.build(session, settings, seminar_id=early.id or 0, audience="pleniere")
    assert "chiffres publiés" in raised.value.detail


def test_without_weasyprint_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(RuntimeError) as raised:
        write_pdf("<p>essai</p>")
    assert str(raised.value) == PDF_MISSING
    assert "cae-hub[pdf]" in PDF_MISSING
