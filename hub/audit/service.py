"""Rules of the audit trail: appending chained events, signing checkpoints and receipts,
checking the whole chain.

Domains call :func:`record` inside their own transaction; like every service it only
flushes, so an event exists exactly when what it describes was committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog
from sqlmodel import Session

from hub.audit.chain import (
    GENESIS_HASH,
    checkpoint_payload,
    event_hash,
    receipt_payload,
)
from hub.audit.models import AuditCheckpoint, AuditEvent
from hub.audit.repository import AuditRepository
from hub.audit.schemas import AuditKeyPublic, EventFilter, Receipt
from hub.audit.signing import AuditKey, parse_private_key, signature_valid
from hub.config import Settings, get_settings
from hub.db import utcnow

ActorKind = Literal["staff", "web_account", "member_token", "system", "anonymous"]
ACTOR_LABELS: dict[str, str] = {
    "staff": "équipe",
    "web_account": "compte web",
    "member_token": "jeton de CAE",
    "system": "système",
    "anonymous": "anonyme",
}
KIND_LABELS: dict[str, str] = {
    "token.issued": "jeton émis",
    "token.revoked": "jeton révoqué",
    "member.created": "membre créé",
    "member.changed": "membre modifié",
    "member.deactivated": "membre désactivé",
    "staff.created": "compte d'équipe créé",
    "account.created": "compte web créé",
    "account.changed": "compte web modifié",
    "login.succeeded": "connexion réussie",
    "login.failed": "connexion refusée",
    "report.accepted": "rapport accepté",
    "publication.published": "période publiée",
}


def describe_kind(kind: str, label: str) -> None:
    """A domain names, in French, a kind of event it records (shown on the audit page)."""
    KIND_LABELS[kind] = label


# Names a detail may never carry: secrets and personal fields (checked on every record).
FORBIDDEN_DETAILS = frozenset(
    {
        "email",
        "password",
        "password_hash",
        "token",
        "token_hash",
        "secret",
        "name",
        "display_name",
        "address",
        "phone",
        "client",
        "ip",
    }
)
MAX_DETAIL_TEXT = 128


@dataclass(frozen=True)
class Actor:
    """Who did it: a kind and an identifier, never a name or an address."""

    kind: ActorKind
    id: int | None = None
    member_id: int | None = None  # the member CAE the actor acts for, if any


SYSTEM = Actor("system")
ANONYMOUS = Actor("anonymous")


def _check_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """Details as stored: identifiers, counts, flags, hashes — refused otherwise."""

    def plain(value: Any) -> bool:
        if isinstance(value, str):
            return len(value) <= MAX_DETAIL_TEXT
        return value is None or isinstance(value, bool | int)

    checked: dict[str, Any] = {}
    for key, value in details.items():
        if key.lower() in FORBIDDEN_DETAILS:
            raise ValueError(f"audit detail {key!r} is a secret or a personal field")
        if isinstance(value, list | tuple):
            if not all(plain(v) for v in value):
                raise ValueError(f"audit detail {key!r}: plain values only")
            value = list(value)
        elif not plain(value):
            raise ValueError(f"audit detail {key!r}: plain values only")
        checked[key] = value
    return checked


def current_request_id() -> str | None:
    """The request id the access log bound for this request (None outside a request)."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value)[:64] if value else None


@dataclass
class Verification:
    """What ``verify`` found: counts, and the first problems in chain order."""

    events: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    key_origin: str = "configured"

    @property
    def intact(self) -> bool:
        return not self.problems

    def sentence(self) -> str:
        if self.intact:
            text = (
                f"piste d'audit intègre : {self.events} événements, "
                f"{self.checkpoints} points de contrôle signés"
            )
        else:
            text = self.problems[0]
        if self.key_origin == "derived":
            text += (
                " (clé de développement dérivée de HUB_SECRET_KEY : signatures sans valeur "
                "de preuve)"
            )
        return text


