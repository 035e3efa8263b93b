"""Every query of the audit trail."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from hub.audit.models import AuditCheckpoint, AuditEvent
from hub.audit.schemas import EventFilter

Q = TypeVar("Q", bound=Any)

# One advisory lock key for the whole chain (PostgreSQL).
CHAIN_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(b"cae-hub|audit-chain", digest_size=8).digest(), "big", signed=True
)


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_chain(self) -> None:
        """Serialise appends until the transaction ends.

        PostgreSQL: a transaction-level advisory lock. SQLite: a writing transaction already
        holds the database's write lock (and a stale one fails to write rather than fork the
        chain, as ``sequence`` is the primary key).
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY}
            )

    def head(self) -> tuple[int, str] | None:
        """The last event's sequence and hash."""
        row = self.session.execute(
            select(AuditEvent.sequence, AuditEvent.hash)
            .order_by(col(AuditEvent.sequence).desc())
            .limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else None

    def add(self, event: AuditEvent) -> AuditEvent:
        self.session.add(event)
        self.session.flush()
        return event

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> AuditCheckpoint:
        self.session.add(checkpoint)
        self.session.flush()
        return checkpoint

    def last_checkpoint(self) -> AuditCheckpoint | None:
        query = select(AuditCheckpoint).order_by(col(AuditCheckpoint.sequence).desc()).limit(1)
        return self.session.exec(query).first()

    def checkpoints(self) -> Sequence[AuditCheckpoint]:
        query = select(AuditCheckpoint).order_by(col(AuditCheckpoint.sequence))
        return self.session.exec(query).all()

    def all_events(self, *, batch: int = 1000) -> Iterator[AuditEvent]:
        """Every event in sequence order, read in batches by keyset."""
        after = None
        while True:
            query = select(AuditEvent).order_by(col(AuditEvent.sequence)).limit(batch)
            if after is not None:
                query = query.where(col(AuditEvent.sequence) > after)
            rows = self.session.exec(query).all()
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1].sequence
            for row in rows:  # a long chain is read in constant memory
                self.session.expunge(row)

    def count(self, where: EventFilter | None = None) -> int:
        query = select(func.count()).select_from(AuditEvent)
        query = _filtered(query, where or EventFilter())
        return int(self.session.execute(query).scalar_one())

    def search(
        self, where: EventFilter, *, limit: int | None = None, offset: int = 0
    ) -> Sequence[AuditEvent]:
        query = _filtered(select(AuditEvent), where).order_by(col(AuditEvent.sequence).desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return self.session.exec(query).all()

    def kinds(self) -> list[str]:
        query = select(AuditEvent.kind).distinct().order_by(col(AuditEvent.kind))
        return [str(k) for k in self.session.execute(query).scalars()]


def _filtered(query: Q, where: EventFilter) -> Q:
    conditions = []
    if where.member_id is not None:
        conditions.append(col(AuditEvent.member_id) == where.member_id)
    if where.kind is not None:
        conditions.append(col(AuditEvent.kind) == where.kind)
    if where.since is not None:
        conditions.append(col(AuditEvent.occurred_at) >= where.since)
    if where.until is not None:
        conditions.append(col(AuditEvent.occurred_at) < where.until)
    for condition in conditions:
        query = query.where(condition)
    return query
