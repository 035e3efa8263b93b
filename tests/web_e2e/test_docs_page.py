"""``/docs`` in Chromium, offline: Swagger UI draws the hub's API from the package's own files,
under the pages' strict CSP, and never asks another host for anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Route

from tests.served import RunningHub, start_hub
from tests.web_e2e.browser import launched, watched_context


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched() as browser:
        yield browser


@pytest.fixture(scope="module")
def bare_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with start_hub(tmp_path_factory.mktemp("docs-hub")) as running:
        yield running


def test_docs_draws_the_api_offline_under_the_csp(chromium: Browser, bare_hub: RunningHub) -> None:
    with watched_context(chromium, bare_hub.base_url) as (context, watch):
        # Offline: whatever is not the hub gets no answer at all.
        def offline(route: Route) -> None:
            if route.request.url.startswith(bare_hub.base_url):
                route.continue_()
            else:
                route.abort("internetdisconnected")

        context.route("**/*", offline)
        page = context.new_page()
        answer = page.goto("/docs")
        assert answer is not None and answer.status == 200
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert page.title() == "cae-hub — documentation de l’API"
        assert page.locator("html").get_attribute("lang") == "fr"
        # Swagger UI drew the hub's description: its title and an operation of each router.
        page.locator(".swagger-ui .info .title").wait_for()
        assert "cae-hub" in page.locator(".swagger-ui .info .title").inner_text()
        page.locator(".opblock-summary-path", has_text="/healthz").first.wait_for()
        assert page.locator(".opblock").count() > 10
        assert page.locator(".swagger-ui .btn.authorize").count() == 1
        # No validator badge (it would send the description to a public service).
        assert page.locator(".validator-badge, img[src*='validator']").count() == 0
    # watched_context checked on exit: no console error (a CSP refusal is one), no failed or
    # foreign request.
    assert all(url.startswith(bare_hub.base_url) for url in watch.requests), watch.requests
    assert any(url.endswith("/openapi.json") for url in watch.requests)
