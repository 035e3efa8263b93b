"""API models of the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Receipt(BaseModel):
    """The hub's signed acknowledgement of an exchange, to keep: it proves the hub recorded it.

    The signature (Ed25519, base64) covers the RFC 8785 canonical JSON of every other field;
    check it with the key of ``GET /v1/audit/key``.
    """

    type: str = Field(description="Format du reçu")
    sequence: int = Field(description="Numéro de l'événement dans la piste d'audit")
    hash: str = Field(description="Empreinte SHA-256 de l'événement (chaînée aux précédentes)")
    kind: str = Field(description="Nature de l'événement")
    occurred_at: str = Field(description="Instant de l'événement (UTC)")
    key_id: str = Field(description="Identifiant de la clé du hub qui a signé")
    signature: str = Field(description="Signature Ed25519 (base64) du reçu sans ce champ")


class AuditKeyPublic(BaseModel):
    """The public half of the key the hub signs checkpoints and receipts with."""

    algorithm: Literal["Ed25519"] = "Ed25519"
    key_id: str
    public_key_pem: str
    origin: Literal["configured", "derived"] = Field(
        description="configured : clé HUB_AUDIT_SIGNING_KEY ; derived : clé de développement "
        "dérivée de HUB_SECRET_KEY, sans valeur de preuve"
    )


@dataclass(frozen=True)
class EventFilter:
    """What the dashboard asks for; None means any."""

    member_id: int | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