class AuditService:
    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._key: tuple[tuple[str | None, str], AuditKey] | None = None

    def configure(self, settings: Settings | None) -> None:
        """Use ``settings`` (the app's or the command's) rather than the environment's
        (None: the environment's again)."""
        self._settings = settings

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    def key(self) -> AuditKey:
        """The signing key: HUB_AUDIT_SIGNING_KEY, or outside production one derived from
        HUB_SECRET_KEY (production refuses to start without a key, see hub.config)."""
        settings = self.settings
        given = settings.audit_signing_key
        source = (
            given.get_secret_value() if given is not None else None,
            settings.secret_key.get_secret_value(),
        )
        if self._key is None or self._key[0] != source:
            if source[0]:
                key = AuditKey(parse_private_key(source[0]), "configured")
            else:
                key = AuditKey.derived(source[1])
            self._key = (source, key)
        return self._key[1]

    # -- writing ------------------------------------------------------------------------------

    def record(
        self,
        session: Session,
        *,
        kind: str,
        actor: Actor = SYSTEM,
        member_id: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """Append one event to the chain, in the caller's transaction.

        ``member_id`` is the member concerned (default: the one the actor acts for).
        ``details`` holds identifiers, counts and hashes only.
        """
        checked = _check_details(details or {})
        audit = AuditRepository(session)
        audit.lock_chain()
        head = audit.head()
        sequence, previous = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        event = AuditEvent(
            sequence=sequence,
            occurred_at=utcnow(),
            actor_kind=actor.kind,
            actor_id=actor.id,
            member_id=member_id if member_id is not None else actor.member_id,
            kind=kind,
            request_id=current_request_id(),
            details=checked,
            prev_hash=previous,
            hash="",
        )
        event.hash = event_hash(event)
        audit.add(event)
        every = self.settings.audit_checkpoint_every
        if every and sequence % every == 0:
            self._sign_checkpoint(audit, sequence, event.hash)
        return event

    def checkpoint(self, session: Session) -> AuditCheckpoint | None:
        """Sign the chain up to its last event, unless a checkpoint already covers it
        (for a job, or ``cae-hub audit checkpoint``)."""
        audit = AuditRepository(session)
        audit.lock_chain()
        head = audit.head()
        if head is None:
            return None
        last = audit.last_checkpoint()
        if last is not None and last.sequence >= head[0]:
            return None
        return self._sign_checkpoint(audit, *head)

    def _sign_checkpoint(
        self, audit: AuditRepository, sequence: int, digest: str
    ) -> AuditCheckpoint:
        key = self.key()
        checkpoint = AuditCheckpoint(
            sequence=sequence, hash=digest, signed_at=utcnow(), key_id=key.key_id, signature=""
        )
        checkpoint.signature = key.sign(checkpoint_payload(checkpoint))
        return audit.add_checkpoint(checkpoint)

    def receipt(self, event: AuditEvent) -> Receipt:
        """The signed receipt of ``event``, for the caller to keep."""
        key = self.key()
        payload = receipt_payload(event, key.key_id)
        return Receipt(**payload, signature=key.sign(payload))

    def public_key(self) -> AuditKeyPublic:
        key = self.key()
        return AuditKeyPublic(key_id=key.key_id, public_key_pem=key.public_pem, origin=key.origin)

    # -- reading ------------------------------------------------------------------------------

    def search(
        self, session: Session, where: EventFilter, *, limit: int | None = None, offset: int = 0
    ) -> Sequence[AuditEvent]:
        return AuditRepository(session).search(where, limit=limit, offset=offset)

    def count(self, session: Session, where: EventFilter | None = None) -> int:
        return AuditRepository(session).count(where)

    def kinds(self, session: Session) -> list[str]:
        return sorted(set(KIND_LABELS) | set(AuditRepository(session).kinds()))

    def verify(self, session: Session, *, max_problems: int = 20) -> Verification:
        """Check every event's hash and link, then every checkpoint's signature and anchor."""
        key = self.key()
        audit = AuditRepository(session)
        result = Verification(key_origin=key.origin)
        problems = result.problems
        checkpoints = audit.checkpoints()
        anchored = {c.sequence for c in checkpoints}
        hashes: dict[int, str] = {}  # of the events checkpoints name, only
        expected, previous = 1, GENESIS_HASH
        for event in audit.all_events():
            result.events += 1
            if event.sequence != expected:
                if event.sequence > expected:
                    missing = (
                        f"n° {expected}"
                        if event.sequence == expected + 1
                        else (f"n° {expected} à {event.sequence - 1}")
                    )
                    problems.append(f"événement {missing} : absent (supprimé ?)")
                else:
                    problems.append(f"événement n° {event.sequence} : numéro hors d'ordre")
            if event_hash(event) != event.hash:
                problems.append(
                    f"événement n° {event.sequence} : empreinte incorrecte (contenu modifié)"
                )
            elif event.prev_hash != previous:
                problems.append(
                    f"événement n° {event.sequence} : chaînage rompu (l'empreinte précédente "
                    "ne correspond pas)"
                )
            if event.sequence in anchored:
                hashes[event.sequence] = event.hash
            expected, previous = event.sequence + 1, event.hash
        last = expected - 1
        for checkpoint in checkpoints:
            result.checkpoints += 1
            where = f"point de contrôle de l'événement n° {checkpoint.sequence}"
            if checkpoint.key_id != key.key_id:
                problems.append(f"{where} : signé par une autre clé ({checkpoint.key_id})")
            elif not signature_valid(
                key.public, checkpoint_payload(checkpoint), checkpoint.signature
            ):
                problems.append(f"{where} : signature invalide")
            if checkpoint.sequence > last:
                problems.append(
                    f"événement n° {last + 1} : absent alors que le {where} l'atteste "
                    "(derniers événements supprimés)"
                )
            elif hashes.get(checkpoint.sequence) != checkpoint.hash:
                problems.append(
                    f"événement n° {checkpoint.sequence} : empreinte différente de celle du "
                    "point de contrôle signé"
                )
        del problems[max_problems:]
        return result


audit_service = AuditService()
record = audit_service.record
