"""The dashboard's pages (server-rendered, French) and its sign-in.

``router`` gathers every page; routes answer French HTML pages, errors included, and stay
out of the OpenAPI document of the API.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from hub.config import Settings
from hub.db import SessionDep, app_settings
from hub.web.audit_pages import router as audit_router
from hub.web.auth import (
    HOME_PATH,
    LOGIN_PATH,
    CheckedForm,
    LoginFields,
    PageUser,
    clear_session_cookie,
    client_address,
    cookie_is_secure,
    login_cookie_name,
    safe_target,
    set_session_cookie,
)
from hub.web.delegation_pages import router as delegation_router
from hub.web.evolution_pages import router as evolution_router
from hub.web.federation_pages import router as federation_router
from hub.web.jobs_pages import router as jobs_router
from hub.web.rendering import (
    CSRF_MESSAGE,
    STATIC,
    PageRoute,
    install_error_pages,
    redirect,
    render,
)
from hub.web.seminar_pages import router as seminar_router
from hub.web.service import login_csrf_token, new_identifier, tokens_match, web_auth_service
from hub.web.stats_pages import router as stats_router
from hub.web.training_pages import router as training_router

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LOGIN_COOKIE_MAX_AGE = 3600
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
REFUSED = "Adresse électronique ou mot de passe incorrect."


def _login_nonce(request: Request, settings: Settings) -> str:
    """The browser's pre-login value, kept across reloads so that two tabs both work."""
    current = request.cookies.get(login_cookie_name(settings), "")
    return current if 20 <= len(current) <= 64 and current.isascii() else new_identifier()


def _login_page(
    request: Request,
    settings: Settings,
    *,
    status_code: int = 200,
    message: str | None = None,
    email: str = "",
    suite: str = HOME_PATH,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    nonce = _login_nonce(request, settings)
    response = render(
        request,
        "login.html",
        user=None,
        status_code=status_code,
        headers=headers,
        title="Connexion",
        csrf_token=login_csrf_token(settings, nonce),
        message=message,
        email=email,
        suite=suite,
    )
    response.set_cookie(
        login_cookie_name(settings),
        nonce,
        max_age=LOGIN_COOKIE_MAX_AGE,
        path=LOGIN_PATH,
        secure=cookie_is_secure(request, settings),
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/")
def home(request: Request, session: SessionDep) -> Response:
    settings = app_settings(request)
    user = web_auth_service.resolve(
        session, settings, request.cookies.get(settings.session_cookie_name)
    )
    return redirect(HOME_PATH if user is not None else LOGIN_PATH)


@router.get(LOGIN_PATH)
def login_form(request: Request, session: SessionDep, suite: str | None = None) -> Response:
    settings = app_settings(request)
    target = safe_target(suite)
    raw = request.cookies.get(settings.session_cookie_name)
    if web_auth_service.resolve(session, settings, raw) is not None:
        return redirect(target)
    return _login_page(request, settings, suite=target)


@router.post(LOGIN_PATH)
def login(fields: LoginFields, request: Request, session: SessionDep) -> Response:
    # Synchronous: Argon2 and the database run in the thread pool, not on the event loop.
    # The form is read (by its dependency) before the session opens.
    settings = app_settings(request)
    if fields is None:
        return _login_page(request, settings, status_code=403, message=CSRF_MESSAGE)
    email = fields["email"].strip()[:MAX_EMAIL_LENGTH]
    target = safe_target(fields["suite"])
    nonce = request.cookies.get(login_cookie_name(settings))
    if not nonce or not tokens_match(login_csrf_token(settings, nonce), fields["csrf_token"]):
        return _login_page(
            request, settings, status_code=403, message=CSRF_MESSAGE, email=email, suite=target
        )
    password = fields["password"]
    if not email or not password or len(password) > MAX_PASSWORD_LENGTH:
        return _login_page(
            request, settings, status_code=401, message=REFUSED, email=email, suite=target
        )
    result = web_auth_service.login(
        session,
        settings,
        email=email,
        password=password,
        client=client_address(request, settings),
        previous_session_id=request.cookies.get(settings.session_cookie_name),
    )
    if result.status == "throttled":
        minutes = max(1, -(-result.retry_after_s // 60))
        return _login_page(
            request,
            settings,
            status_code=429,
            message=(
                "Trop de tentatives de connexion infructueuses : réessayez dans "
                f"{minutes} minute{'s' if minutes > 1 else ''}."
            ),
            email=email,
            suite=target,
            headers={"Retry-After": str(result.retry_after_s)},
        )
    if result.status == "refused" or result.session_id is None:
        return _login_page(
            request, settings, status_code=401, message=REFUSED, email=email, suite=target
        )
    response = redirect(target)
    set_session_cookie(response, request, settings, result.session_id)
    response.delete_cookie(login_cookie_name(settings), path=LOGIN_PATH)
    return response


@router.post("/deconnexion")
def logout(request: Request, session: SessionDep, user: PageUser, _: CheckedForm) -> Response:
    settings = app_settings(request)
    web_auth_service.end(session, user)
    response = redirect(LOGIN_PATH)
    clear_session_cookie(response, request, settings)
    return response


router.include_router(stats_router)
router.include_router(evolution_router)
router.include_router(federation_router)
router.include_router(jobs_router)
router.include_router(audit_router)
router.include_router(training_router)
router.include_router(seminar_router)
router.include_router(delegation_router)


def mount_dashboard(app: FastAPI) -> None:
    """Serve the pages, their static files under ``/static`` and French error pages."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app)
