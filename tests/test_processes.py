"""Two hub processes on one PostgreSQL database, each with its own in-process caches: what one
accepts or publishes, the other shows at its very next request (tables are kept by the data
they come from — the revisions in force, the publication — never for a while)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.databases import fresh_database, postgres_url
from tests.served import RunningHub, plain_session, register_member, start_hub
from tests.sync.connector import cells

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL injoignable"),
]
PERIOD = "2025-S1"
SIRENS = ("832451967", "732829320", "552100554", "443061841")


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with plain_session() as session:
        yield session


@pytest.fixture
def hubs(tmp_path: Path) -> Iterator[tuple[RunningHub, RunningHub]]:
    with fresh_database("postgresql", tmp_path, migrate=False) as engine:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with (
            start_hub(tmp_path / "a", database_url=url) as first,
            start_hub(tmp_path / "b", database_url=url) as second,
        ):
            yield first, second


def _put(http: requests.Session, hub: RunningHub, token: str, total: int) -> None:
    response = http.put(
        f"{hub.base_url}/v1/indicators/reports/{PERIOD}",
        json={"period": PERIOD, "cells": cells(total)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def _total(http: requests.Session, hub: RunningHub, token: str, **query: Any) -> Any:
    response = http.get(
        f"{hub.base_url}/v1/stats",
        params={"indicator": "entrepreneurs", "period": PERIOD, **query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    if response.status_code != 200:
        return response.status_code
    (cell,) = response.json()["cells"]  # no breakdown: the total alone
    return cell["value"], response.json()["source"]["publication"]


def test_what_one_process_accepts_and_publishes_the_other_shows(
    hubs: tuple[RunningHub, RunningHub], http: requests.Session
) -> None:
    first, second = hubs
    admin = first.admin_token()
    tokens = [
        register_member(first, http, admin_token=admin, siren=siren, name=f"CAE {siren}")
        for siren in SIRENS
    ]
    for token, total in zip(tokens, (10, 12, 14, 16), strict=True):
        _put(http, first, token, total)

    # The second process computes the live table and keeps it...
    assert _total(http, second, admin, draft="true") == (52, None)
    assert _total(http, second, tokens[0]) == 404  # nothing published yet
    # ...a new revision accepted by the first is in the second's very next answer.
    _put(http, first, tokens[0], 20)
    assert _total(http, second, admin, draft="true") == (62, None)

    published = http.post(
        f"{first.base_url}/v1/stats/publications/{PERIOD}",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=120,
    )
    assert published.status_code == 201, published.text
    assert _total(http, second, tokens[1]) == (62, 1)

    # A later revision and a second publication, made by the second process, reach the first.
    assert _total(http, first, tokens[2]) == (62, 1)
    _put(http, second, tokens[3], 30)
    assert _total(http, first, admin, draft="true") == (76, None)
    assert _total(http, first, tokens[2]) == (62, 1)  # the publication in force is unchanged
    again = http.post(
        f"{second.base_url}/v1/stats/publications/{PERIOD}",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=120,
    )
    assert again.status_code == 201, again.text
    # Each process looks for a newer publication once every HUB_STATS_CACHE_CHECK_S (1 s by
    # default): the first one serves the second publication within that interval.
    deadline = time.monotonic() + 5
    while _total(http, first, tokens[2]) != (76, 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _total(http, first, tokens[2]) == (76, 2)
