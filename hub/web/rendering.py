"""Templates, security headers and the French error pages of the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.errors import HubError
from hub.templating import french_environment
from hub.web.auth import CsrfRejected, LoginRequired, login_url
from hub.web.service import WebUser

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
API_PREFIXES = ("/v1", "/admin", "/healthz", "/openapi.json", "/docs", "/redoc", "/static")

# Pages load nothing from elsewhere and run no inline script; charts are inline SVG whose
# presentation attributes need no inline style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

ERROR_TITLES = {
    400: "Requête incorrecte",
    403: "Action refusée",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    429: "Trop de tentatives",
    500: "Erreur interne",
    503: "Service indisponible",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    return french_environment(TEMPLATES)


def render(
    request: Request,
    template: str,
    *,
    user: WebUser | None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page of the dashboard, with its security headers."""
    html = environment().get_template(template).render(user=user, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})


def error_page(
    request: Request,
    status_code: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    user = getattr(request.state, "web_user", None)
    return render(
        request,
        "error.html",
        user=user if isinstance(user, WebUser) else None,
        status_code=status_code,
        headers=headers,
        title=ERROR_TITLES.get(status_code, "Erreur"),
        detail=detail,
        status=status_code,
    )


def page_status(error: HubError) -> int:
    """Pages answer 400 for a bad query and 404 for what the caller may not see."""
    if error.status_code == 422:
        return 400
    if error.status_code in {401, 403}:
        return 404
    return error.status_code


def hub_error_page(request: Request, error: HubError) -> HTMLResponse:
    status = page_status(error)
    detail = error.detail if status != 404 or error.status_code == 404 else "Page introuvable."
    for item in error.errors:
        if item.message and item.message not in detail:
            detail += f" ({item.message})"
            break
    return error_page(request, status, detail)


def redirect(url: str, *, status_code: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status_code, headers=PAGE_HEADERS)


CSRF_MESSAGE = (
    "Le formulaire a expiré ou ne provient pas de ce site : rechargez la page et recommencez."
)


class PageRoute(APIRoute):
    """A dashboard route: errors become French pages, never problem+json nor a 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                return redirect(login_url(exc.target))
            except CsrfRejected:
                return error_page(request, 403, CSRF_MESSAGE)
            except HubError as exc:
                return hub_error_page(request, exc)
            except RequestValidationError:
                return error_page(request, 400, "Les paramètres de la page sont incorrects.")

        return guarded


def is_page_path(path: str) -> bool:
    return not any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def install_error_pages(app: FastAPI) -> None:
    """Unknown addresses outside the API answer a French page to browsers."""
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        wants_html = "text/html" in request.headers.get("accept", "")
        if is_page_path(request.url.path) and wants_html and exc.status_code in {404, 405}:
            detail = {
                404: "Aucune page à cette adresse.",
                405: "Cette adresse n'accepte pas cette méthode.",
            }[exc.status_code]
            return error_page(request, exc.status_code, detail)
        response = await api_handler(request, exc)  # type: ignore[misc]
        assert isinstance(response, Response)
        return response

    app.add_exception_handler(StarletteHTTPException, http_error)
