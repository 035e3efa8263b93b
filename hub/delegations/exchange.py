"""Rules of the encrypted exchange under a mandate: the mandate's wrapped data key, payloads
checked by their signature without being decrypted, acknowledgements, the month's tasks and
their statuses, crypto-shredding at the end and the retention purge.

The hub never holds a key that opens a payload: it keeps the data key's public half and its
private half wrapped for each party's own key, which only that party's client can unwrap.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from cae_contract.payroll import (
    Kind,
    Month,
    Role,
    Statement,
)
from cae_contract.payroll_keys import b64, data_key_statement, from_b64, signature_valid
from cae_contract.problems import ErrorItem
from hub.audit.service import SYSTEM, Actor
from hub.db import utcnow
from hub.delegations.calendar import tasks_of
from hub.delegations.models import Mandate, MandateKey, Payload
from hub.delegations.repository import KeyRepository, PayloadRepository
from hub.delegations.schemas import (
    DataKeyIn,
    DataKeyInfo,
    MandateInfo,
    PayloadContent,
    PayloadIn,
    PayloadInfo,
    TaskInfo,
    WrapIn,
)
from hub.delegations.service import (
    ACTIVE,
    ENDED,
    STATUS_LABELS,
    mandate_service,
    parties,
    record_both,
    role_of,
)
from hub.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hub.members.models import Member
from hub.members.repository import MemberRepository

SENT, RECEIVED = "envoye", "recu"


def _bad(path: str, detail: str, message: str) -> ValidationFailed:
    return ValidationFailed(detail, errors=[ErrorItem(path, message)])


class ExchangeService:
    # -- the mandate's data key ---------------------------------------------------------------

    def put_data_key(
        self, session: Session, caller: Member, uid: str, given: DataKeyIn, *, actor: Actor
    ) -> DataKeyInfo:
        """Store the data key's public half and its wrappings for the parties' keys in force;
        once it exists, only wrappings for keys that have none yet (after a rotation)."""
        mandate = mandate_service.get(session, caller, uid)
        if mandate.shredded_at is not None:
            raise Conflict("Les clés de ce mandat ont été détruites à sa fin.")
        if mandate.status != ACTIVE:
            raise Conflict(f"Le mandat est {STATUS_LABELS[mandate.status]} : aucune clé à poser.")
        keys = KeyRepository(session)
        existing = keys.wraps(mandate.id or 0)
        if existing and existing[0].data_public != given.data_public:
            raise Conflict("Ce mandat a déjà sa clé : emballez la même pour vos nouvelles clés.")
        current = {
            key.fingerprint: key
            for key in (keys.current(m.id or 0) for m in parties(session, mandate))
            if key is not None
        }
        if existing:
            signature, signer_id = existing[0].signature, existing[0].signer_key_id
        else:
            signer = keys.current(caller.id or 0)
            try:
                valid = signer is not None and signature_valid(
                    from_b64(signer.signing_public),
                    data_key_statement(mandate.uid, from_b64(given.data_public)),
                    from_b64(given.signature),
                )
            except ValueError:
                valid = False
            if signer is None or not valid:
                raise _bad(
                    "$.signature",
                    "Signature invalide : la clé du mandat doit être signée avec les clés en "
                    "vigueur de votre CAE.",
                    "ne correspond pas à la clé du mandat",
                )
            signature, signer_id = given.signature, signer.id or 0
        if not existing and len(current) < 2:
            raise Conflict(
                "Les deux CAE doivent avoir publié leurs clés (« cae-hub cles publier ») avant "
                "la première clé du mandat."
            )
        wrapped_for = {w.member_key_id for w in existing}
        for index, wrap in enumerate(given.wraps):
            key = current.get(wrap.fingerprint)
            if key is None:
                raise _bad(
                    f"$.wraps[{index}].fingerprint",
                    "Emballage pour une clé qui n'est pas en vigueur chez une des parties.",
                    "empreinte inconnue ou remplacée",
                )
            try:
                from_b64(wrap.wrapped)
            except ValueError:
                raise _bad(
                    f"$.wraps[{index}].wrapped", "Emballage illisible.", "base64 attendu"
                ) from None
            if key.id in wrapped_for:
                continue
            keys.add(
                MandateKey(
                    mandate_id=mandate.id or 0,
                    member_key_id=key.id or 0,
                    data_public=given.data_public,
                    wrapped=wrap.wrapped,
                    signature=signature,
                    signer_key_id=signer_id,
                )
            )
            wrapped_for.add(key.id or 0)
        if not existing and not all(k.id in wrapped_for for k in current.values()):
            raise _bad(
                "$.wraps",
                "La clé du mandat doit être emballée pour les clés en vigueur des deux CAE.",
                "emballage manquant",
            )
        return self.data_key(session, caller, uid)

    def data_key(self, session: Session, caller: Member, uid: str) -> DataKeyInfo:
        mandate = mandate_service.get(session, caller, uid)
        keys = KeyRepository(session)
        wraps = keys.wraps(mandate.id or 0)
        if not wraps:
            raise NotFound("Ce mandat n'a pas (ou plus) de clé.")
        by_id = {w.member_key_id: w for w in wraps}
        mine: list[WrapIn] = []
        for key in keys.of_member(caller.id or 0):
            if key.id in by_id and key.revoked_at is None:
                mine.append(WrapIn(fingerprint=key.fingerprint, wrapped=by_id[key.id].wrapped))
        missing = [
            key.fingerprint
            for key in (keys.current(m.id or 0) for m in parties(session, mandate))
            if key is not None and key.id not in by_id
        ]
        signer = keys.get(wraps[0].signer_key_id)
        return DataKeyInfo(
            data_public=wraps[0].data_public,
            signature=wraps[0].signature,
            signer=signer.fingerprint if signer else "",
            wraps=mine,
            missing=missing,
        )

    # -- payloads -----------------------------------------------------------------------------

    def send(
        self, session: Session, caller: Member, uid: str, given: PayloadIn, *, actor: Actor
    ) -> PayloadInfo:
        """Store one payload once its statement's signature checks out; nothing is decrypted."""
        mandate = mandate_service.get(session, caller, uid)
        if mandate.status != ACTIVE:
            raise Conflict(
                f"Le mandat est {STATUS_LABELS[mandate.status]} : aucun échange n'est possible."
            )
        try:
            kind = Kind(given.kind)
        except ValueError:
            kinds = ", ".join(k.value for k in Kind)
            raise _bad("$.kind", f"Nature inconnue : {given.kind}.", f"une de : {kinds}") from None
        role = role_of(mandate, caller)
        if kind.sender is not role:
            who = "la délégante" if kind.sender is Role.DELEGANTE else "la délégataire"
            raise Forbidden(f"Les {kind.label} sont envoyés par {who} du mandat.")
        document = mandate_service.in_force(session, mandate) or {}
        if kind.task not in document.get("taches", []):
            raise Conflict(f"Le mandat en vigueur ne confie pas cette tâche ({kind.task}).")
        month = Month.parse(given.month)
        if not mandate_service.covers(document, month):
            raise Conflict(f"Le mois {month} est en dehors des dates du mandat.")
        if given.verdict is not None and kind is not Kind.DSN_RETOUR:
            raise _bad("$.verdict", "Un verdict n'accompagne qu'un retour de DSN.", "inattendu")
        keys = KeyRepository(session)
        if not keys.wraps(mandate.id or 0):
            raise Conflict("Ce mandat n'a pas encore de clé : le client la pose au premier envoi.")
        key = keys.by_fingerprint(given.key)
        if key is None or key.member_id != caller.id:
            raise _bad("$.key", "Ces clés ne sont pas celles de votre CAE.", "empreinte inconnue")
        if key.revoked_at is not None or key.replaced_at is not None:
            raise _bad(
                "$.key",
                "Ces clés ont été remplacées ou révoquées : signez avec vos clés en vigueur.",
                "clés qui ne sont plus en vigueur",
            )
        try:
            ciphertext = from_b64(given.ciphertext)
            signature = from_b64(given.signature)
        except ValueError:
            raise _bad(
                "$.ciphertext", "Contenu ou signature illisible.", "base64 attendu"
            ) from None
        if not ciphertext:
            raise _bad("$.ciphertext", "Contenu vide.", "contenu chiffré attendu")
        digest = hashlib.sha256(ciphertext).hexdigest()
        statement = Statement(
            mandate=mandate.uid,
            month=str(month),
            kind=kind.value,
            sender=caller.siren,
            size=len(ciphertext),
            sha256=digest,
            key=key.fingerprint,
        )
        if not signature_valid(from_b64(key.signing_public), statement.to_bytes(), signature):
            raise _bad(
                "$.signature",
                "Signature invalide : le contenu a été modifié ou n'a pas été signé avec les "
                "clés de votre CAE. Rien n'a été enregistré.",
                "ne correspond pas au contenu chiffré",
            )
        payloads = PayloadRepository(session)
        known = payloads.by_hash(mandate.id or 0, digest)
        if known is not None:
            return self.describe(session, mandate, known)
        payload = Payload(
            uid=secrets.token_hex(8),
            mandate_id=mandate.id or 0,
            month=str(month),
            kind=kind.value,
            sender_id=caller.id or 0,
            sender_key_id=key.id or 0,
            size=len(ciphertext),
            sha256=digest,
            signature=given.signature,
            verdict=given.verdict,
            status=SENT,
            ciphertext=ciphertext,
        )
        payloads.add(payload)
        receipt = record_both(
            session,
            mandate,
            kind="payload.sent",
            actor=actor,
            details={
                "payload": payload.uid,
                "month": payload.month,
                "payload_kind": payload.kind,
                "size": payload.size,
                "sha256": digest,
            },
        )
        return self.describe(session, mandate, payload).model_copy(update={"receipt": receipt})

    def describe(self, session: Session, mandate: Mandate, payload: Payload) -> PayloadInfo:
        sender = MemberRepository(session).get(payload.sender_id)
        key = KeyRepository(session).get(payload.sender_key_id)
        return PayloadInfo(
            uid=payload.uid,
            mandate=mandate.uid,
            month=payload.month,
            kind=payload.kind,
            sender=sender.siren if sender else "",
            key=key.fingerprint if key else "",
            size=payload.size,
            sha256=payload.sha256,
            signature=payload.signature,
            verdict=payload.verdict,
            status=payload.status,
            sent_at=payload.sent_at,
            acknowledged_at=payload.acknowledged_at,
            purged=payload.ciphertext is None,
        )

    def payloads_of(
        self,
        session: Session,
        caller: Member,
        uid: str,
        *,
        month: str | None = None,
        pending: bool = False,
    ) -> list[PayloadInfo]:
        """The mandate's payloads; ``pending``: those addressed to the caller, not yet
        acknowledged and still held."""
        mandate = mandate_service.get(session, caller, uid)
        found = PayloadRepository(session).of_mandate(mandate.id or 0, month=month)
        if pending:
            found = [
                p
                for p in found
                if p.sender_id != caller.id and p.acknowledged_at is None and p.ciphertext
            ]
        return [self.describe(session, mandate, p) for p in found]

    def _payload(self, session: Session, caller: Member, uid: str) -> tuple[Mandate, Payload]:
        payload = PayloadRepository(session).by_uid(uid)
        mandate = None if payload is None else session.get(Mandate, payload.mandate_id)
        if payload is None or mandate is None or role_of(mandate, caller) is None:
            raise NotFound(f"Aucun contenu {uid[:32]} pour votre CAE.")
        return mandate, payload

    def fetch(self, session: Session, caller: Member, uid: str) -> PayloadContent:
        mandate, payload = self._payload(session, caller, uid)
        if payload.ciphertext is None:
            raise Conflict("Ce contenu a été purgé du hub (durée de conservation écoulée).")
        info = self.describe(session, mandate, payload)
        return PayloadContent(**info.model_dump(), ciphertext=b64(payload.ciphertext))

    def acknowledge(
        self, session: Session, caller: Member, uid: str, *, actor: Actor
    ) -> PayloadInfo:
        """The recipient says it fetched, verified and decrypted the payload."""
        mandate, payload = self._payload(session, caller, uid)
        if payload.sender_id == caller.id:
            raise Conflict("C'est le destinataire qui accuse réception d'un contenu.")
        receipt = None
        if payload.acknowledged_at is None:
            payload.acknowledged_at = utcnow()
            payload.status = RECEIVED
            session.add(payload)
            session.flush()
            receipt = record_both(
                session,
                mandate,
                kind="payload.acknowledged",
                actor=actor,
                details={"payload": payload.uid, "sha256": payload.sha256},
            )
        if mandate.status == ENDED:
            self.shred_if_returned(session, mandate)
        info = self.describe(session, mandate, payload)
        return info.model_copy(update={"receipt": receipt})

    # -- the end: crypto-shredding, and the retention purge ----------------------------------

    def end(self, session: Session, caller: Member, uid: str, *, actor: Actor) -> MandateInfo:
        """End the mandate; its keys and ciphertexts are destroyed at once, or as soon as the
        delegating CAE has fetched the return bundle the mandate provides for."""
        ended = mandate_service.set_status(session, caller, uid, ENDED, actor=actor)
        mandate = mandate_service.get(session, caller, uid)
        if self.shred_if_returned(session, mandate, actor=actor):
            return ended.model_copy(update={"shredded_at": mandate.shredded_at})
        return ended

    def shred_if_returned(
        self, session: Session, mandate: Mandate, *, actor: Actor | None = None
    ) -> bool:
        """At the end of a mandate, once the delegating CAE has fetched the return bundle (what
        the delegate sent it), destroy the data key's wrappings and every ciphertext."""
        if mandate.status != ENDED or mandate.shredded_at is not None:
            return False
        document = mandate_service.in_force(session, mandate) or {}
        payloads = PayloadRepository(session)
        returned = document.get("fin_de_contrat") != "suppression"
        if returned and payloads.unreturned(mandate.id or 0, mandate.delegataire_id):
            return False
        now = utcnow()
        wraps = KeyRepository(session).destroy_wraps(mandate.id or 0)
        purged = payloads.purge_mandate(mandate.id or 0, now)
        mandate.shredded_at = now
        session.add(mandate)
        session.flush()
        record_both(
            session,
            mandate,
            kind="mandate.shredded",
            actor=actor or SYSTEM,
            details={"wraps_destroyed": wraps, "ciphertexts_purged": purged},
        )
        return True

    def purge_expired(
        self, session: Session, *, retention_days: int, now: datetime | None = None
    ) -> int:
        """Drop the ciphertexts acknowledged more than ``retention_days`` ago; their metadata
        and the audit trail stay."""
        now = now or utcnow()
        return PayloadRepository(session).purge_acknowledged_before(
            now - timedelta(days=retention_days), now
        )

    # -- the month's tasks --------------------------------------------------------------------

    def month_tasks(
        self,
        session: Session,
        caller: Member,
        uid: str,
        month: Month,
        *,
        now: datetime | None = None,
    ) -> list[TaskInfo]:
        mandate = mandate_service.get(session, caller, uid)
        document = mandate_service.in_force(session, mandate)
        if document is None:
            return []
        payloads = PayloadRepository(session).of_mandate(mandate.id or 0, month=str(month))
        return tasks_of(document, month, payloads, now=now or utcnow())


exchange_service = ExchangeService()
