"""What is hashed and signed: the canonical JSON of an event, a checkpoint, a receipt.

An event's hash is the SHA-256 of the RFC 8785 canonical JSON of its fields, ``prev_hash``
included, so that each event seals the whole chain before it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from hub.audit.models import AuditCheckpoint, AuditEvent
from hub.audit.signing import canonical

GENESIS_HASH = "0" * 64
CHECKPOINT_TYPE = "cae-hub/audit-checkpoint/1"
RECEIPT_TYPE = "cae-hub/audit-receipt/1"


def instant(value: datetime) -> str:
    """A timestamp as hashed: UTC, microseconds, the same on every database."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": instant(event.occurred_at),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "member_id": event.member_id,
        "kind": event.kind,
        "request_id": event.request_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event_payload(event))).hexdigest()


def checkpoint_payload(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        "type": CHECKPOINT_TYPE,
        "sequence": checkpoint.sequence,
        "hash": checkpoint.hash,
        "signed_at": instant(checkpoint.signed_at),
        "key_id": checkpoint.key_id,
    }


def receipt_payload(event: AuditEvent, key_id: str) -> dict[str, Any]:
    """What a receipt says, before its signature is added."""
    return {
        "type": RECEIPT_TYPE,
        "sequence": event.sequence,
        "hash": event.hash,
        "kind": event.kind,
        "occurred_at": instant(event.occurred_at),
        "key_id": key_id,
    }
