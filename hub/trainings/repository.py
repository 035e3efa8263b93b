"""Every query of the trainings domain."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hub.members.models import Member
from hub.trainings.models import (
    OPEN_STATUSES,
    CatalogueRevision,
    SeatRequest,
    SeatRequestStatus,
    SessionTag,
    TrainingSession,
)

LOCK_WAIT_S = 20
UNKNOWN_START = "00000000"


@dataclass(frozen=True, slots=True)
class SessionFilters:
    """What a search asks for; None: any."""

    words: tuple[str, ...] = ()
    trade: str | None = None
    formacode: str | None = None
    departement: str | None = None
    region: str | None = None
    teaching_mode: int | None = None
    start_from: str | None = None
    start_to: str | None = None
    seats_min: int | None = None
    include_withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class KnownSession:
    id: int
    content_hash: str
    withdrawn: bool


def _chunks(ids: Sequence[int], size: int = 500) -> list[list[int]]:
    """Ids in groups small enough for any database's parameter limit."""
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def advisory_lock(session: Session, name: str, *, wait_s: int = LOCK_WAIT_S) -> None:
    """Serialise the writers of ``name`` until the transaction ends (PostgreSQL; SQLite runs
    writing transactions one at a time already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(name.encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    session.execute(text(f"SET LOCAL lock_timeout = '{int(wait_s)}s'"))
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CatalogueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self, member_id: int, *, wait_s: int = LOCK_WAIT_S) -> None:
        """Serialise one member's catalogue writers until the transaction ends (PostgreSQL;
        SQLite runs writing transactions one at a time already)."""
        advisory_lock(self.session, f"training-catalogue|{member_id}", wait_s=wait_s)

    def current(self, member_id: int) -> CatalogueRevision | None:
        query = select(CatalogueRevision).where(
            CatalogueRevision.member_id == member_id,
            col(CatalogueRevision.is_current).is_(True),
        )
        return self.session.exec(query).first()

    def by_idempotency_key(self, member_id: int, key: str) -> CatalogueRevision | None:
        query = select(CatalogueRevision).where(
            CatalogueRevision.member_id == member_id, CatalogueRevision.idempotency_key == key
        )
        return self.session.exec(query).first()

    def last_revision_number(self, member_id: int) -> int:
        query = select(func.max(CatalogueRevision.revision)).where(
            CatalogueRevision.member_id == member_id
        )
        return int(self.session.exec(query).one() or 0)

    def add_revision(self, revision: CatalogueRevision) -> CatalogueRevision:
        self.session.execute(
            update(CatalogueRevision)
            .where(
                col(CatalogueRevision.member_id) == revision.member_id,
                col(CatalogueRevision.is_current).is_(True),
            )
            .values(is_current=False)
        )
        return self.save(revision)

    def save(self, revision: CatalogueRevision) -> CatalogueRevision:
        self.session.add(revision)
        self.session.flush()
        return revision


class SessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def known(self, member_id: int) -> dict[str, KnownSession]:
        """Every session the member ever sent, by numero: just what a diff needs."""
        query = select(
            TrainingSession.id,
            TrainingSession.numero,
            TrainingSession.content_hash,
            TrainingSession.withdrawn_at,
        ).where(TrainingSession.member_id == member_id)
        return {
            numero: KnownSession(id_, content_hash, withdrawn_at is not None)
            for id_, numero, content_hash, withdrawn_at in self.session.exec(query)
            if id_ is not None
        }

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Insert sessions in bulk; their new ids by numero."""
        if not rows:
            return {}
        statement = insert(TrainingSession).returning(
            col(TrainingSession.id), col(TrainingSession.numero)
        )
        return {numero: int(id_) for id_, numero in self.session.execute(statement, rows)}

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Update sessions in bulk, each row naming its ``id``."""
        if rows:
            self.session.execute(update(TrainingSession), list(rows))

    def confirm(self, ids: Sequence[int], *, revision: int, when: datetime) -> None:
        """Sessions sent again unchanged: current, seen in ``revision``."""
        for chunk in _chunks(ids):
            self.session.execute(
                update(TrainingSession)
                .where(col(TrainingSession.id).in_(chunk))
                .values(last_revision=revision, withdrawn_at=None, updated_at=when)
            )

    def replace_tags(self, tags: dict[int, Sequence[tuple[str, str]]]) -> None:
        """The search tags of these sessions, replacing what they had."""
        for chunk in _chunks(list(tags)):
            self.session.execute(delete(SessionTag).where(col(SessionTag.session_id).in_(chunk)))
        rows = [
            {"session_id": session_id, "kind": kind, "value": value}
            for session_id, pairs in tags.items()
            for kind, value in pairs
        ]
        if rows:
            self.session.execute(insert(SessionTag), rows)

    def withdraw(self, ids: Sequence[int], when: datetime) -> None:
        for chunk in _chunks(ids):
            self.session.execute(
                update(TrainingSession)
                .where(col(TrainingSession.id).in_(chunk))
                .values(withdrawn_at=when, updated_at=when)
            )

    def browse(
        self,
        filters: SessionFilters,
        *,
        caller_id: int | None,
        staff: bool,
        offset: int,
        limit: int,
    ) -> tuple[int, list[tuple[TrainingSession, Member]]]:
        """One page of the sessions the caller may see, and how many there are in all.

        A member sees its own sessions and the others' offered ones; staff see all of them.
        Withdrawn sessions only on demand, and then only the caller's own (or all, for staff).
        """
        conditions: list[ColumnElement[bool]] = [col(Member.active).is_(True)]
        own = col(TrainingSession.member_id) == caller_id if caller_id is not None else None
        if not staff:
            offered = col(TrainingSession.seats_offered) > 0
            conditions.append(or_(own, offered) if own is not None else offered)
        current = col(TrainingSession.withdrawn_at).is_(None)
        if not filters.include_withdrawn:
            conditions.append(current)
        elif not staff:
            conditions.append(or_(current, own) if own is not None else current)
        for word in filters.words:
            conditions.append(col(TrainingSession.search_text).like(_like(word), escape="\\"))
        for kind, value in (
            ("trade", filters.trade),
            ("formacode", filters.formacode),
            ("departement", filters.departement),
            ("region", filters.region),
        ):
            if value is not None:
                tagged = select(SessionTag.id).where(
                    col(SessionTag.session_id) == TrainingSession.id,
                    SessionTag.kind == kind,
                    SessionTag.value == value,
                )
                conditions.append(tagged.exists())
        if filters.teaching_mode is not None:
            conditions.append(col(TrainingSession.teaching_mode) == filters.teaching_mode)
        if filters.start_from is not None or filters.start_to is not None:
            conditions.append(col(TrainingSession.start_day) != UNKNOWN_START)
        if filters.start_from is not None:
            conditions.append(col(TrainingSession.start_day) >= filters.start_from)
        if filters.start_to is not None:
            conditions.append(col(TrainingSession.start_day) <= filters.start_to)
        if filters.seats_min is not None:
            left = col(TrainingSession.seats_offered) - col(TrainingSession.seats_accepted)
            conditions.append(left >= filters.seats_min)
        where = and_(*conditions)
        joined = col(Member.id) == TrainingSession.member_id
        total_query = (
            select(func.count()).select_from(TrainingSession).join(Member, joined).where(where)
        )
        total = int(self.session.exec(total_query).one())
        # The page's ids first, sorted on the narrow browse index, then only those rows with
        # their (wide) LHÉO columns: sorting whole rows read every matching session's JSON.
        ids_query = (
            select(TrainingSession.id)
            .join(Member, joined)
            .where(where)
            .order_by(
                col(TrainingSession.start_day),
                col(Member.name),
                col(TrainingSession.numero),
                col(TrainingSession.id),
            )
            .offset(offset)
            .limit(limit)
        )
        ids = [int(id_) for id_ in self.session.exec(ids_query) if id_ is not None]
        if not ids:
            return total, []
        rows_query = (
            select(TrainingSession, Member)
            .join(Member, joined)
            .where(col(TrainingSession.id).in_(ids))
        )
        found = {row.id: (row, member) for row, member in self.session.exec(rows_query)}
        return total, [found[id_] for id_ in ids if id_ in found]

    def with_member(self, session_id: int) -> tuple[TrainingSession, Member] | None:
        query = (
            select(TrainingSession, Member)
            .join(Member, col(Member.id) == TrainingSession.member_id)
            .where(TrainingSession.id == session_id)
        )
        found = self.session.exec(query).first()
        return (found[0], found[1]) if found is not None else None

    def pooled(self) -> list[TrainingSession]:
        """Every session offered to the network now, by member and catalogue order."""
        query = (
            select(TrainingSession)
            .join(Member, col(Member.id) == TrainingSession.member_id)
            .where(
                col(Member.active).is_(True),
                col(TrainingSession.withdrawn_at).is_(None),
                col(TrainingSession.seats_offered) > 0,
            )
            .order_by(
                col(TrainingSession.member_id),
                col(TrainingSession.formation_numero),
                col(TrainingSession.action_numero),
                col(TrainingSession.start_day),
                col(TrainingSession.numero),
            )
        )
        return list(self.session.exec(query))


RequestRow = tuple[SeatRequest, TrainingSession, Member, Member]


class SeatRequestRepository:
    """Seat requests, and the seats accepted counted on their session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_requester(self, member_id: int) -> None:
        """One requester's creations one at a time: an Idempotency-Key is checked then used."""
        advisory_lock(self.session, f"training-seat-request|{member_id}")

    def by_key(self, requester_id: int, key: str) -> SeatRequest | None:
        query = select(SeatRequest).where(
            SeatRequest.requester_id == requester_id, SeatRequest.idempotency_key == key
        )
        return self.session.exec(query).first()

    def save(self, request: SeatRequest) -> SeatRequest:
        self.session.add(request)
        self.session.flush()
        return request

    def for_update(self, request_id: int) -> SeatRequest | None:
        """The request, its row locked until the transaction ends (PostgreSQL)."""
        query = select(SeatRequest).where(SeatRequest.id == request_id).with_for_update()
        return self.session.exec(query).first()

    def take_seats(self, session_id: int, seats: int) -> bool:
        """Count ``seats`` more as accepted on a current session, only if that many are left:
        one conditional UPDATE, so that concurrent acceptances never exceed the offer."""
        statement = (
            update(TrainingSession)
            .where(
                col(TrainingSession.id) == session_id,
                col(TrainingSession.withdrawn_at).is_(None),
                col(TrainingSession.seats_accepted) + seats <= col(TrainingSession.seats_offered),
            )
            .values(seats_accepted=col(TrainingSession.seats_accepted) + seats)
        )
        return int(self.session.execute(statement).rowcount or 0) == 1  # type: ignore[attr-defined]

    def _rows(self) -> Any:
        requester = aliased(Member, name="requester")
        offerer = aliased(Member, name="offerer")
        query = (
            select(SeatRequest, TrainingSession, requester, offerer)
            .join(TrainingSession, col(TrainingSession.id) == SeatRequest.session_id)
            .join(requester, col(requester.id) == SeatRequest.requester_id)
            .join(offerer, col(offerer.id) == SeatRequest.offerer_id)
        )
        return query

    def row(self, request_id: int) -> RequestRow | None:
        found = self.session.exec(self._rows().where(SeatRequest.id == request_id)).first()
        return None if found is None else (found[0], found[1], found[2], found[3])

    def listing(
        self,
        *,
        requester_id: int | None = None,
        offerer_id: int | None = None,
        status: str | None = None,
        limit: int = 500,
    ) -> list[RequestRow]:
        """The requests a member made (``requester_id``) or received (``offerer_id``), or
        both, newest first."""
        query = self._rows()
        sides: list[ColumnElement[bool]] = []
        if requester_id is not None:
            sides.append(col(SeatRequest.requester_id) == requester_id)
        if offerer_id is not None:
            sides.append(col(SeatRequest.offerer_id) == offerer_id)
        if sides:
            query = query.where(or_(*sides))
        if status is not None:
            query = query.where(SeatRequest.status == status)
        query = query.order_by(col(SeatRequest.created_at).desc(), col(SeatRequest.id).desc())
        return [(r[0], r[1], r[2], r[3]) for r in self.session.exec(query.limit(limit))]

    def holding(self, session_ids: Sequence[int]) -> list[SeatRequest]:
        """The open or accepted requests on these sessions."""
        found: list[SeatRequest] = []
        holding = [*OPEN_STATUSES, SeatRequestStatus.ACCEPTED]
        for chunk in _chunks(session_ids):
            query = select(SeatRequest).where(
                col(SeatRequest.session_id).in_(chunk), col(SeatRequest.status).in_(holding)
            )
            found += list(self.session.exec(query))
        return found

    def deadline_due(self, first_day: str, last_day: str) -> list[RequestRow]:
        """Unanswered requests on current sessions whose registration deadline falls between
        the two days (AAAAMMJJ), not reminded yet."""
        query = self._rows().where(
            col(SeatRequest.status).in_(OPEN_STATUSES),
            col(SeatRequest.deadline_reminded_at).is_(None),
            col(TrainingSession.withdrawn_at).is_(None),
            col(TrainingSession.registration_deadline) >= first_day,
            col(TrainingSession.registration_deadline) <= last_day,
        )
        return [(r[0], r[1], r[2], r[3]) for r in self.session.exec(query)]

    def start_due(self, first_day: str, last_day: str) -> list[RequestRow]:
        """Accepted requests on current sessions starting between the two days, not reminded."""
        query = self._rows().where(
            SeatRequest.status == SeatRequestStatus.ACCEPTED,
            col(SeatRequest.start_reminded_at).is_(None),
            col(TrainingSession.withdrawn_at).is_(None),
            col(TrainingSession.start_day) >= first_day,
            col(TrainingSession.start_day) <= last_day,
        )
        return [(r[0], r[1], r[2], r[3]) for r in self.session.exec(query)]


