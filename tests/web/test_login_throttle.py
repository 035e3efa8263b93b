"""The login throttle under parallel attempts, behind proxies, and from a shared address.

Which attempts had their password checked is seen from outside: a checked wrong password
answers 401, an attempt the throttle stops answers 429 without checking it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.requests import Request

from hub.config import Settings
from hub.db import session_scope
from hub.main import create_app
from hub.members.models import StaffAccount
from hub.security import password_needs_rehash
from hub.web.auth import client_address
from tests.databases import fresh_database, settings_for
from tests.factories import create_staff
from tests.served import plain_session, serve_in_thread, start_hub
from tests.web.conftest import FAST_HASH, PASSWORD, Loaded, login

PARALLEL = 40
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _post_login(base: str, email: str, password: str, barrier: threading.Barrier) -> int:
    with plain_session() as browser:
        page = browser.get(f"{base}/connexion", timeout=60)
        found = _CSRF.search(page.text)
        assert found is not None
        form = {"csrf_token": found.group(1), "email": email, "password": password}
        barrier.wait(timeout=60)
        response = browser.post(f"{base}/connexion", data=form, allow_redirects=False, timeout=120)
        return response.status_code


def test_parallel_wrong_passwords_check_at_most_the_limit(backend: str, tmp_path: Path) -> None:
    """40 wrong passwords for one account, released together against a served hub: 5 are
    checked (401), every other one is throttled (429), none fails."""
    with fresh_database(backend, tmp_path) as engine:
        with session_scope(engine) as session:
            email = create_staff(session, password=PASSWORD).email
        app = create_app(settings_for(str(engine.url)), engine=engine)
        barrier = threading.Barrier(PARALLEL)
        statuses: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        with serve_in_thread(app) as base:

            def attempt() -> None:
                try:
                    status = _post_login(base, email, "pas le bon mot de passe", barrier)
                except BaseException as error:  # reported below, with the statuses
                    errors.append(error)
                    barrier.abort()
                    return
                with lock:
                    statuses.append(status)

            threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            assert not errors, errors
            counted = Counter(statuses)
            assert counted == {401: 5, 429: PARALLEL - 5}, counted
            # The right password is refused too until the window ends: the account is throttled.
            with plain_session() as browser:
                page = browser.get(f"{base}/connexion")
                found = _CSRF.search(page.text)
                assert found is not None
                form = {"csrf_token": found.group(1), "email": email, "password": PASSWORD}
                after = browser.post(f"{base}/connexion", data=form, allow_redirects=False)
                assert after.status_code == 429


# -- Whose address is it -----------------------------------------------------------------


def _request(peer: str | None, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/connexion",
        "headers": headers,
        "client": (peer, 1234) if peer is not None else None,
    }
    return Request(scope)


PROXIES = Settings(environment="test", trusted_proxies="10.0.0.0/8, 2001:db8::1")  # type: ignore[arg-type]
DIRECT = Settings(environment="test")


@pytest.mark.parametrize(
    ("settings", "peer", "forwarded", "expected"),
    [
        (DIRECT, "198.51.100.7", ["203.0.113.1"], "198.51.100.7"),  # forged: ignored
        (DIRECT, "127.0.0.1", ["203.0.113.1"], "127.0.0.1"),  # even from this machine
        (PROXIES, "198.51.100.7", ["203.0.113.1"], "198.51.100.7"),  # untrusted peer
        (PROXIES, "10.0.0.2", ["203.0.113.1"], "203.0.113.1"),
        (PROXIES, "10.0.0.2", ["203.0.113.66, 203.0.113.1"], "203.0.113.1"),  # left: forgeable
        (PROXIES, "10.0.0.2", ["203.0.113.1, 10.0.0.9"], "203.0.113.1"),  # a chain of proxies
        (PROXIES, "10.0.0.2", ["203.0.113.66", "203.0.113.1, 10.0.0.9"], "203.0.113.1"),
        (PROXIES, "10.0.0.2", ["10.0.0.8, 10.0.0.9"], "10.0.0.8"),  # all of them trusted
        (PROXIES, "10.0.0.2", ["n'importe quoi, 10.0.0.9"], "10.0.0.9"),  # garbage
        (PROXIES, "10.0.0.2", ["203.0.113.1:4711"], "203.0.113.1"),
        (PROXIES, "10.0.0.2", ["[2001:db8::7]:4711"], "2001:db8::7"),
        (PROXIES, "2001:db8::1", ["203.0.113.1"], "203.0.113.1"),
        (PROXIES, "::ffff:10.0.0.2", ["203.0.113.1"], "203.0.113.1"),  # IPv4 over IPv6
        (PROXIES, "10.0.0.2", [], "10.0.0.2"),
        (PROXIES, "testclient", ["203.0.113.1"], "testclient"),
        (PROXIES, None, ["203.0.113.1"], None),
    ],
)
def test_the_client_address_believes_only_trusted_proxies(
    settings: Settings, peer: str | None, forwarded: list[str], expected: str | None
) -> None:
    assert client_address(_request(peer, *forwarded), settings) == expected


def test_trusted_proxies_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_TRUSTED_PROXIES", "172.16.0.0/12,127.0.0.1 ::1")
    assert [str(n) for n in Settings().trusted_proxies] == [
        "172.16.0.0/12",
        "127.0.0.1/32",
        "::1/128",
    ]
    monkeypatch.setenv("HUB_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("HUB_TRUSTED_PROXIES", "passerelle")
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings()


# -- Through the pages --------------------------------------------------------------------


def _client(app: FastAPI, peer: str) -> TestClient:
    return TestClient(app, client=(peer, 4711))


def _via(client: TestClient, forwarded: str) -> TestClient:
    client.headers["X-Forwarded-For"] = forwarded
    return client


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    app: FastAPI, loaded: Loaded
) -> None:
    client = _client(app, "198.51.100.7")
    for number in range(5):
        _via(client, f"203.0.113.{number}")
        assert login(client, loaded.staff.email, "mauvais").status_code == 401
    _via(client, "203.0.113.99")
    assert login(client, loaded.staff.email).status_code == 429


def test_behind_a_trusted_proxy_each_visitor_has_their_own_counter(
    app: FastAPI, loaded: Loaded
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"trusted_proxies": Settings(trusted_proxies="10.0.0.0/8").trusted_proxies}  # type: ignore[arg-type]
    )
    proxy = _client(app, "10.0.0.2")
    for _ in range(5):
        _via(proxy, "198.51.100.7")
        assert login(proxy, loaded.staff.email, "mauvais").status_code == 401
    assert login(proxy, loaded.staff.email).status_code == 429
    # What the visitor puts left of their address changes nothing.
    _via(proxy, "203.0.113.50, 198.51.100.7")
    assert login(proxy, loaded.staff.email).status_code == 429
    # The same account from another visitor behind the same proxy is heard.
    colleague = _via(_client(app, "10.0.0.2"), "198.51.100.8")
    assert login(colleague, loaded.staff.email).status_code == 303


def test_an_office_address_does_not_lock_out_its_other_accounts(
    app: FastAPI, loaded: Loaded
) -> None:
    """Everyone at the federation's office shares one address: one person's (or an
    intruder's) failures on some accounts leave the others able to sign in."""
    office = _client(app, "192.0.2.10")
    for account in (loaded.staff, loaded.member_user, loaded.other_user):
        for _ in range(6):
            login(office, account.email, "mauvais")
        assert login(office, account.email).status_code == 429
    for number in range(20):  # someone trying addresses that do not exist
        login(office, f"essai{number}@nulle-part.example", "x")
    colleague = _client(app, "192.0.2.10")
    assert login(colleague, loaded.admin.email).status_code == 303
    # The locked accounts are only locked from this address.
    home = _client(app, "198.51.100.20")
    assert login(home, loaded.member_user.email).status_code == 303


def test_the_per_address_cap_still_stops_a_spray(app: FastAPI, loaded: Loaded) -> None:
    app.state.settings = app.state.settings.model_copy(update={"login_max_failures_per_client": 8})
    office = _client(app, "192.0.2.10")
    for number in range(8):
        assert login(office, f"essai{number}@nulle-part.example", "x").status_code == 401
    assert login(office, loaded.admin.email).status_code == 429
    # Successes do not count against the address.
    elsewhere = _client(app, "192.0.2.11")
    for _ in range(10):
        assert login(elsewhere, loaded.admin.email).status_code == 303
        elsewhere.cookies.clear()


def test_an_account_is_protected_against_guesses_from_many_addresses(
    app: FastAPI, loaded: Loaded
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"login_max_failures_per_account": 6})
    owner = _client(app, "198.51.100.1")
    assert login(owner, loaded.staff.email).status_code == 303  # gives its attempt back
    for number in range(6):
        guesser = _client(app, f"203.0.113.{number + 1}")
        assert login(guesser, loaded.staff.email, "mauvais").status_code == 401
    late = _client(app, "203.0.113.100")
    assert login(late, loaded.staff.email).status_code == 429
    # Other accounts are untouched.
    assert login(late, loaded.admin.email).status_code == 303


