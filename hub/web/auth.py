"""Page dependencies, as ``Annotated`` aliases: who is logged in, with which role, and the
CSRF check of every form.

``PageUser`` — any logged-in person (else a redirection to the login page);
``StaffPage`` — federation staff; ``MemberPage`` — a member CAE's account. A page the caller's
role may not see answers 404, as the API does (DESIGN.md, section 9).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from hub.config import Settings
from hub.db import SessionDep
from hub.errors import NotFound
from hub.members.models import Scope
from hub.web.service import WebUser, tokens_match, web_auth_service

LOGIN_PATH = "/connexion"
HOME_PATH = "/tableau-de-bord"
MAX_FORM_BYTES = 64 * 1024


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page, then back to ``target``."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class CsrfRejected(Exception):
    """A form came without the token of the session (or of the login page)."""


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def login_cookie_name(settings: Settings) -> str:
    return f"{settings.session_cookie_name}_connexion"


def cookie_is_secure(request: Request, settings: Settings) -> bool:
    """Secure when told so, else when the request came over HTTPS (as the proxy reports it)."""
    if settings.session_cookie_secure is not None:
        return settings.session_cookie_secure
    return request.url.scheme == "https"


def set_session_cookie(
    response: Response, request: Request, settings: Settings, session_id: str
) -> None:
    response.set_cookie(
        settings.session_cookie_name,
        session_id,
        max_age=settings.session_max_age_s,
        path="/",
        secure=cookie_is_secure(request, settings),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        secure=cookie_is_secure(request, settings),
        httponly=True,
        samesite="lax",
    )


def safe_target(target: str | None) -> str:
    """Where to go after login: a path of this site only, never another host."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 32 for char in target)
        or len(target) > 500
    ):
        return HOME_PATH
    return target


def login_url(target: str) -> str:
    return f"{LOGIN_PATH}?suite={quote(target, safe='/')}"


def current_user(request: Request, session: SessionDep) -> WebUser:
    settings = settings_of(request)
    raw = request.cookies.get(settings.session_cookie_name)
    user = web_auth_service.resolve(session, settings, raw)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    request.state.web_user = user
    return user


PageUser = Annotated[WebUser, Depends(current_user)]


def staff_user(user: PageUser) -> WebUser:
    if user.principal.staff is None:
        raise NotFound("Cette page n'existe pas.")
    return user


def member_user(user: PageUser) -> WebUser:
    if user.principal.member is None:
        raise NotFound("Cette page n'existe pas.")
    return user


def publisher(user: PageUser) -> WebUser:
    if user.principal.staff is None or not user.principal.has_scope(Scope.STATS_PUBLISH):
        raise NotFound("Cette page n'existe pas.")
    return user


StaffPage = Annotated[WebUser, Depends(staff_user)]
MemberPage = Annotated[WebUser, Depends(member_user)]
PublisherPage = Annotated[WebUser, Depends(publisher)]


async def read_form(request: Request) -> FormData:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise CsrfRejected("formulaire trop volumineux")
    try:
        return await request.form(max_files=0, max_fields=50)
    except Exception as exc:  # an unreadable body is refused like a forged one
        raise CsrfRejected("formulaire illisible") from exc


async def checked_form(request: Request, user: PageUser) -> FormData:
    """The submitted form, once its CSRF token has been checked against the session."""
    form = await read_form(request)
    given = form.get("csrf_token")
    if not isinstance(given, str) or not tokens_match(user.csrf_token, given):
        raise CsrfRejected("jeton CSRF absent ou invalide")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
