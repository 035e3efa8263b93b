"""Admission control: how many requests may use the database at once, and who waits.

Why. Requests run their synchronous parts in a shared thread pool. If every request took a
database connection (or, on SQLite, the write lock) as soon as it arrived, a burst of nightly
syncs would fill the thread pool with requests *waiting* for a connection, while the few that
hold one could not get a thread to finish and give it back: everyone times out. So requests wait
for a *slot* on the event loop, before they take a thread or a connection, in two gates:

- ``reads``: requests that only read (GET, HEAD, OPTIONS);
- ``writes``: requests that write. On SQLite there is one writer at a time, so one slot; on
  PostgreSQL the slots share the connection pool with the reads.

A report's upload is admitted in two steps: parsing, validation, consistency checks and hashing
run in ``prepare`` (a bounded number at once, without any connection), and only the storing
takes a write slot. A request that cannot get a slot within ``wait_s``, or that finds the queue
full, gets at once a 503 with ``Retry-After`` — never a 500, never a dropped connection.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from hub.config import Settings
from hub.errors import ServiceUnavailable


class Busy(ServiceUnavailable):
    """No slot within the admission wait: the client should come back after ``Retry-After``."""

    slug = "busy"
    title = "Hub occupé"


@dataclass(eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]
    granted: bool = False


@dataclass
class Gate:
    """At most ``slots`` holders; at most ``queue`` waiting, each for at most ``wait_s``.

    Waiters are served first come, first served. Thread-safe and usable from several event
    loops at once (one per test client, for instance): a released slot is handed straight to
    the oldest waiter, on that waiter's own loop.
    """

    name: str
    slots: int
    queue: int
    wait_s: float
    retry_after_s: int
    busy: int = field(default=0, init=False)
    refused: int = field(default=0, init=False)
    _waiters: deque[_Waiter] = field(default_factory=deque, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def _refuse(self, why: str) -> Busy:
        self.refused += 1
        return Busy(
            f"Le hub traite déjà beaucoup de demandes ({why}) ; réessayez dans "
            f"{self.retry_after_s} s.",
            headers={"Retry-After": str(self.retry_after_s)},
        )

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self.busy < self.slots and not self._waiters:
                self.busy += 1
                return
            if len(self._waiters) >= self.queue:
                raise self._refuse("file d'attente pleine")
            waiter = _Waiter(loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), timeout=self.wait_s)
        except (TimeoutError, asyncio.CancelledError) as stopped:
            with self._lock:
                granted = waiter.granted
                if not granted:
                    self._waiters.remove(waiter)
            if isinstance(stopped, asyncio.CancelledError):
                if granted:
                    self.release()
                raise
            if not granted:
                raise self._refuse(f"attente de plus de {math.ceil(self.wait_s)} s") from None

    def release(self) -> None:
        with self._lock:
            if not self._waiters:
                self.busy -= 1
                return
            waiter = self._waiters.popleft()
            waiter.granted = True  # the slot passes to it: ``busy`` is unchanged
        waiter.loop.call_soon_threadsafe(_wake, waiter.future)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class Admission:
    """The gates of one hub process."""

    reads: Gate
    writes: Gate
    prepare: Gate

    @classmethod
    def for_settings(cls, settings: Settings) -> Admission:
        wait, retry = settings.admission_wait_s, settings.admission_retry_after_s
        if settings.is_sqlite:
            write_slots = 1  # SQLite has one writer; a second would only wait for the lock
            read_slots = settings.admission_read_slots
        else:
            # Each admitted request holds at most one pooled connection at a time.
            capacity = settings.database_pool_size + settings.database_max_overflow
            write_slots = max(1, min(settings.admission_write_slots, capacity // 2))
            read_slots = max(1, min(settings.admission_read_slots, capacity - write_slots))
        queue = settings.admission_queue
        return cls(
            reads=Gate("lectures", read_slots, queue, wait, retry),
            writes=Gate("écritures", write_slots, queue, wait, retry),
            prepare=Gate("vérifications", settings.admission_prepare_slots, queue, wait, retry),
        )

    def for_method(self, method: str) -> Gate:
        return self.reads if method in {"GET", "HEAD", "OPTIONS"} else self.writes