def test_a_weak_hash_is_replaced_at_login(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    assert password_needs_rehash(FAST_HASH)
    assert login(client, loaded.staff.email).status_code == 303
    account = session.exec(select(StaffAccount).where(StaffAccount.id == loaded.staff.id)).one()
    session.refresh(account)
    assert account.password_hash != FAST_HASH
    assert not password_needs_rehash(account.password_hash)
    client.cookies.clear()
    assert login(client, loaded.staff.email).status_code == 303


def test_a_served_hub_ignores_forwarded_for_from_this_machine(tmp_path: Path) -> None:
    """``cae-hub serve`` behind no declared proxy: uvicorn's default trusted 127.0.0.1 and
    took the forged header for the client's address, a fresh counter each time."""
    with start_hub(tmp_path) as hub:
        password_file = tmp_path / "mot-de-passe"
        password_file.write_text(PASSWORD, encoding="utf-8")
        email = "equipe@federation.example"
        added = hub.cli(
            "staff", "add", email, "--name", "Équipe", "--password-file", str(password_file)
        )
        assert added.returncode == 0, added.stderr
        statuses = []
        for number in range(6):
            with plain_session() as browser:
                browser.headers["X-Forwarded-For"] = f"203.0.113.{number}"
                page = browser.get(f"{hub.base_url}/connexion", timeout=30)
                found = _CSRF.search(page.text)
                assert found is not None
                form = {"csrf_token": found.group(1), "email": email, "password": "mauvais"}
                response = browser.post(
                    f"{hub.base_url}/connexion", data=form, allow_redirects=False, timeout=30
                )
                statuses.append(response.status_code)
        assert statuses == [401] * 5 + [429], statuses
