"""Rules of the CAEs' public payroll keys: publishing (a rotation replaces the keys in force),
revoking, and listing a mandate's parties' keys (a replaced key still verifies what it signed
before; a revoked one, nothing new)."""

from __future__ import annotations

from sqlmodel import Session

from cae_contract.payroll_keys import fingerprint, from_b64
from hub.audit.schemas import Receipt
from hub.audit.service import Actor, audit_service, record
from hub.db import utcnow
from hub.delegations.models import MemberKey
from hub.delegations.repository import KeyRepository
from hub.delegations.schemas import KeyInfo, KeysIn
from hub.delegations.service import mandate_service
from hub.errors import Conflict, NotFound
from hub.members.models import Member
from hub.members.repository import MemberRepository


def key_status(key: MemberKey) -> str:
    if key.revoked_at is not None:
        return "révoquée"
    if key.replaced_at is not None:
        return "remplacée"
    return "en vigueur"


class KeyService:
    def describe(self, key: MemberKey, siren: str, receipt: Receipt | None = None) -> KeyInfo:
        assert key.id is not None
        return KeyInfo(
            id=key.id,
            siren=siren,
            fingerprint=key.fingerprint,
            encryption_public=key.encryption_public,
            signing_public=key.signing_public,
            status=key_status(key),
            created_at=key.created_at,
            receipt=receipt,
        )

    def publish(self, session: Session, caller: Member, keys: KeysIn, *, actor: Actor) -> KeyInfo:
        """Register the caller's new public keys; the previous ones are replaced (rotation)."""
        encryption, signing = from_b64(keys.encryption_public), from_b64(keys.signing_public)
        printed = fingerprint(encryption, signing)
        repository = KeyRepository(session)
        known = repository.by_fingerprint(printed)
        if known is not None:
            if known.member_id != caller.id:
                raise Conflict("Ces clés sont déjà enregistrées pour une autre CAE.")
            if known.revoked_at is not None or known.replaced_at is not None:
                raise Conflict(
                    "Ces clés ont été remplacées ou révoquées : générez-en de nouvelles."
                )
            return self.describe(known, caller.siren)
        now = utcnow()
        assert caller.id is not None
        repository.replace_current(caller.id, now)
        key = MemberKey(
            member_id=caller.id,
            encryption_public=keys.encryption_public,
            signing_public=keys.signing_public,
            fingerprint=printed,
            created_at=now,
        )
        repository.add(key)
        event = record(
            session,
            kind="keys.published",
            actor=actor,
            member_id=caller.id,
            details={"key_id": key.id, "fingerprint": printed},
        )
        return self.describe(key, caller.siren, audit_service.receipt(event))

    def revoke(self, session: Session, caller: Member, key_id: int, *, actor: Actor) -> KeyInfo:
        repository = KeyRepository(session)
        key = repository.get(key_id)
        if key is None or key.member_id != caller.id:
            raise NotFound(f"Aucune clé n° {key_id} pour votre CAE.")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            session.add(key)
            session.flush()
        event = record(
            session,
            kind="keys.revoked",
            actor=actor,
            member_id=caller.id,
            details={"key_id": key.id, "fingerprint": key.fingerprint},
        )
        return self.describe(key, caller.siren, audit_service.receipt(event))

    def of_member(self, session: Session, member: Member) -> list[KeyInfo]:
        return [
            self.describe(k, member.siren) for k in KeyRepository(session).of_member(member.id or 0)
        ]

    def of_mandate(self, session: Session, caller: Member, uid: str) -> list[KeyInfo]:
        """Every key of both parties (a replaced key still verifies older payloads)."""
        mandate = mandate_service.get(session, caller, uid)
        members = MemberRepository(session)
        found: list[KeyInfo] = []
        for member_id in (mandate.delegante_id, mandate.delegataire_id):
            member = members.get(member_id)
            if member is not None:
                found.extend(self.of_member(session, member))
        return found


key_service = KeyService()
