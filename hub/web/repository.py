"""Every query of the web domain: sessions, login throttle, and the periods pages offer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, update
from sqlalchemy import select as select_rows
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from hub.web.models import LoginThrottle, WebSession


class WebSessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, web_session: WebSession) -> WebSession:
        self.session.add(web_session)
        self.session.flush()
        return web_session

    def get_by_hash(self, id_hash: str) -> WebSession | None:
        query = select(WebSession).where(WebSession.id_hash == id_hash)
        return self.session.exec(query).first()

    def delete(self, web_session: WebSession) -> None:
        self.session.delete(web_session)
        self.session.flush()

    def delete_expired(self, now: datetime) -> int:
        """Delete the sessions expired at ``now``; how many there were."""
        result = self.session.execute(delete(WebSession).where(col(WebSession.expires_at) <= now))
        return int(getattr(result, "rowcount", 0) or 0)


class LoginThrottleRepository:
    """Login-throttle counters, each changed by one statement so that concurrent logins on
    any number of processes count exactly."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(LoginThrottle)

    def hit(self, key_hash: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
        """Count one more attempt against ``key_hash`` and return (attempts, window start).

        One ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: a counter whose window has ended
        starts again at 1. On PostgreSQL the row stays locked until the transaction ends, so
        concurrent attempts against one key are counted one after the other, each seeing the
        previous one's count; SQLite has one writer at a time anyway.
        """
        table = LoginThrottle.__table__.c  # type: ignore[attr-defined]
        expired = table.window_start <= now - window
        statement = self._insert().values(key_hash=key_hash, attempts=1, window_start=now)
        statement = statement.on_conflict_do_update(
            index_elements=[table.key_hash],
            set_={
                "attempts": case((expired, 1), else_=table.attempts + 1),
                "window_start": case((expired, now), else_=table.window_start),
            },
        ).returning(table.attempts, table.window_start)
        attempts, started = self.session.execute(statement).one()
        return int(attempts), started

    def peek(self, key_hash: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
        """The attempts counted against ``key_hash`` in its current window (0 if none)."""
        query = select(LoginThrottle).where(
            LoginThrottle.key_hash == key_hash, col(LoginThrottle.window_start) > now - window
        )
        found = self.session.exec(query).first()
        return (found.attempts, found.window_start) if found is not None else (0, now)

    def forget(self, key_hash: str) -> None:
        self.session.execute(delete(LoginThrottle).where(col(LoginThrottle.key_hash) == key_hash))

    def give_back(self, key_hash: str) -> None:
        """Uncount one attempt against ``key_hash`` (one that turned out to be legitimate)."""
        self.session.execute(
            update(LoginThrottle)
            .where(col(LoginThrottle.key_hash) == key_hash, col(LoginThrottle.attempts) > 0)
            .values(attempts=col(LoginThrottle.attempts) - 1)
        )

    def purge(self, now: datetime, window: timedelta, *, batch: int = 500) -> int:
        """Delete counters whose window has ended, skipping rows other logins hold locked
        (waiting for them could deadlock two logins purging each other's rows)."""
        stale = (
            select_rows(col(LoginThrottle.key_hash))
            .where(col(LoginThrottle.window_start) <= now - window)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        result = self.session.execute(
            delete(LoginThrottle).where(col(LoginThrottle.key_hash).in_(stale.scalar_subquery()))
        )
        return int(getattr(result, "rowcount", 0) or 0)
