"""Errors of the hub, all answered as ``application/problem+json`` (RFC 9457).

The tree::

    HubError                      500  erreur interne
    ├── BadRequest                400  requête invalide
    ├── Unauthorized              401  authentification requise
    ├── Forbidden                 403  droits insuffisants
    ├── NotFound                  404  introuvable (also: exists but the caller may not see it)
    ├── Conflict                  409  conflit avec l'état actuel
    │   └── InProgress            409  la même demande est encore en cours : réessayer
    ├── PayloadTooLarge           413  corps trop volumineux
    ├── UnsupportedMediaType      415  corps qui n'est pas du JSON en UTF-8
    ├── ValidationFailed          422  données invalides, with ``errors: [{path, message}]``
    └── ServiceUnavailable        503  service indisponible (Retry-After)
        └── Busy                  503  hub occupé (hub.admission)

One handler turns any of them, FastAPI's request-validation errors and Starlette's HTTP
errors into the same shape: ``type``, ``title``, ``status``, ``detail`` and, for validation,
``errors``. Paths are JSONPath-like: ``$.cells[3].value`` inside a JSON body,
``query.period`` / ``path.siren`` / ``header.authorization`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from cae_contract.problems import ErrorItem, field_message
from cae_contract.registry import UnknownSchema

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://cae-hub.fr/problems/"

log = structlog.get_logger(__name__)


class HubError(Exception):
    """Base of every error the hub answers on purpose."""

    status_code: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Erreur interne"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[ErrorItem] = (),
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.extra = extra or {}

    def to_problem(self) -> dict[str, Any]:
        """The problem body; ``extra`` adds extension members (RFC 9457, section 3.2)."""
        body = problem(self.status_code, self.slug, self.title, self.detail, self.errors)
        return {**self.extra, **body}


class BadRequest(HubError):
    status_code = 400
    slug = "bad-request"
    title = "Requête invalide"


class Unauthorized(HubError):
    status_code = 401
    slug = "unauthorized"
    title = "Authentification requise"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="cae-hub"'})


class Forbidden(HubError):
    status_code = 403
    slug = "forbidden"
    title = "Droits insuffisants"


class NotFound(HubError):
    status_code = 404
    slug = "not-found"
    title = "Introuvable"


class Conflict(HubError):
    status_code = 409
    slug = "conflict"
    title = "Conflit avec l'état actuel"


class PayloadTooLarge(HubError):
    status_code = 413
    slug = "too-large"
    title = "Requête trop volumineuse"


class UnsupportedMediaType(HubError):
    status_code = 415
    slug = "unsupported-media-type"
    title = "Format de corps non accepté"


class InProgress(Conflict):
    """The same request (same Idempotency-Key) is still being stored: retry, it will replay."""

    slug = "in-progress"
    title = "Demande déjà en cours de traitement"


class ValidationFailed(HubError):
    status_code = 422
    slug = "validation"
    title = "Données invalides"


class ServiceUnavailable(HubError):
    status_code = 503
    slug = "unavailable"
    title = "Service indisponible"


def problem(
    status: int, slug: str, title: str, detail: str, errors: Iterable[ErrorItem] = ()
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    items = [{"path": e.path, "message": e.message} for e in errors]
    if items:
        body["errors"] = items
    return body


class ProblemItem(BaseModel):
    path: str
    message: str


class Problem(BaseModel):
    """The body of every error answer (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemItem] | None = None


RETRY_AFTER = {
    "description": "Secondes à attendre avant de réessayer",
    "schema": {"type": "integer", "minimum": 0},
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "Le schéma attendu : Bearer",
            "schema": {"type": "string"},
        }
    },
    429: {"Retry-After": RETRY_AFTER},
    503: {"Retry-After": RETRY_AFTER},
}
_DESCRIPTIONS = {
    400: "Requête invalide (caractère nul dans l'adresse ou un en-tête, requête illisible)",
    401: "Jeton absent, inconnu, expiré ou révoqué",
    403: "Droits insuffisants pour ce jeton",
    404: "Introuvable, ou non visible pour l'appelant",
    409: "Conflit avec l'état actuel",
    412: "Précondition non remplie",
    413: "Corps de requête trop volumineux",
    414: "Adresse trop longue",
    415: "Type de contenu ou encodage non accepté (JSON en UTF-8 attendu)",
    422: "Données invalides (chaque champ fautif est nommé dans errors)",
    429: "Trop de requêtes : réessayez après Retry-After",
    503: "Service indisponible (surcharge ou base de données) : réessayez après Retry-After",
}
API_ERRORS = (400, 422, 503)
"""What any operation of the API may answer: unreadable input, invalid data, a busy hub."""
BODY_ERRORS = (413, 415)
"""What an operation with a request body may answer besides."""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the error statuses an endpoint may answer."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "description": _DESCRIPTIONS[status],
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        responses[status] = entry
    return responses


