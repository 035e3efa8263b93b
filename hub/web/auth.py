"""Page dependencies, as ``Annotated`` aliases: who is logged in, with which role, and the
CSRF check of every form.

``PageUser`` — any logged-in person (else a redirection to the login page);
``StaffPage`` — federation staff; ``MemberPage`` — a member CAE's account. A page the caller's
role may not see answers 404, as the API does (DESIGN.md, section 9).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from hub.config import Settings
from hub.db import SessionDep, app_settings
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


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip(text: str) -> IPAddress | None:
    """The address in ``text`` (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``, ``::1``), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def client_address(request: Request, settings: Settings) -> str | None:
    """The address of the person behind ``request``, for the login throttle.

    ``X-Forwarded-For`` is believed only when the direct peer is one of ``trusted_proxies``:
    then the right-most address of the header that is not a trusted proxy (each proxy
    appends the address it saw; what lies left of the first untrusted one may be forged).
    From any other peer the header is ignored.
    """
    peer = request.client.host if request.client else None
    if peer is None:
        return None
    peer_ip = _ip(peer)
    trusted = settings.trusted_proxies

    def is_trusted(address: IPAddress) -> bool:
        return any(address in network for network in trusted)

    if peer_ip is None or not is_trusted(peer_ip):
        return str(peer_ip) if peer_ip is not None else peer
    found = peer_ip
    hops = [hop for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:  # garbage: keep the last hop a trusted proxy vouched for
            break
        found = address
        if not is_trusted(address):
            break
    return str(found)


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
    settings = app_settings(request)
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


async def login_fields(request: Request) -> dict[str, str] | None:
    """The login form's text fields (absent ones empty), or None when the body is no form."""
    try:
        form = await read_form(request)
    except CsrfRejected:
        return None
    return {
        name: value if isinstance(value := form.get(name), str) else ""
        for name in ("csrf_token", "email", "password", "suite")
    }


LoginFields = Annotated[dict[str, str] | None, Depends(login_fields)]


async def checked_form(request: Request, user: PageUser) -> FormData:
    """The submitted form, once its CSRF token has been checked against the session."""
    form = await read_form(request)
    given = form.get("csrf_token")
    if not isinstance(given, str) or not tokens_match(user.csrf_token, given):
        raise CsrfRejected("jeton CSRF absent ou invalide")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
