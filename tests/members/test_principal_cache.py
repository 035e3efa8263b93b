"""Verified tokens are remembered, and revocation is still respected at once in this process
and within a few seconds when another process (the command line) revokes."""

from __future__ import annotations

import re
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.members.models import Member, StaffRole
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.served import plain_session, start_hub


def member_known_to_the_hub(client: TestClient, session: Session) -> tuple[Member, str, str]:
    """A member whose token the hub has just verified (hence remembers), and an admin token."""
    member = create_member(session)
    token = issue_token(session, member=member)
    admin = issue_token(session, staff=create_staff(session, role=StaffRole.ADMIN))
    session.flush()
    assert client.get("/v1/me", headers=bearer(token)).status_code == 200
    return member, token, admin


def test_a_token_revoked_here_is_refused_at_the_next_request(
    client: TestClient, session: Session
) -> None:
    member, token, admin = member_known_to_the_hub(client, session)
    listed = client.get("/v1/admin/tokens", headers=bearer(admin)).json()
    number = next(t["id"] for t in listed if t["member_siren"] == member.siren)
    assert (
        client.post(f"/v1/admin/tokens/{number}/revoke", headers=bearer(admin)).status_code == 200
    )
    refused = client.get("/v1/me", headers=bearer(token))
    assert refused.status_code == 401
    assert "révoqué" in refused.json()["detail"]


def test_a_member_deactivated_here_loses_access_at_once(
    client: TestClient, session: Session
) -> None:
    member, token, admin = member_known_to_the_hub(client, session)
    deactivate = f"/v1/admin/members/{member.siren}/deactivate"
    assert client.post(deactivate, headers=bearer(admin)).status_code == 200
    assert client.get("/v1/me", headers=bearer(token)).status_code == 403


def test_a_token_revoked_by_another_process_is_refused_soon(tmp_path: Path) -> None:
    with start_hub(tmp_path) as hub, plain_session() as http:
        admin = hub.admin_token()
        me = f"{hub.base_url}/v1/me"
        assert http.get(me, headers=bearer(admin), timeout=10).status_code == 200
        issued = hub.cli("tokens", "issue", "--staff", "admin@tests.cae-hub.fr", "--label", "b")
        second = re.search(r"conservez-le\) : (caeh_\S+)", issued.stdout)
        assert second, issued.stdout
        assert http.get(me, headers=bearer(second.group(1)), timeout=10).status_code == 200
        number = http.get(me, headers=bearer(second.group(1)), timeout=10).json()["token"]["id"]
        assert hub.cli("tokens", "revoke", str(number)).returncode == 0
        statuses = []
        deadline = time.monotonic() + 20  # the hub looks for changes every 2 s
        while time.monotonic() < deadline:
            statuses.append(http.get(me, headers=bearer(second.group(1)), timeout=10).status_code)
            if statuses[-1] == 401:
                break
            time.sleep(0.2)
        assert statuses[-1] == 401, statuses
        assert http.get(me, headers=bearer(admin), timeout=10).status_code == 200
