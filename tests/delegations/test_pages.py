"""The payroll delegation page: a CAE sees its mandates, the month's calendar and history;
staff see counts only."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from cae_contract.payroll import Kind
from hub.members.models import StaffRole
from hub.members.schemas import MemberUserCreate
from hub.members.service import member_user_service
from tests.delegations.exchanges import Side
from tests.delegations.mandates import active_mandate, mandate_document
from tests.factories import create_member, create_staff, issue_token
from tests.web.conftest import PASSWORD, login


def test_a_cae_sees_its_calendar_and_staff_only_counts(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    a = create_member(session, name="Alterbative")
    b = create_member(session, name="Coop&Bat")
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    side_a = Side(client, token_a, tmp_path / "a")
    Side(client, token_b, tmp_path / "b")
    sent = side_a.send(uid, "2026-11", Kind.VARIABLES, "Durand;2850775123456;3141,59\n")
    member_user_service.create(
        session,
        MemberUserCreate(
            member_siren=b.siren,
            email="paie@coopbat.example",
            display_name="Service paie",
            password=PASSWORD,
        ),
    )
    staff = create_staff(session, role=StaffRole.STAFF, password=PASSWORD)
    session.flush()

    assert login(client, "paie@coopbat.example").status_code == 303
    page = client.get("/paie")
    assert page.status_code == 200
    html = page.text
    assert "Paie tenue pour Alterbative" in html
    assert f'data-mandat="{uid}"' in html
    assert "délégataire (sous-traitant)" in html
    assert "Variables de paie" in html and "DSN déposée" in html
    assert f"{sent['size']} octets" in html
    assert "Durand" not in html
    client.cookies.clear()

    assert login(client, staff.email).status_code == 303
    staff_page = client.get("/paie").text
    assert "Mandats par état" in staff_page
    assert uid not in staff_page
    assert "Alterbative" not in staff_page
    assert 'data-taches="faites"' in staff_page
