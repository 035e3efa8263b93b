"""Rules of payroll delegation: the mandate's lifecycle and the CAEs' public keys.

A mandate is proposed by one of its two parties and in force once the other accepts it; an
amendment is a new version the other party accepts in turn (the version in force stays until
then). Every step is an audit event recorded for each party, with a signed receipt.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from cae_contract.payroll import MANDATE_SCHEMA, Month, Role
from cae_contract.problems import ErrorItem
from cae_contract.registry import get_registry
from hub.audit.schemas import Receipt
from hub.audit.service import Actor, audit_service, describe_kind, record
from hub.db import utcnow
from hub.delegations.document import mandate_html
from hub.delegations.models import Mandate, MandateVersion
from hub.delegations.repository import MandateRepository
from hub.delegations.schemas import MandateInfo, VersionInfo
from hub.errors import Conflict, NotFound, ValidationFailed
from hub.members.models import Member
from hub.members.repository import MemberRepository
from hub.members.schemas import siren_is_valid

PROPOSED, ACTIVE, SUSPENDED, ENDED = "proposed", "active", "suspended", "ended"
ACCEPTED, SUPERSEDED, DECLINED = "accepted", "superseded", "declined"
STATUS_LABELS = {
    PROPOSED: "proposé",
    ACTIVE: "en vigueur",
    SUSPENDED: "suspendu",
    ENDED: "terminé",
}

EVENTS = {
    "mandate.proposed": "mandat de paie proposé",
    "mandate.accepted": "mandat de paie accepté",
    "mandate.declined": "mandat de paie refusé",
    "mandate.suspended": "mandat de paie suspendu",
    "mandate.resumed": "mandat de paie repris",
    "mandate.ended": "mandat de paie terminé",
    "mandate.shredded": "clés du mandat de paie détruites",
    "keys.published": "clés de paie publiées",
    "keys.revoked": "clés de paie révoquées",
    "payload.sent": "contenu de paie chiffré déposé",
    "payload.acknowledged": "contenu de paie chiffré reçu",
    "payload.purged": "contenus de paie chiffrés purgés",
}
for _kind, _label in EVENTS.items():
    describe_kind(_kind, _label)


def document_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the mandate's canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def role_of(mandate: Mandate, member: Member) -> Role | None:
    if member.id == mandate.delegante_id:
        return Role.DELEGANTE
    if member.id == mandate.delegataire_id:
        return Role.DELEGATAIRE
    return None


def partner_id(mandate: Mandate, member_id: int) -> int:
    return mandate.delegataire_id if member_id == mandate.delegante_id else mandate.delegante_id


def record_both(
    session: Session,
    mandate: Mandate,
    *,
    kind: str,
    actor: Actor,
    details: dict[str, Any],
) -> Receipt:
    """One event for each party (each keeps its own receipt); the actor's receipt."""
    mine = None
    for member_id in (mandate.delegante_id, mandate.delegataire_id):
        event = record(
            session,
            kind=kind,
            actor=actor,
            member_id=member_id,
            details={"mandate": mandate.uid, **details},
        )
        if member_id == actor.member_id or mine is None:
            mine = event
    assert mine is not None
    return audit_service.receipt(mine)


