"""One real hub for the whole package (``cae-hub serve`` on a fresh SQLite file, over a socket);
each test gets its own member CAE and token through the admin API, so tests never share reports.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from hub.members.schemas import complete_siren
from tests.served import RunningHub, plain_session, register_member, start_hub

_names = itertools.count(1)


@pytest.fixture(scope="package")
def http() -> Iterator[requests.Session]:
    with plain_session() as session:
        yield session


@pytest.fixture(scope="package")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with start_hub(tmp_path_factory.mktemp("hub")) as running:
        yield running


@pytest.fixture(scope="package")
def admin_token(hub: RunningHub) -> str:
    return hub.admin_token()


@dataclass
class Cae:
    """A member CAE of the served hub, with its sync token."""

    siren: str
    token: str
    hub_url: str
    http: requests.Session

    def get(self, path: str) -> requests.Response:
        return self.http.get(
            self.hub_url + path, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )

    def revisions(self, period: str) -> list[dict[str, Any]]:
        """The hub's revisions of this CAE's report for ``period`` (none: empty)."""
        response = self.get(f"/v1/indicators/reports/{period}/revisions")
        if response.status_code == 404:
            return []
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found

    def current_cells(self, period: str) -> list[dict[str, Any]]:
        response = self.get(f"/v1/indicators/reports/{period}")
        assert response.status_code == 200, response.text
        cells: list[dict[str, Any]] = response.json()["cells"]
        return cells


@pytest.fixture
def new_cae(hub: RunningHub, admin_token: str, http: requests.Session) -> Callable[[], Cae]:
    """Register a member CAE through the admin API and issue its token."""

    def register() -> Cae:
        siren = complete_siren(f"{random.randrange(10**7, 10**8)}")
        token = register_member(
            hub,
            http,
            admin_token=admin_token,
            siren=siren,
            name=f"CAE de test n°{next(_names)} {siren}",
        )
        return Cae(siren, token, hub.base_url, http)

    return register


@pytest.fixture
def cae(new_cae: Callable[[], Cae]) -> Cae:
    return new_cae()


def write_config(
    folder: Path,
    *,
    url: str,
    token: str,
    connector: str = "jsonreports",
    connector_config: str = 'file = "reports.json"',
    periods: list[str] | None = None,
    hub_extra: str = "max_attempts = 3\nbackoff = 0.05\ntimeout = 10",
    sync_extra: str = "",
) -> Path:
    """A sync configuration file in ``folder``, its token in a file next to it."""
    (folder / "token").write_text(token + "\n", encoding="utf-8")
    period_line = f"periods = {periods!r}".replace("'", '"') if periods else ""
    text = f"""
[hub]
url = "{url}"
token_file = "token"
{hub_extra}

[connector]
name = "{connector}"

[connector.config]
{connector_config}

[sync]
data_dir = "state"
{period_line}
{sync_extra}
"""
    path = folder / "sync.toml"
    path.write_text(text, encoding="utf-8")
    return path
