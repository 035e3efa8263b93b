"""The publish form of a semester still running: a confirmation box, a French refusal
without it (nothing published), and the provisional badge once confirmed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import cae_contract.format
import cae_contract.periods
import hub.web.dashboard
from hub.stats.repository import StatsRepository
from tests.web.conftest import DRAFT, PUBLISHED, csrf_of

CHECKBOX = "Je confirme une publication provisoire : le semestre n&#39;est pas terminé"
BADGE = re.compile(r'<[^>]*data-provisoire="oui"[^>]*>([^<]*)<')


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 2 December 2025: the draft semester (2025-S2) has not ended."""
    for module in (cae_contract.periods, cae_contract.format, hub.web.dashboard):
        monkeypatch.setattr(module, "today", lambda: date(2025, 12, 2))


def test_an_ended_semester_has_no_confirmation_box(staff_client: TestClient) -> None:
    assert CHECKBOX not in staff_client.get(f"/publication/{DRAFT}").text


@pytest.mark.usefixtures("running")
def test_a_running_semester_is_published_only_once_confirmed(
    staff_client: TestClient, session: Session
) -> None:
    page = staff_client.get(f"/publication/{DRAFT}")
    assert page.status_code == 200
    assert CHECKBOX in page.text and 'name="provisoire"' in page.text
    assert "il se termine le 31 décembre 2025" in page.text

    refused = staff_client.post(
        f"/publication/{DRAFT}", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert refused.status_code == 409
    assert "Rien n&#39;a été publié." in refused.text
    assert "n&#39;est pas terminé" in refused.text
    assert StatsRepository(session).latest_publication(DRAFT) is None

    done = staff_client.post(
        f"/publication/{DRAFT}",
        data={"csrf_token": csrf_of(refused.text), "provisoire": "oui"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    publication = StatsRepository(session).latest_publication(DRAFT)
    assert publication is not None and publication.provisional

    overview = staff_client.get(f"/tableau-de-bord?periode={DRAFT}").text
    assert BADGE.findall(overview) == ["Provisoire"]
    explorer = staff_client.get(f"/statistiques?indicateur=entrepreneurs&periode={DRAFT}").text
    assert [b.startswith("provisoire : semestre en cours au") for b in BADGE.findall(explorer)] == [
        True
    ]
    completeness = staff_client.get(f"/completude?periode={DRAFT}").text
    assert len(BADGE.findall(completeness)) == 1
    # An earlier, final publication is not labelled.
    earlier = staff_client.get(f"/tableau-de-bord?periode={PUBLISHED[1]}").text
    assert BADGE.findall(earlier) == []