class MandateService:
    def check_document(self, session: Session, document: Any) -> tuple[Member, Member]:
        """The two parties of a valid mandate document, or a 422 naming the field."""
        errors = get_registry().validate(MANDATE_SCHEMA, "1.0.0", document)
        if errors:
            raise ValidationFailed(
                "Le mandat ne respecte pas le schéma payroll-mandate.", errors=errors
            )
        parties: list[Member] = []
        members = MemberRepository(session)
        for field in ("delegante", "delegataire"):
            siren = document[field]["siren"]
            where = f"$.{field}.siren"
            if not siren_is_valid(siren):
                raise ValidationFailed(
                    f"SIREN invalide : {siren}.", errors=[ErrorItem(where, "clé de Luhn fausse")]
                )
            member = members.get_by_siren(siren)
            if member is None or not member.active:
                raise ValidationFailed(
                    f"Aucune CAE membre active avec le SIREN {siren}.",
                    errors=[ErrorItem(where, "CAE inconnue du hub")],
                )
            parties.append(member)
        if parties[0].id == parties[1].id:
            raise ValidationFailed(
                "Une CAE ne peut pas se déléguer sa propre paie.",
                errors=[ErrorItem("$.delegataire.siren", "la délégataire doit être une autre CAE")],
            )
        if "fin" in document and document["fin"] < document["debut"]:
            raise ValidationFailed(
                "Le mandat finit avant de commencer.",
                errors=[ErrorItem("$.fin", "date de fin antérieure au début")],
            )
        return parties[0], parties[1]

    def propose(
        self, session: Session, caller: Member, document: Any, *, actor: Actor
    ) -> MandateInfo:
        delegante, delegataire = self.check_document(session, document)
        if caller.id not in (delegante.id, delegataire.id):
            raise ValidationFailed(
                "Votre CAE doit être l'une des deux parties du mandat.",
                errors=[ErrorItem("$.delegante.siren", "ni délégante ni délégataire")],
            )
        assert delegante.id is not None and delegataire.id is not None and caller.id is not None
        mandate = Mandate(
            uid=secrets.token_hex(8),
            delegante_id=delegante.id,
            delegataire_id=delegataire.id,
            status=PROPOSED,
        )
        repository = MandateRepository(session)
        repository.add(mandate)
        version = self._add_version(repository, mandate, 1, document, caller.id)
        receipt = record_both(
            session,
            mandate,
            kind="mandate.proposed",
            actor=actor,
            details={"version": 1, "content_hash": version.content_hash},
        )
        return self.describe(session, mandate, caller, receipt=receipt)

    def _add_version(
        self,
        repository: MandateRepository,
        mandate: Mandate,
        number: int,
        document: dict[str, Any],
        proposer_id: int,
    ) -> MandateVersion:
        assert mandate.id is not None
        version = MandateVersion(
            mandate_id=mandate.id,
            version=number,
            schema_version="1.0.0",
            document=document,
            content_hash=document_hash(document),
            status=PROPOSED,
            proposed_by_id=proposer_id,
        )
        repository.add(version)
        return version

    def get(self, session: Session, caller: Member, uid: str) -> Mandate:
        """The mandate ``uid`` if the caller is a party to it; 404 otherwise (even if it
        exists)."""
        mandate = MandateRepository(session).by_uid(uid)
        if mandate is None or role_of(mandate, caller) is None:
            raise NotFound(f"Aucun mandat {uid[:32]} pour votre CAE.")
        return mandate

    def amend(
        self, session: Session, caller: Member, uid: str, document: Any, *, actor: Actor
    ) -> MandateInfo:
        mandate = self.get(session, caller, uid)
        if mandate.status == ENDED:
            raise Conflict("Ce mandat est terminé : proposez-en un nouveau.")
        delegante, delegataire = self.check_document(session, document)
        if (delegante.id, delegataire.id) != (mandate.delegante_id, mandate.delegataire_id):
            raise ValidationFailed(
                "Un avenant ne change pas les parties du mandat.",
                errors=[ErrorItem("$.delegante.siren", "parties différentes du mandat")],
            )
        repository = MandateRepository(session)
        versions = repository.versions(mandate.id or 0)
        if any(v.status == PROPOSED for v in versions):
            raise Conflict("Une version attend déjà d'être acceptée : acceptez-la ou refusez-la.")
        assert caller.id is not None
        number = versions[-1].version + 1
        version = self._add_version(repository, mandate, number, document, caller.id)
        mandate.updated_at = utcnow()
        receipt = record_both(
            session,
            mandate,
            kind="mandate.proposed",
            actor=actor,
            details={"version": number, "content_hash": version.content_hash},
        )
        return self.describe(session, mandate, caller, receipt=receipt)

    def decide(
        self,
        session: Session,
        caller: Member,
        uid: str,
        number: int,
        *,
        accept: bool,
        actor: Actor,
    ) -> MandateInfo:
        mandate = self.get(session, caller, uid)
        repository = MandateRepository(session)
        version = repository.version(mandate.id or 0, number)
        if version is None:
            raise NotFound(f"Ce mandat n'a pas de version {number}.")
        if version.status != PROPOSED:
            raise Conflict(f"La version {number} a déjà été traitée.")
        if version.proposed_by_id == caller.id:
            raise Conflict("C'est l'autre CAE qui accepte ou refuse la version que vous proposez.")
        now = utcnow()
        version.decided_at = now
        if accept:
            if mandate.status == ENDED:
                raise Conflict("Ce mandat est terminé.")
            for previous in repository.versions(mandate.id or 0):
                if previous.status == ACCEPTED:
                    previous.status = SUPERSEDED
            version.status = ACCEPTED
            mandate.version = number
            if mandate.status == PROPOSED:
                mandate.status = ACTIVE
        else:
            version.status = DECLINED
        mandate.updated_at = now
        session.add_all([mandate, version])
        session.flush()
        receipt = record_both(
            session,
            mandate,
            kind="mandate.accepted" if accept else "mandate.declined",
            actor=actor,
            details={"version": number, "content_hash": version.content_hash},
        )
        return self.describe(session, mandate, caller, receipt=receipt)

    def set_status(
        self, session: Session, caller: Member, uid: str, target: str, *, actor: Actor
    ) -> MandateInfo:
        """Suspend, resume (target active) or end a mandate in force; either party may."""
        mandate = self.get(session, caller, uid)
        allowed = {SUSPENDED: {ACTIVE}, ACTIVE: {SUSPENDED}, ENDED: {ACTIVE, SUSPENDED, PROPOSED}}
        if mandate.status not in allowed[target]:
            raise Conflict(
                f"Le mandat est {STATUS_LABELS[mandate.status]} : impossible de le passer "
                f"à l'état {STATUS_LABELS[target]}."
            )
        kind = {SUSPENDED: "mandate.suspended", ACTIVE: "mandate.resumed", ENDED: "mandate.ended"}
        now = utcnow()
        mandate.status = target
        mandate.updated_at = now
        if target == ENDED:
            mandate.ended_at = now
        session.add(mandate)
        session.flush()
        receipt = record_both(
            session, mandate, kind=kind[target], actor=actor, details={"version": mandate.version}
        )
        return self.describe(session, mandate, caller, receipt=receipt)

    def document_html(
        self, session: Session, caller: Member, uid: str, number: int | None = None
    ) -> str:
        """The contract of version ``number`` (default: in force, else the latest)."""
        mandate = self.get(session, caller, uid)
        versions = MandateRepository(session).versions(mandate.id or 0)
        wanted = number if number is not None else (mandate.version or versions[-1].version)
        version = next((v for v in versions if v.version == wanted), None)
        if version is None:
            raise NotFound(f"Ce mandat n'a pas de version {wanted}.")
        delegante, delegataire = parties(session, mandate)
        return mandate_html(version, delegante, delegataire, uid=mandate.uid)

    def in_force(self, session: Session, mandate: Mandate) -> dict[str, Any] | None:
        version = MandateRepository(session).version(mandate.id or 0, mandate.version)
        return None if version is None else version.document

    def mandates_of(self, session: Session, caller: Member) -> list[MandateInfo]:
        mandates = MandateRepository(session).of_member(caller.id or 0)
        return [self.describe(session, m, caller) for m in mandates]

    def describe(
        self,
        session: Session,
        mandate: Mandate,
        caller: Member,
        *,
        receipt: Receipt | None = None,
    ) -> MandateInfo:
        members = MemberRepository(session)
        sirens: dict[int, str] = {}
        for member_id in (mandate.delegante_id, mandate.delegataire_id):
            member = members.get(member_id)
            sirens[member_id] = member.siren if member else ""
        role = role_of(mandate, caller)
        versions = [
            VersionInfo(
                version=v.version,
                status=v.status,
                content_hash=v.content_hash,
                proposed_by=sirens.get(v.proposed_by_id, ""),
                proposed_at=v.proposed_at,
                decided_at=v.decided_at,
                document=v.document,
            )
            for v in MandateRepository(session).versions(mandate.id or 0)
        ]
        return MandateInfo(
            uid=mandate.uid,
            status=mandate.status,
            role=role.value if role else "",
            delegante=sirens[mandate.delegante_id],
            delegataire=sirens[mandate.delegataire_id],
            version=mandate.version,
            versions=versions,
            ended_at=mandate.ended_at,
            shredded_at=mandate.shredded_at,
            receipt=receipt,
        )

    def covers(self, document: dict[str, Any], month: Month) -> bool:
        """Whether ``month`` lies within the mandate's dates."""
        if month < Month.of(date.fromisoformat(document["debut"])):
            return False
        end = document.get("fin")
        return end is None or month <= Month.of(date.fromisoformat(end))


def parties(session: Session, mandate: Mandate) -> Sequence[Member]:
    members = MemberRepository(session)
    return [
        m for m in (members.get(mandate.delegante_id), members.get(mandate.delegataire_id)) if m
    ]


mandate_service = MandateService()
