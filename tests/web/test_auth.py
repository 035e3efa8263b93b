"""Signing in and out: cookies, CSRF, session fixation, expiry, throttling, logged-out access."""

from __future__ import annotations

import hashlib
import inspect
from datetime import timedelta
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hub.db import utcnow
from hub.members.models import Member, MemberUser, StaffAccount
from hub.web.endpoints import login as login_endpoint
from hub.web.models import LoginThrottle, WebSession
from tests.web.conftest import DRAFT, PUBLISHED, Loaded, csrf_of, login

COOKIE = "cae_hub_session"
PAGES = [
    "/tableau-de-bord",
    f"/tableau-de-bord?periode={PUBLISHED[1]}",
    f"/statistiques?indicateur=entrepreneurs&periode={PUBLISHED[1]}&par=trade",
    f"/statistiques/export?indicateur=entrepreneurs&periode={PUBLISHED[1]}&format=csv",
    "/completude",
    "/membres",
    "/membres/832451967",
    f"/publication/{DRAFT}",
    "/apercu",
]


def _set_cookie_headers(response: object) -> list[str]:
    return response.headers.get_list("set-cookie")  # type: ignore[attr-defined]


def _session_cookie(response: object) -> str:
    [header] = [h for h in _set_cookie_headers(response) if h.startswith(f"{COOKIE}=")]
    return header


def _row(session: Session, raw: str) -> WebSession | None:
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return session.exec(select(WebSession).where(WebSession.id_hash == digest)).first()


def test_login_page_has_a_form_with_a_token(client: TestClient) -> None:
    response = client.get("/connexion")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fr">' in html
    assert 'name="email"' in html and 'name="password"' in html
    assert 'type="hidden" name="csrf_token"' in html
    [prelogin] = [h for h in _set_cookie_headers(response) if h.startswith(f"{COOKIE}_connexion=")]
    assert "HttpOnly" in prelogin and "SameSite=strict" in prelogin.replace("Strict", "strict")


@pytest.mark.parametrize("who", ["staff", "member_user"])
def test_login_sets_a_protected_session_cookie(
    client: TestClient, loaded: Loaded, session: Session, who: str
) -> None:
    account = getattr(loaded, who)
    response = login(client, account.email.upper())
    assert response.status_code == 303
    assert response.headers["location"] == "/tableau-de-bord"
    header = _session_cookie(response)
    assert "HttpOnly" in header and "Path=/" in header
    assert "samesite=lax" in header.lower()
    assert "Secure" not in header  # plain HTTP in this test
    raw = client.cookies[COOKIE]
    row = _row(session, raw)
    assert row is not None and row.id_hash != raw  # only the hash is kept
    assert client.get("/tableau-de-bord").status_code == 200