def problem_response(error: HubError) -> JSONResponse:
    return JSONResponse(
        error.to_problem(),
        status_code=error.status_code,
        headers=error.headers,
        media_type=PROBLEM_JSON,
    )


# -- French messages for request validation -------------------------------------------------


def _path(loc: Sequence[Any]) -> str:
    if not loc:
        return "$"
    where, *rest = loc
    if where == "body":
        out = "$"
        for part in rest:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out
    tail = ".".join(str(p) for p in rest)
    return f"{where}.{tail}" if tail else str(where)


def request_validation_items(exc: RequestValidationError) -> list[ErrorItem]:
    # A JSON syntax error is located at ("body", offset in the text): its field is the whole body.
    return [
        ErrorItem(
            "$" if e.get("type") == "json_invalid" else _path(e.get("loc", ())), field_message(e)
        )
        for e in exc.errors()
    ]


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_STATIC_METHODS = ["GET", "HEAD"]


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path, for ``Allow``.

    The router stops at the first route whose path matches, so its 405 names only that
    route's methods, while a path often has one route per method.
    """
    routes = request.app.router.routes
    # Inside a mounted app, root_path has grown by the mount's prefix; the app's own is kept.
    root_path = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    allowed: list[str] = []
    for method in _METHODS:
        scope = {
            "type": "http",
            "method": method,
            "path": request.scope.get("path", ""),
            "root_path": root_path,
            "headers": [],
            "query_string": b"",
        }
        for route in routes:
            if route.matches(scope)[0] is Match.FULL:
                if isinstance(route, Mount):  # static files: read-only
                    return _STATIC_METHODS
                allowed.append(method)
                break
    return allowed


def install_error_handlers(app: FastAPI) -> None:
    """One handler per family; every answer has the problem+json shape."""

    @app.exception_handler(HubError)
    async def _hub_error(_: Request, exc: HubError) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(UnknownSchema)
    async def _unknown_schema(_: Request, exc: UnknownSchema) -> JSONResponse:
        return problem_response(NotFound(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        items = request_validation_items(exc)
        fields = ", ".join(sorted({i.path for i in items}))
        return problem_response(
            ValidationFailed(f"La requête contient des données invalides : {fields}.", errors=items)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body it cannot decode: bytes that are not UTF-8, deep nesting.
            return problem_response(
                ValidationFailed(
                    "Le corps de la requête est illisible : un document JSON en UTF-8 est attendu.",
                    errors=[
                        ErrorItem(
                            "$", "JSON illisible (octets non UTF-8 ou imbrication trop profonde)"
                        )
                    ],
                )
            )
        titles = {404: "Introuvable", 405: "Méthode non autorisée", 413: "Requête trop volumineuse"}
        details = {
            404: "Aucune ressource à cette adresse.",
            405: "Cette méthode HTTP n'est pas acceptée à cette adresse.",
        }
        status = exc.status_code
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        body = problem(
            status,
            f"http-{status}",
            titles.get(status, "Erreur HTTP"),
            details.get(status, str(exc.detail)),
        )
        return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity_error", path=request.url.path, error=type(exc.orig).__name__)
        return problem_response(
            Conflict("L'opération contredit une donnée déjà enregistrée (doublon ou référence).")
        )

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database_unavailable", path=request.url.path, error=type(exc.orig).__name__)
        return problem_response(
            ServiceUnavailable(
                "La base de données ne répond pas ; réessayez dans un instant.",
                headers={"Retry-After": "30"},
            )
        )

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("database_pool_exhausted", path=request.url.path)
        return problem_response(
            ServiceUnavailable(
                "Toutes les connexions à la base sont occupées ; réessayez dans un instant.",
                headers={"Retry-After": "5"},
            )
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled_error", path=request.url.path, error=type(exc).__name__, exc_info=exc)
        body = problem(
            500,
            "internal",
            "Erreur interne",
            "Une erreur inattendue est survenue ; elle a été journalisée.",
        )
        return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)
