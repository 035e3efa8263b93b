"""Every query on the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from hub.mail.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class OutboxCounts:
    """Messages waiting (never tried), failing (tried, to be tried again) and sent."""

    pending: int
    failed: int
    sent: int


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, message: OutboxMessage) -> OutboxMessage:
        self.session.add(message)
        self.session.flush()
        return message

    def pending(self, *, limit: int) -> list[OutboxMessage]:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
        return list(self.session.exec(query))

    def save(self, message: OutboxMessage) -> None:
        self.session.add(message)
        self.session.flush()

    def counts(self) -> OutboxCounts:
        pending = col(OutboxMessage.status) == OutboxStatus.PENDING
        attempts = col(OutboxMessage.attempts)
        query = select(
            func.coalesce(func.sum(case((and_(pending, attempts == 0), 1))), 0),
            func.coalesce(func.sum(case((and_(pending, attempts > 0), 1))), 0),
            func.coalesce(func.sum(case((col(OutboxMessage.status) == OutboxStatus.SENT, 1))), 0),
        )
        waiting, failing, sent = self.session.exec(query).one()
        return OutboxCounts(int(waiting), int(failing), int(sent))
