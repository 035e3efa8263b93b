"""Every query of the web domain: sessions, failed logins, and the periods pages offer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from hub.indicators.models import IndicatorReport
from hub.stats.models import Publication
from hub.web.models import LoginFailure, WebSession


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

    def delete_expired(self, now: datetime) -> None:
        self.session.execute(delete(WebSession).where(col(WebSession.expires_at) <= now))


class LoginFailureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key_hashes: Sequence[str], when: datetime) -> None:
        for key_hash in key_hashes:
            self.session.add(LoginFailure(key_hash=key_hash, failed_at=when))
        self.session.flush()

    def since(self, key_hash: str, since: datetime) -> list[datetime]:
        """When ``key_hash`` failed after ``since``, oldest first."""
        query = (
            select(LoginFailure.failed_at)
            .where(LoginFailure.key_hash == key_hash, col(LoginFailure.failed_at) > since)
            .order_by(col(LoginFailure.failed_at))
        )
        return list(self.session.exec(query).all())

    def clear(self, key_hash: str) -> None:
        self.session.execute(delete(LoginFailure).where(col(LoginFailure.key_hash) == key_hash))

    def delete_before(self, when: datetime) -> None:
        self.session.execute(delete(LoginFailure).where(col(LoginFailure.failed_at) <= when))


class PeriodRepository:
    """Which semesters the pages can offer."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def reported_semesters(self, *, member_id: int | None = None) -> list[str]:
        query = (
            select_rows(col(IndicatorReport.period))
            .where(
                col(IndicatorReport.is_current).is_(True), col(IndicatorReport.period).like("%-S_")
            )
            .distinct()
        )
        if member_id is not None:
            query = query.where(col(IndicatorReport.member_id) == member_id)
        return sorted(str(p) for p in self.session.execute(query).scalars().all())

    def published_semesters(self) -> list[str]:
        query = (
            select_rows(col(Publication.period))
            .where(col(Publication.period).like("%-S_"))
            .distinct()
        )
        return sorted(str(p) for p in self.session.execute(query).scalars().all())

    def fingerprint(self, period: str) -> tuple[Any, ...]:
        """What identifies the set of current revisions of ``period``: revisions are never
        changed, and a new one has a greater id and a later reception time."""
        query = select_rows(
            func.count(),
            func.sum(col(IndicatorReport.id)),
            func.max(col(IndicatorReport.id)),
            func.max(col(IndicatorReport.received_at)),
        ).where(col(IndicatorReport.period) == period, col(IndicatorReport.is_current).is_(True))
        row = self.session.execute(query).one()
        return tuple(str(v) for v in row)

    def member_reports(self, member_id: int, periods: Sequence[str]) -> dict[str, IndicatorReport]:
        """The current revision of each of ``periods`` that ``member_id`` has reported."""
        query = select(IndicatorReport).where(
            IndicatorReport.member_id == member_id,
            col(IndicatorReport.is_current).is_(True),
            col(IndicatorReport.period).in_(list(periods)),
        )
        return {r.period: r for r in self.session.exec(query).all()}
