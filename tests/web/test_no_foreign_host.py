"""No page of the hub, the API documentation included, loads or points to another host.

Every HTML page reachable by links from the entry pages, for a visitor, a member and the
federation's staff, is read: no ``src``, ``href``, ``action`` or CSS ``url()`` may name
another host. The templates are read too, so that a page no link reaches is checked as well.
``/docs`` and every asset it loads are fetched and checked the same way.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from hub.web.rendering import CONTENT_SECURITY_POLICY, TEMPLATES
from tests.web.conftest import Loaded, login

ORIGIN = "http://testserver"
ENTRY_PAGES = ["/", "/connexion", "/tableau-de-bord", "/docs"]
REFERENCE = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)["']?\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+["']([^"']+)["']""")
MAX_PAGES = 400


def references(text: str) -> list[str]:
    return REFERENCE.findall(text) + CSS_URL.findall(text) + CSS_IMPORT.findall(text)


def foreign(reference: str, base: str) -> bool:
    """True when following ``reference`` from ``base`` would leave the hub."""
    reference = reference.strip()
    if reference.startswith(("data:", "#", "mailto:")) or not reference:
        return False
    target = urlsplit(urljoin(base, reference))
    return target.scheme not in {"http", "https"} or target.netloc != urlsplit(ORIGIN).netloc


def test_foreign_detects_what_it_must() -> None:
    base = f"{ORIGIN}/docs"
    assert foreign("https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css", base)
    assert foreign("//unpkg.com/x.js", base)
    assert foreign("javascript:alert(1)", base)
    assert not foreign("/static/hub.css", base)
    assert not foreign("swagger-ui/x.js", base)
    assert not foreign("data:image/png;base64,AAAA", base)
    assert references('<script src="//a.example/x.js"></script>') == ["//a.example/x.js"]
    assert references("a{background:url('https://a.example/i.png')}") == ["https://a.example/i.png"]


def crawl(client: TestClient) -> dict[str, list[str]]:
    """Every same-origin HTML page reachable from the entry pages: its foreign references."""
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    queue = deque(ENTRY_PAGES)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        answer = client.get(path, headers={"Accept": "text/html"})
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        base = f"{ORIGIN}{path}"
        found[path] = [r for r in references(answer.text) if foreign(r, base)]
        for reference in REFERENCE.findall(answer.text):
            target = urlsplit(urljoin(base, reference))
            if target.netloc != "testserver" or target.path.startswith("/static/"):
                continue
            if target.path == "/deconnexion":
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


@pytest.mark.parametrize("who", ["visiteur", "membre", "équipe"])
def test_no_page_references_another_host(client: TestClient, loaded: Loaded, who: str) -> None:
    if who != "visiteur":
        email = loaded.member_user.email if who == "membre" else loaded.staff.email
        assert login(client, email).status_code == 303
    pages = crawl(client)
    assert "/docs" in pages
    assert len(pages) > (3 if who == "visiteur" else 8), sorted(pages)
    offending = {path: refs for path, refs in pages.items() if refs}
    assert offending == {}


def test_no_template_references_another_host() -> None:
    templates = sorted(Path(TEMPLATES).rglob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        # Jinja expressions are the hub's own addresses (url_for, paths built by the page).
        plain = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text, flags=re.S)
        bad = [r for r in references(plain) if r and foreign(r, f"{ORIGIN}/")]
        assert bad == [], template.name


def test_docs_loads_only_the_hubs_own_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert '<html lang="fr">' in page.text
    assert "<title>cae-hub — documentation de l’API</title>" in page.text
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    assets = [r for r in references(page.text) if r.startswith("/static/")]
    assert {"/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css"} <= set(
        assets
    )
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        if asset.endswith(".css"):
            assert [r for r in references(answer.text) if foreign(r, ORIGIN + asset)] == []
        # No source map nor a second script fetched from elsewhere.
        assert "sourceMappingURL" not in answer.text, asset
    # The script that starts Swagger UI turns the public validator off.
    starter = client.get("/static/docs.js").text
    assert "validatorUrl: null" in starter
    assert client.get("/openapi.json").status_code == 200
    # ReDoc's page would load its script from a CDN: it is not served.
    assert client.get("/redoc").status_code == 404


def test_swagger_ui_licence_ships_with_it() -> None:
    folder = Path(TEMPLATES).parent / "static" / "swagger-ui"
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
