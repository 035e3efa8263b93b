"""The dashboard opens on the last closed semester, says when figures are partial, writes its
labels once and sorts names the French way."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session

from bench.federation import report_for
from cae_contract.format import fr_period, with_unit
from cae_contract.periods import Period, today
from hub.collation import french_key, french_sorted
from hub.indicators.service import report_service
from hub.members.repository import MemberRepository
from hub.members.schemas import MemberUserCreate
from hub.members.service import member_user_service
from hub.stats.service import stats_service
from tests.factories import create_member
from tests.web.conftest import FAST_HASH, PASSWORD, Loaded, login

RUNNING = Period.semester_of(today())
CLOSED = Period.last_closed_semester(today())


def _report_recent_semesters(session: Session, loaded: Loaded) -> None:
    by_siren = {m.siren: m for m in loaded.members}
    for cae in loaded.federation.caes:
        for period in (CLOSED, RUNNING):
            report_service.submit(
                session, by_siren[cae.siren], str(period), report_for(cae, period)
            )
    session.commit()


def _h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("\u00a0", " ")


def test_the_dashboard_opens_on_the_last_closed_semester_not_the_running_one(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    _report_recent_semesters(session, loaded)
    settings = staff_client.app.state.settings  # type: ignore[attr-defined]
    stats_service.publish(session, period_text=str(CLOSED), staff=loaded.staff, settings=settings)
    session.commit()
    html = staff_client.get("/tableau-de-bord").text
    assert _h1(html) == f"Tableau de bord — {fr_period(str(CLOSED))}".replace("\u00a0", " ")
    assert "partiel" not in html
    # The running semester is still on offer, and labelled when chosen.
    assert f'<option value="{RUNNING}"' in html
    running = staff_client.get(f"/tableau-de-bord?periode={RUNNING}").text
    assert "Semestre en cours · partiel" in running
    cards = re.findall(r'<p class="evolution">(.*?)</p>', running, re.S)
    compared = [c for c in cards if "par rapport au" in c and "non disponible" not in c]
    assert compared, cards
    assert all("semestre en cours, partiel, comparé à un semestre complet" in c for c in compared)


def test_the_evolution_marks_the_running_semester_as_partial(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    _report_recent_semesters(session, loaded)
    url = f"/statistiques?indicateur=entrepreneurs&periode={RUNNING}&vue=evolution"
    html = staff_client.get(url).text
    assert f"{fr_period(str(RUNNING))} (en cours, partiel)" in html
    assert f"{fr_period(str(CLOSED))} (en cours" not in html


def test_a_unit_already_in_the_label_is_not_written_twice(staff_client: TestClient) -> None:
    assert with_unit("Équipe d'appui (ETP)", "ETP") == "Équipe d'appui (ETP)"
    assert with_unit("Heures de formation", "heures") == "Heures de formation (heures)"
    html = staff_client.get("/statistiques?indicateur=support_staff_fte&periode=2025-S1").text
    assert "(ETP) (ETP)" not in html
    assert ">Équipe d&#39;appui (ETP)</th>" in html


def test_the_cae_name_is_shown_once_in_the_header(
    client: TestClient, session: Session, loaded: Loaded
) -> None:
    member = loaded.members[2]
    account, _ = member_user_service.create(
        session,
        MemberUserCreate(
            member_siren=member.siren,
            email="direction@cae-trois.example",
            display_name=f"Direction {member.name}",
            password=PASSWORD,
        ),
    )
    account.password_hash = FAST_HASH
    session.add(account)
    session.commit()
    assert login(client, account.email).status_code == 303
    html = client.get("/tableau-de-bord").text
    header = html.split("</header>")[0]
    assert header.count(str(escape(member.name))) == 1, header


def test_french_collation() -> None:
    names = ["Bois", "Éco-Bâtir", "Bâti-Coop", "Zinc", "Ardoise", "Ecole", "bati coop", "Fer"]
    assert sorted(names, key=french_key) == [
        "Ardoise",
        "bati coop",
        "Bâti-Coop",
        "Bois",
        "Éco-Bâtir",
        "Ecole",
        "Fer",
        "Zinc",
    ]
    assert french_sorted([("b", "Bois"), ("a", "Bâti-Coop")], key=lambda x: x[1])[0][0] == "a"


def test_members_are_listed_in_french_order(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    for name in ("Bois Construction", "Éco-Bâtir", "Bâti-Coop", "Zinguerie Unie"):
        create_member(session, name=name)
    session.commit()
    names = [m.name for m in MemberRepository(session).list(include_inactive=True)]
    assert names == sorted(names, key=french_key)
    assert names.index("Bâti-Coop") < names.index("Bois Construction")
    html = staff_client.get("/membres").text
    shown = re.findall(r'<th scope="row"><a href="/membres/\d+">([^<]+)</a></th>', html)
    shown = [s.replace("&#39;", "'") for s in shown]
    assert shown.index("Bâti-Coop") < shown.index("Bois Construction")
    assert shown.index("Éco-Bâtir") < shown.index("Zinguerie Unie")
    e_names = [s for s in shown if french_key(s)[0].startswith("e")]
    assert "Éco-Bâtir" in e_names and shown.index("Éco-Bâtir") - shown.index(e_names[0]) < len(
        e_names
    )
    completeness = staff_client.get(f"/completude?periode={CLOSED}").text
    listed = re.findall(r'<th scope="row"[^>]*>(?:<a[^>]*>)?([^<]+)<', completeness)
    late = [n for n in listed if n in {"Bois Construction", "Éco-Bâtir", "Bâti-Coop"}]
    assert late == ["Bâti-Coop", "Bois Construction", "Éco-Bâtir"], listed


def test_the_explorer_says_a_running_semester_is_partial(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    _report_recent_semesters(session, loaded)
    running = staff_client.get(f"/statistiques?indicateur=entrepreneurs&periode={RUNNING}").text
    assert "Semestre en cours : chiffres partiels" in running
    closed = staff_client.get(f"/statistiques?indicateur=entrepreneurs&periode={CLOSED}").text
    assert "Semestre en cours" not in closed
