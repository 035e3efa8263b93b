"""Authentication dependencies, as ``Annotated`` aliases every domain reuses.

``CurrentPrincipal`` — any valid token; ``CurrentMember`` — a member CAE's token;
``StaffOnly`` — a staff or admin token; ``AdminOnly`` — an admin token. ``require_scope``
adds a scope check. An endpoint whose existence is public answers 403 to the wrong role;
a resource the caller may not see answers 404 (DESIGN.md, section 9).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.errors import Forbidden
from hub.members.models import Member, Scope, StaffAccount
from hub.members.service import Principal, auth_service

_bearer = HTTPBearer(auto_error=False, description="Jeton du hub : « Bearer caeh_… »")


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from the token cache on the event loop, or else a short lookup of its own
    in a worker thread (no admission slot)."""
    settings = request.app.state.settings
    secret = credentials.credentials if credentials is not None else None
    principal = auth_service.from_cache(secret, check_s=settings.token_cache_check_s)
    if principal is None:
        principal = await to_thread.run_sync(
            partial(
                auth_service.authenticate_cached,
                request.app.state.session_factory,
                secret,
                touch_resolution=timedelta(seconds=settings.token_last_used_resolution_s),
                ttl_s=settings.token_cache_ttl_s,
                check_s=settings.token_cache_check_s,
            )
        )
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_member(principal: CurrentPrincipal) -> Member:
    if principal.member is None:
        raise Forbidden("Réservé aux CAE membres : utilisez le jeton de votre CAE.")
    return principal.member


def get_staff(principal: CurrentPrincipal) -> StaffAccount:
    if principal.role not in {"staff", "admin"} or principal.staff is None:
        raise Forbidden("Réservé à l'équipe de la fédération.")
    return principal.staff


def get_admin(principal: CurrentPrincipal) -> StaffAccount:
    if principal.role != "admin" or principal.staff is None:
        raise Forbidden("Réservé aux administrateurs de la fédération.")
    if not principal.has_scope(Scope.ADMIN):
        raise Forbidden("Ce jeton n'a pas le droit « admin ».")
    return principal.staff


# The role checks are plain functions (endpoints call ``get_member`` on a principal they
# hold); as dependencies they run on the event loop, not in a worker thread of their own.
async def _member(principal: CurrentPrincipal) -> Member:
    return get_member(principal)


async def _staff(principal: CurrentPrincipal) -> StaffAccount:
    return get_staff(principal)


async def _admin(principal: CurrentPrincipal) -> StaffAccount:
    return get_admin(principal)


CurrentMember = Annotated[Member, Depends(_member)]
StaffOnly = Annotated[StaffAccount, Depends(_staff)]
AdminOnly = Annotated[StaffAccount, Depends(_admin)]


def require_scope(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency refusing tokens that lack ``scope``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_scope(scope):
            raise Forbidden(f"Ce jeton n'a pas le droit « {scope.value} ».")
        return principal

    return check
