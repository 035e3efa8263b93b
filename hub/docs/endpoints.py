"""``/docs``: Swagger UI from ``/static/swagger-ui`` (vendored), under the pages' strict CSP.

FastAPI's own page loads its assets from a CDN and runs an inline script; this one loads only
files of the hub, and ``/static/docs.js`` starts Swagger UI with the address of the OpenAPI
description read from the page.

Vendored: ``swagger-ui-bundle.js`` and ``swagger-ui.css`` of the npm package swagger-ui-dist
5.35.0 (Apache-2.0, LICENSE and NOTICE beside them), with only their ``sourceMappingURL``
comment removed (the maps are not shipped). To update: ``npm pack swagger-ui-dist``, copy the
same two files and the licence files.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from hub.web.rendering import PAGE_HEADERS

DOCS_PATH = "/docs"
TITLE = "cae-hub — documentation de l’API"
ASSETS = "/static/swagger-ui"

router = APIRouter(include_in_schema=False)


def docs_page(openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLE)}</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="stylesheet" href="/static/docs.css">
</head>
<body>
<header class="docs-intro">
<h1>{escape(TITLE)}</h1>
<p>Description OpenAPI : <a href="{escape(openapi_url)}">{escape(openapi_url)}</a>.
Authentification : bouton « Authorize », puis le jeton remis par la fédération.
Les erreurs suivent application/problem+json (RFC 9457).</p>
<noscript><p>Cette page a besoin de JavaScript ; la description complète de l'API reste
lisible à l'adresse ci-dessus.</p></noscript>
</header>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get(DOCS_PATH, response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    openapi_url = request.app.openapi_url or "/openapi.json"
    return HTMLResponse(docs_page(openapi_url), headers=PAGE_HEADERS)


def mount_docs(app: FastAPI) -> None:
    app.include_router(router)
