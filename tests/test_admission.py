"""The admission gates: bounded holders, a bounded queue, a bounded wait, first come first served,
and usable from several event loops at once."""

from __future__ import annotations

import asyncio
import threading

import pytest

from hub.admission import Admission, Busy, Gate
from tests.databases import settings_for


def gate(*, slots: int = 1, queue: int = 10, wait_s: float = 5) -> Gate:
    return Gate("essai", slots, queue, wait_s, retry_after_s=7)


def test_holders_never_exceed_the_slots() -> None:
    the_gate = gate(slots=2, queue=100)
    most = 0

    async def hold() -> None:
        nonlocal most
        async with the_gate.slot():
            most = max(most, the_gate.busy)
            await asyncio.sleep(0.01)

    async def main() -> None:
        await asyncio.gather(*(hold() for _ in range(20)))

    asyncio.run(main())
    assert most == 2
    assert the_gate.busy == 0 and the_gate.waiting == 0


def test_waiters_are_served_in_order() -> None:
    the_gate = gate(slots=1)
    order: list[int] = []

    async def hold(number: int) -> None:
        async with the_gate.slot():
            order.append(number)
            await asyncio.sleep(0)

    async def main() -> None:
        tasks = []
        for number in range(10):
            tasks.append(asyncio.create_task(hold(number)))
            await asyncio.sleep(0)  # each one queues before the next is created
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == list(range(10))


def test_a_full_queue_is_refused_at_once_with_retry_after() -> None:
    the_gate = gate(slots=1, queue=2)

    async def main() -> list[BaseException | None]:
        release = asyncio.Event()

        async def hold() -> None:
            async with the_gate.slot():
                await release.wait()

        holders = [asyncio.create_task(hold()) for _ in range(3)]  # 1 holds, 2 wait
        await asyncio.sleep(0.01)
        outcome: list[BaseException | None] = []
        try:
            await the_gate.acquire()
            outcome.append(None)
        except Busy as refused:
            outcome.append(refused)
        release.set()
        await asyncio.gather(*holders)
        return outcome

    (refused,) = asyncio.run(main())
    assert isinstance(refused, Busy)
    assert refused.status_code == 503
    assert refused.headers == {"Retry-After": "7"}
    assert "file d'attente pleine" in refused.detail
    assert the_gate.busy == 0 and the_gate.refused == 1


def test_a_long_wait_ends_in_a_refusal_and_frees_its_place() -> None:
    the_gate = gate(slots=1, wait_s=0.05)

    async def main() -> None:
        await the_gate.acquire()
        with pytest.raises(Busy, match="attente de plus de"):
            await the_gate.acquire()
        assert the_gate.waiting == 0
        the_gate.release()
        await the_gate.acquire()  # the slot is free again, nobody stale holds it
        the_gate.release()

    asyncio.run(main())
    assert the_gate.busy == 0


def test_a_cancelled_waiter_gives_its_place_back() -> None:
    the_gate = gate(slots=1)

    async def main() -> None:
        await the_gate.acquire()
        waiter = asyncio.create_task(the_gate.acquire())
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert the_gate.waiting == 0
        the_gate.release()

    asyncio.run(main())
    assert the_gate.busy == 0


def test_one_gate_serves_several_event_loops() -> None:
    """Each test client runs its own loop: a released slot must wake a waiter on another."""
    the_gate = gate(slots=1, queue=100)
    inside = 0
    most = 0
    lock = threading.Lock()

    async def hold() -> None:
        nonlocal inside, most
        async with the_gate.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            await asyncio.sleep(0.005)
            with lock:
                inside -= 1

    async def five() -> None:
        await asyncio.wait_for(asyncio.gather(*(hold() for _ in range(5))), timeout=30)

    def loop_of_its_own() -> None:
        asyncio.run(five())

    threads = [threading.Thread(target=loop_of_its_own) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert most == 1
    assert the_gate.busy == 0


def test_sqlite_has_one_writer_and_postgresql_shares_its_pool() -> None:
    sqlite = Admission.for_settings(settings_for("sqlite:///hub.sqlite3"))
    assert sqlite.writes.slots == 1
    postgres = settings_for("postgresql+psycopg://postgres@127.0.0.1:5432/x").model_copy(
        update={"database_pool_size": 6, "database_max_overflow": 2, "admission_write_slots": 10}
    )
    shared = Admission.for_settings(postgres)
    assert shared.writes.slots == 4  # at most half of the 8 connections
    assert shared.reads.slots + shared.writes.slots <= 8
    assert shared.for_method("GET") is shared.reads
    assert shared.for_method("PUT") is shared.writes
