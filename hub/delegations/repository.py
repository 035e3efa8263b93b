"""Every query of payroll delegation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from hub.delegations.models import (
    DeadlineReminder,
    Mandate,
    MandateKey,
    MandateVersion,
    MemberKey,
    Payload,
)


class MandateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Mandate | MandateVersion) -> None:
        self.session.add(row)
        self.session.flush()

    def by_uid(self, uid: str) -> Mandate | None:
        return self.session.exec(select(Mandate).where(Mandate.uid == uid)).first()

    def of_member(self, member_id: int) -> Sequence[Mandate]:
        query = (
            select(Mandate)
            .where(
                or_(
                    col(Mandate.delegante_id) == member_id,
                    col(Mandate.delegataire_id) == member_id,
                )
            )
            .order_by(col(Mandate.id))
        )
        return self.session.exec(query).all()

    def all(self) -> Sequence[Mandate]:
        return self.session.exec(select(Mandate).order_by(col(Mandate.id))).all()

    def versions(self, mandate_id: int) -> Sequence[MandateVersion]:
        query = (
            select(MandateVersion)
            .where(MandateVersion.mandate_id == mandate_id)
            .order_by(col(MandateVersion.version))
        )
        return self.session.exec(query).all()

    def version(self, mandate_id: int, version: int) -> MandateVersion | None:
        query = select(MandateVersion).where(
            MandateVersion.mandate_id == mandate_id, MandateVersion.version == version
        )
        return self.session.exec(query).first()

    def count_by_status(self) -> dict[str, int]:
        rows = self.session.execute(
            select(Mandate.status, func.count()).group_by(Mandate.status)
        ).all()
        return {str(status): int(count) for status, count in rows}


class KeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: MemberKey | MandateKey) -> None:
        self.session.add(row)
        self.session.flush()

    def of_member(self, member_id: int) -> Sequence[MemberKey]:
        query = (
            select(MemberKey)
            .where(MemberKey.member_id == member_id)
            .order_by(col(MemberKey.id).desc())
        )
        return self.session.exec(query).all()

    def current(self, member_id: int) -> MemberKey | None:
        query = (
            select(MemberKey)
            .where(
                MemberKey.member_id == member_id,
                col(MemberKey.revoked_at).is_(None),
                col(MemberKey.replaced_at).is_(None),
            )
            .order_by(col(MemberKey.id).desc())
        )
        return self.session.exec(query).first()

    def get(self, key_id: int) -> MemberKey | None:
        return self.session.get(MemberKey, key_id)

    def by_fingerprint(self, fingerprint: str) -> MemberKey | None:
        query = select(MemberKey).where(MemberKey.fingerprint == fingerprint)
        return self.session.exec(query).first()

    def replace_current(self, member_id: int, at: datetime) -> None:
        self.session.execute(
            update(MemberKey)
            .where(
                col(MemberKey.member_id) == member_id,
                col(MemberKey.replaced_at).is_(None),
                col(MemberKey.revoked_at).is_(None),
            )
            .values(replaced_at=at)
        )

    def wraps(self, mandate_id: int) -> Sequence[MandateKey]:
        query = select(MandateKey).where(MandateKey.mandate_id == mandate_id)
        return self.session.exec(query).all()

    def destroy_wraps(self, mandate_id: int) -> int:
        result = self.session.execute(
            delete(MandateKey).where(col(MandateKey.mandate_id) == mandate_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class PayloadRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Payload) -> None:
        self.session.add(row)
        self.session.flush()

    def by_uid(self, uid: str) -> Payload | None:
        return self.session.exec(select(Payload).where(Payload.uid == uid)).first()

    def by_hash(self, mandate_id: int, sha256: str) -> Payload | None:
        query = select(Payload).where(Payload.mandate_id == mandate_id, Payload.sha256 == sha256)
        return self.session.exec(query).first()

    def of_mandate(self, mandate_id: int, *, month: str | None = None) -> Sequence[Payload]:
        query = select(Payload).where(Payload.mandate_id == mandate_id)
        if month is not None:
            query = query.where(Payload.month == month)
        return self.session.exec(query.order_by(col(Payload.id))).all()

    def unreturned(self, mandate_id: int, sender_id: int) -> int:
        """Payloads ``sender_id`` sent under the mandate that are still held, unacknowledged."""
        query = select(func.count()).where(
            col(Payload.mandate_id) == mandate_id,
            col(Payload.sender_id) == sender_id,
            col(Payload.acknowledged_at).is_(None),
            col(Payload.ciphertext).is_not(None),
        )
        return int(self.session.execute(query).scalar_one())

    def purge_mandate(self, mandate_id: int, at: datetime) -> int:
        result = self.session.execute(
            update(Payload)
            .where(col(Payload.mandate_id) == mandate_id, col(Payload.ciphertext).is_not(None))
            .values(ciphertext=None, purged_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def purge_acknowledged_before(self, before: datetime, at: datetime) -> int:
        result = self.session.execute(
            update(Payload)
            .where(
                col(Payload.acknowledged_at) < before,
                col(Payload.ciphertext).is_not(None),
            )
            .values(ciphertext=None, purged_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: DeadlineReminder) -> None:
        self.session.add(row)
        self.session.flush()

    def done(self, mandate_id: int, month: str, kind: str, step: str) -> bool:
        query = select(DeadlineReminder.id).where(
            DeadlineReminder.mandate_id == mandate_id,
            DeadlineReminder.month == month,
            DeadlineReminder.kind == kind,
            DeadlineReminder.step == step,
        )
        return self.session.exec(query).first() is not None