@dataclass(frozen=True, slots=True)
class SessionActivity:
    """One offered session of a period, with the seats asked and accepted on it."""

    session_id: int
    seats_offered: int
    seats_requested: int
    seats_accepted: int
    requests: int
    tags: tuple[tuple[str, str], ...]


class ActivityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def offered_between(self, first_day: str, last_day: str) -> list[SessionActivity]:
        """Sessions offered to the network starting between the two days (AAAAMMJJ), withdrawn
        ones included (they were offered), with their requests summed and their tags."""
        asked = (
            select(
                col(SeatRequest.session_id),
                func.count().label("requests"),
                func.sum(SeatRequest.seats_requested).label("requested"),
            )
            .group_by(col(SeatRequest.session_id))
            .subquery()
        )
        query = (
            sa_select(
                col(TrainingSession.id),
                col(TrainingSession.seats_offered),
                col(TrainingSession.seats_accepted),
                asked.c.requests,
                asked.c.requested,
            )
            .outerjoin(asked, asked.c.session_id == TrainingSession.id)
            .where(
                col(TrainingSession.seats_offered) > 0,
                col(TrainingSession.start_day) >= first_day,
                col(TrainingSession.start_day) <= last_day,
            )
        )
        rows = list(self.session.execute(query))
        tags: dict[int, list[tuple[str, str]]] = {int(r[0]): [] for r in rows}
        for chunk in _chunks(list(tags)):
            tag_query = select(SessionTag.session_id, SessionTag.kind, SessionTag.value).where(
                col(SessionTag.session_id).in_(chunk),
                col(SessionTag.kind).in_(["trade", "region"]),
            )
            for session_id, kind, value in self.session.execute(tag_query):
                tags[int(session_id)].append((kind, value))
        return [
            SessionActivity(
                session_id=int(id_),
                seats_offered=int(offered),
                seats_requested=int(requested or 0),
                seats_accepted=int(accepted),
                requests=int(count or 0),
                tags=tuple(sorted(tags[int(id_)])),
            )
            for id_, offered, accepted, count, requested in rows
        ]