def test_cookie_is_secure_behind_https_or_when_told(app: FastAPI, loaded: Loaded) -> None:
    with TestClient(app, base_url="https://testserver") as secure_client:
        assert "Secure" in _session_cookie(login(secure_client, loaded.staff.email))
    app.state.settings = app.state.settings.model_copy(update={"session_cookie_secure": True})
    with TestClient(app) as told:
        page = told.get("/connexion")
        assert all("Secure" in h for h in _set_cookie_headers(page))


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(
    client: TestClient, loaded: Loaded
) -> None:
    target = f"/statistiques?indicateur=entrepreneurs&periode={PUBLISHED[0]}"
    asked = client.get(target, follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/connexion?suite=/statistiques")
    response = login(client, loaded.staff.email, suite=target)
    assert response.headers["location"] == target
    client.cookies.clear()
    for evil in ["//evil.example/x", "https://evil.example/", "/\\evil.example"]:
        response = login(client, loaded.staff.email, suite=evil)
        assert response.headers["location"] == "/tableau-de-bord"
        client.cookies.clear()


def test_wrong_password_and_unknown_address_answer_the_same(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    wrong = login(client, loaded.staff.email, "pas le bon mot de passe")
    unknown = login(client, "personne@nulle-part.example", "pas le bon mot de passe")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert '<div role="alert"' in response.text
        assert "Adresse électronique ou mot de passe incorrect." in response.text
        assert COOKIE not in response.cookies
    counters = session.exec(select(LoginThrottle)).all()
    # Per account and client, per account (twice each), and the client's failures (2).
    assert sorted(c.attempts for c in counters) == [1, 1, 1, 1, 2]
    stored = " ".join(c.key_hash for c in counters)
    assert "nulle-part" not in stored and loaded.staff.email not in stored


def test_login_without_the_pages_token_is_refused(client: TestClient, loaded: Loaded) -> None:
    form = {"email": loaded.staff.email, "password": "un mot de passe solide"}
    missing = client.post("/connexion", data=form, follow_redirects=False)
    assert missing.status_code == 403
    assert "rechargez la page" in missing.text
    # A token the attacker got with their own pre-login cookie does not fit the victim's.
    attacker = TestClient(client.app)
    token = csrf_of(attacker.get("/connexion").text)
    client.get("/connexion")
    forged = client.post("/connexion", data={**form, "csrf_token": token}, follow_redirects=False)
    assert forged.status_code == 403
    assert COOKIE not in client.cookies


def test_a_planted_session_identifier_never_becomes_a_session(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    planted = "identifiant-choisi-par-un-attaquant-0123456789"
    client.cookies.set(COOKIE, planted, domain="testserver.local")
    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303
    assert login(client, loaded.staff.email).status_code == 303
    fresh = client.cookies[COOKIE]
    assert fresh != planted
    assert _row(session, planted) is None
    stranger = TestClient(client.app, cookies={COOKIE: planted})
    assert stranger.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_login_rotates_an_existing_session(client: TestClient, loaded: Loaded) -> None:
    login(client, loaded.member_user.email)
    first = client.cookies[COOKIE]
    # A logged-in browser is not shown the login form; a stale form still posts to it.
    assert client.get("/connexion", follow_redirects=False).status_code == 303
    stale = client.post("/connexion", data={}, follow_redirects=False)
    assert stale.status_code == 403
    form = {"csrf_token": csrf_of(stale.text), "email": loaded.staff.email}
    form["password"] = "un mot de passe solide"
    assert client.post("/connexion", data=form, follow_redirects=False).status_code == 303
    second = client.cookies[COOKIE]
    assert first != second
    replay = TestClient(client.app, cookies={COOKIE: first})
    assert replay.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_logout_needs_the_token_and_ends_the_session(
    staff_client: TestClient, loaded: Loaded, session: Session
) -> None:
    raw = staff_client.cookies[COOKIE]
    refused = staff_client.post("/deconnexion", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert '<div role="alert"' in refused.text
    other = TestClient(staff_client.app)
    login(other, loaded.admin.email)
    foreign_token = csrf_of(other.get("/tableau-de-bord").text)
    forged = staff_client.post(
        "/deconnexion", data={"csrf_token": foreign_token}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert staff_client.get("/tableau-de-bord").status_code == 200
    token = csrf_of(staff_client.get("/tableau-de-bord").text)
    response = staff_client.post("/deconnexion", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/connexion"
    assert COOKIE not in staff_client.cookies
    assert _row(session, raw) is None
    replay = TestClient(staff_client.app, cookies={COOKIE: raw})
    assert replay.get("/tableau-de-bord", follow_redirects=False).status_code == 303


def test_the_logout_button_is_a_form_on_every_page(staff_client: TestClient) -> None:
    html = staff_client.get("/membres").text
    assert 'action="/deconnexion"' in html and "Se déconnecter" in html
    assert csrf_of(html)


@pytest.mark.parametrize("path", PAGES)
def test_logged_out_visitors_are_sent_to_the_login_page(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion?suite=/")
    assert unquote(response.headers["location"].split("?suite=", 1)[1]) == path


def test_logged_out_posts_are_sent_to_the_login_page(client: TestClient) -> None:
    for path in [f"/publication/{DRAFT}", "/deconnexion"]:
        response = client.post(path, data={"csrf_token": "x"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/connexion")


def test_root_points_to_the_right_place(client: TestClient, loaded: Loaded) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/connexion"
    login(client, loaded.staff.email)
    assert client.get("/", follow_redirects=False).headers["location"] == "/tableau-de-bord"
    assert client.get("/connexion", follow_redirects=False).status_code == 303


def test_sessions_expire(staff_client: TestClient, session: Session) -> None:
    row = _row(session, staff_client.cookies[COOKIE])
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.flush()
    response = staff_client.get("/membres", follow_redirects=False)
    assert response.status_code == 303


def test_activity_extends_a_session_up_to_its_maximum_age(
    staff_client: TestClient, session: Session
) -> None:
    row = _row(session, staff_client.cookies[COOKIE])
    assert row is not None
    before = row.expires_at
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    session.add(row)
    session.flush()
    assert staff_client.get("/membres").status_code == 200
    session.refresh(row)
    assert row.expires_at > before
    assert row.expires_at <= row.created_at + timedelta(hours=12)


@pytest.mark.parametrize("what", ["staff", "member_user", "member"])
def test_deactivating_an_account_ends_its_sessions(
    client: TestClient, loaded: Loaded, session: Session, what: str
) -> None:
    account = loaded.staff if what == "staff" else loaded.member_user
    assert login(client, account.email).status_code == 303
    target: StaffAccount | MemberUser | Member
    if what == "staff":
        target = session.get(StaffAccount, loaded.staff.id)  # type: ignore[assignment]
    elif what == "member_user":
        target = session.get(MemberUser, loaded.member_user.id)  # type: ignore[assignment]
    else:
        target = session.get(Member, loaded.member.id)  # type: ignore[assignment]
    target.active = False
    session.add(target)
    session.flush()
    assert client.get("/tableau-de-bord", follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert login(client, account.email).status_code == 401


def test_repeated_failures_lock_the_address_for_a_while(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    for _ in range(5):
        assert login(client, loaded.staff.email, "mauvais").status_code == 401
    locked = login(client, loaded.staff.email)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "réessayez dans" in locked.text and '<div role="alert"' in locked.text
    # Another address from the same client is still heard.
    assert login(client, loaded.admin.email).status_code == 303
    client.cookies.clear()
    for counter in session.exec(select(LoginThrottle)).all():
        counter.window_start = utcnow() - timedelta(minutes=16)
        session.add(counter)
    session.flush()
    assert login(client, loaded.staff.email).status_code == 303


def test_a_success_forgets_the_addresses_failures(client: TestClient, loaded: Loaded) -> None:
    for _ in range(4):
        login(client, loaded.staff.email, "mauvais")
    assert login(client, loaded.staff.email).status_code == 303
    client.cookies.clear()
    for _ in range(4):
        assert login(client, loaded.staff.email, "mauvais").status_code == 401
    assert login(client, loaded.staff.email).status_code == 303


def test_one_client_trying_many_addresses_is_slowed_down(
    app: FastAPI, client: TestClient, loaded: Loaded
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"login_max_failures_per_client": 3})
    for number in range(3):
        assert login(client, f"essai{number}@nulle-part.example", "x").status_code == 401
    assert login(client, loaded.staff.email).status_code == 429


def test_login_runs_in_the_thread_pool_not_on_the_event_loop() -> None:
    """Argon2 and the database would block every other request on the event loop."""
    assert not inspect.iscoroutinefunction(login_endpoint)
