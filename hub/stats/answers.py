"""Published tables answered from memory: the JSON bytes and ETag of each, per publication.

A publication never changes, so the answer to ``GET /v1/stats`` for one of its tables is
encoded once and kept, keyed by the publication (id, period, number, date), the indicator and
the breakdown asked for. A request that finds its answer here costs no database connection,
no worker thread and no serialisation; a client that sends the ETag back (``If-None-Match``)
gets a 304.

What must stay fresh is which publication is the latest of a period. It is kept too, and
checked against a stamp of the publication table (count, latest id, latest date) at most
once every ``stats_cache_check_s``: a publication made in this process or another one is
served within that time (at once when the setting is 0). Publishing in this process asks for
the check at the next request.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from hub.config import Settings
from hub.indicators.service import parse_period
from hub.stats.repository import StatsRepository
from hub.stats.schemas import StatsTable

__all__ = ["Answer", "PublishedAnswers", "published_answers"]

T = TypeVar("T")
Run = Callable[[Callable[[Session], T]], Awaitable[T]]
"""Runs a unit of work that reads (``hub.db.read_unit`` bound to the request)."""
Identity = tuple[Any, ...]
_UNKNOWN: Any = object()


@dataclass(frozen=True, slots=True)
class Answer:
    """A table as sent: its JSON bytes and their strong ETag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, table: StatsTable) -> Answer:
        body = table.model_dump_json().encode()
        return cls(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')

    def matches(self, if_none_match: str | None) -> bool:
        """Whether ``If-None-Match`` names this answer (weak comparison, RFC 9110 13.1.2)."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or self.etag in tags


class PublishedAnswers:
    """The answers of published tables, and the latest publication of each period; bounded,
    thread-safe."""

    def __init__(self, *, max_entries: int = 4096) -> None:
        self._answers: dict[tuple[Any, ...], Answer] = {}
        self._latest: dict[str, Identity | None] = {}
        self._stamp: tuple[Any, ...] | None = None
        self._checked_at = -math.inf
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def expire(self) -> None:
        """Look for new publications at the next request (one was just made here)."""
        self._checked_at = -math.inf

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._latest.clear()
            self._stamp = None
            self._checked_at = -math.inf

    async def answer(
        self,
        run: Run[Any],
        *,
        indicator: str,
        period_text: str,
        by_text: str | None,
        settings: Settings,
    ) -> Answer | None:
        """The answer to a published table, from memory when it can be; ``None`` when the
        period is not published (the caller lets the service say so)."""
        period = str(parse_period(period_text, where="query.period"))
        if time.monotonic() - self._checked_at >= settings.stats_cache_check_s:
            stamp = await run(lambda session: StatsRepository(session).publication_stamp())
            self._observe(stamp)
        identity = self._latest.get(period, _UNKNOWN)
        if identity is _UNKNOWN:
            identity = await run(
                lambda session: StatsRepository(session).latest_publication_identity(period)
            )
            self._remember(period, identity)
        if identity is None:
            return None
        kept = self._answers.get((identity, indicator, by_text))
        if kept is not None:
            return kept

        def read(session: Session) -> tuple[Identity | None, StatsTable]:
            from hub.stats.service import stats_service  # the service imports this module

            current = StatsRepository(session).latest_publication_identity(period)
            table = stats_service.table(
                session,
                indicator_code=indicator,
                period_text=period,
                by_text=by_text,
                draft=False,
                staff=False,  # published tables are the same for every reader
                settings=settings,
            )
            return current, table

        current, table = await run(read)
        answer = Answer.of(table)
        if current is not None:
            # Kept under the publication the table was read from, newer if one just landed.
            self._remember(period, current)
            self._keep((current, indicator, by_text), answer)
        return answer

    def _observe(self, stamp: tuple[Any, ...]) -> None:
        with self._lock:
            if stamp != self._stamp:
                # Answers stay valid (their publication never changes); which one is the
                # latest of a period may not.
                self._latest.clear()
                self._stamp = stamp
            self._checked_at = time.monotonic()

    def _remember(self, period: str, identity: Identity | None) -> None:
        with self._lock:
            if len(self._latest) >= self._max_entries:
                self._latest.clear()
            self._latest[period] = identity

    def _keep(self, key: tuple[Any, ...], answer: Answer) -> None:
        with self._lock:
            if len(self._answers) >= self._max_entries:
                self._answers.clear()
            self._answers[key] = answer


published_answers = PublishedAnswers()
