"""Verified tokens kept in memory, so that a request does not look its token up every time.

A token's principal (the token, its member or staff account) is kept for
``min(token_cache_ttl_s, token_last_used_resolution_s)``: the date of last use stays as
precise as before, and a busy client costs one lookup a minute instead of one per request.

Revocation is respected. In this process, revoking a token, changing or deactivating a member
empties the cache at once (the services call :meth:`PrincipalCache.clear`). Done by another
process (another hub worker, the command line), it is seen within ``token_cache_check_s``: at
most that often, one request compares a stamp of the token, member and staff tables (latest
revocation and latest change) with the one it saw, and empties the cache when it moved.
An expired token is refused from the cache as from the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from hub.members.repository import TokenRepository

if TYPE_CHECKING:
    from hub.members.service import Principal


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    until: float


class PrincipalCache:
    """Principals by token hash, for a bounded time; thread-safe."""

    def __init__(self, *, max_entries: int = 10_000) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._stamp: tuple[Any, ...] | None = None
        self._checked_at = 0.0

    def get(self, digest: str) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None or entry.until < time.monotonic():
            return None
        return entry.principal

    def put(self, digest: str, principal: Principal, *, ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[digest] = _Entry(principal, time.monotonic() + ttl_s)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def check_due(self, *, every_s: float) -> bool:
        """Whether :meth:`check_changes` would look at the database now."""
        return bool(self._entries) and time.monotonic() - self._checked_at >= every_s

    def check_changes(self, open_session: Callable[[], Session], *, every_s: float) -> None:
        """Empty the cache if tokens, members or staff changed elsewhere since the last look."""
        now = time.monotonic()
        if now - self._checked_at < every_s or not self._entries:
            return
        self._checked_at = now
        with open_session() as session:
            stamp = TokenRepository(session).change_stamp()
        with self._lock:
            if self._stamp is not None and stamp != self._stamp:
                self._entries.clear()
            self._stamp = stamp


principal_cache = PrincipalCache()
