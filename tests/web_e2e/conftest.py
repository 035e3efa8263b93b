"""Fixtures of the browser tests: one loaded database for the run, and per test module one
served hub on a copy of it and one Chromium. Each test gets fresh browser contexts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, StorageState

from tests.served import RunningHub, start_hub
from tests.web_e2e.browser import Visitor, launched, login, require_chromium, watched_context
from tests.web_e2e.dataset import Dataset, build

QUICK_PAGE = "/statistiques?indicateur=support_staff_fte"
"""Where the module's sign-in lands: a page that is quick to draw."""


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    require_chromium()  # no need to load anything when the browser tests cannot run
    return build(tmp_path_factory.mktemp("web-e2e-dataset"))


@pytest.fixture(scope="module")
def hub(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """``cae-hub serve`` on a copy of the loaded database: modules may change it freely."""
    workdir = tmp_path_factory.mktemp("web-e2e-hub")
    (workdir / "var").mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{dataset.database}{suffix}")
        if source.exists():
            shutil.copyfile(source, workdir / "var" / f"hub.sqlite3{suffix}")
    with start_hub(workdir) as running:
        yield running
        log = running.log_tail()
        assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as chromium:
        yield chromium


@pytest.fixture
def visitor(browser: Browser, hub: RunningHub) -> Iterator[Visitor]:
    """Someone not logged in."""
    with watched_context(browser, hub.base_url) as (context, watch):
        yield Visitor(context, context.new_page(), watch)


def _signed_in(browser: Browser, hub: RunningHub, email: str, password: str) -> StorageState:
    """The cookies of a browser that logged in through the form, for the module's tests.
    (The login page itself is checked by the tests that sign in, not here.)"""
    context = browser.new_context(base_url=hub.base_url)
    try:
        login(context.new_page(), email, password, then=QUICK_PAGE)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def staff_login(browser: Browser, hub: RunningHub, dataset: Dataset) -> StorageState:
    return _signed_in(browser, hub, dataset.staff_email, dataset.staff_password)


@pytest.fixture(scope="module")
def member_login(browser: Browser, hub: RunningHub, dataset: Dataset) -> StorageState:
    return _signed_in(browser, hub, dataset.member_email, dataset.member_password)


@pytest.fixture
def staff(browser: Browser, hub: RunningHub, staff_login: StorageState) -> Iterator[Visitor]:
    """The federation's staff, in a fresh context holding the module's session cookie
    (tests that log out sign in for themselves, see ``login``)."""
    with watched_context(browser, hub.base_url, state=staff_login) as (context, watch):
        yield Visitor(context, context.new_page(), watch)


@pytest.fixture
def member(browser: Browser, hub: RunningHub, member_login: StorageState) -> Iterator[Visitor]:
    """A member CAE's support team, in a fresh context holding the module's session cookie."""
    with watched_context(browser, hub.base_url, state=member_login) as (context, watch):
        yield Visitor(context, context.new_page(), watch)
