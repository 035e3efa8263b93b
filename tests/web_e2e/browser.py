"""Real Chromium driven by Playwright: launch, watch every request and console message, shoot.

Debian's ``chromium`` package is used (``/usr/bin/chromium``), never a downloaded build. Outside
CI, its absence skips the browser tests with the reason; under ``CI=true`` it is a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    StorageState,
    WebError,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000


def require_chromium() -> None:
    """Skip (outside CI) or fail (under CI) when Debian's Chromium is not installed."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"Chromium absent ({CHROMIUM}) : installez-le avec « apt-get install chromium »"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI : {reason}.", pytrace=False)
    pytest.skip(reason)


@contextmanager
def launched() -> Iterator[Browser]:
    """Headless Chromium with a fresh profile of its own, closed afterwards."""
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """Everything a browser context asked for and complained about.

    ``expect(path, status)`` declares an error answer the test provokes on purpose (a member
    opening a staff page gets 404): Chromium logs « Failed to load resource » for it, which is
    then not counted as a console error.
    """

    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error_answers: list[str] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=dict)
    reported: bool = False

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._request)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", self._web_error)

    def expect(self, path: str, status: int) -> None:
        self.expected[path] = status

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _failed(self, request: Request) -> None:
        self.failed.append(f"{request.method} {request.url} : {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status < 400:
            return
        path = urlsplit(response.url).path
        if self.expected.get(path) == response.status:
            return
        self.error_answers.append(f"{response.status} {response.request.method} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        path = urlsplit(where).path
        status = self.expected.get(path)
        if status is not None and re.search(rf"status of {status}\b", message.text):
            return
        self.console_errors.append(f"{message.text} ({where})")

    def _web_error(self, error: WebError) -> None:
        self.page_errors.append(str(error.error))

    def foreign(self) -> list[str]:
        """Requests that left the hub's origin (``data:`` URLs never reach the network)."""
        return [
            url
            for url in self.requests
            if not url.startswith("data:") and _origin(url) != _origin(self.origin)
        ]

    def problems(self) -> list[str]:
        return [
            *(f"erreur de console : {m}" for m in self.console_errors),
            *(f"erreur JavaScript : {m}" for m in self.page_errors),
            *(f"requête échouée : {m}" for m in self.failed),
            *(f"réponse en erreur : {m}" for m in self.error_answers),
            *(f"autre origine : {u}" for u in self.foreign()),
        ]

    def assert_clean(self) -> None:
        problems = self.problems()
        self.reported = bool(problems)
        assert not problems, "\n".join(problems)


@dataclass
class Visitor:
    """A person (logged in or not) in a browser context of their own."""

    context: BrowserContext
    page: Page
    watch: Watch


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@contextmanager
def watched_context(
    browser: Browser, origin: str, *, state: StorageState | None = None
) -> Iterator[tuple[BrowserContext, Watch]]:
    """A fresh browser context at desktop width, with no cookie or those of ``state``; its
    watch is checked on exit."""
    context = browser.new_context(
        base_url=origin,
        storage_state=state,
        viewport=DESKTOP,  # type: ignore[arg-type]
        locale="fr-FR",
        timezone_id="Europe/Paris",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch(origin)
    watch.attach(context)
    try:
        yield context, watch
    finally:
        context.close()
    if not watch.reported:  # a test that already failed on it is not failed twice
        watch.assert_clean()


def login(page: Page, email: str, password: str, *, then: str = "/tableau-de-bord") -> None:
    """Fill the login form as a person would and wait for the page it leads to."""
    page.goto(f"/connexion?suite={then}")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.locator('form:has(input[name="password"]) [type="submit"]').click()


def shoot(page: Page, name: str, *, tablet: bool = False) -> list[Path]:
    """Full-page PNGs of the current page, at desktop width and, with ``tablet``, tablet width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = [SCREENSHOTS / f"{name}-bureau.png"]
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    page.screenshot(path=paths[0], full_page=True)
    if tablet:
        paths.append(SCREENSHOTS / f"{name}-tablette.png")
        page.set_viewport_size(TABLET)  # type: ignore[arg-type]
        page.screenshot(path=paths[1], full_page=True)
        page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    return paths
