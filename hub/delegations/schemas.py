"""API models of payroll delegation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cae_contract.payroll import MONTH_PATTERN
from hub.audit.schemas import Receipt

B64_KEY = r"^[A-Za-z0-9+/]{43}=$"
B64 = r"^[A-Za-z0-9+/]*={0,2}$"
FINGERPRINT = r"^[0-9a-f]{4}( [0-9a-f]{4}){7}$"
KIND = r"^(variables|bulletins|dsn|dsn_retour|contrats|attestations|soldes)$"


class VersionInfo(BaseModel):
    version: int
    status: str = Field(description="proposed, accepted, superseded, declined")
    content_hash: str = Field(description="Empreinte SHA-256 du mandat (JSON canonique)")
    proposed_by: str = Field(description="SIREN de la CAE qui a proposé cette version")
    proposed_at: datetime
    decided_at: datetime | None
    document: dict[str, Any]


class MandateInfo(BaseModel):
    """A mandate as one of its two parties sees it."""

    uid: str
    status: str = Field(description="proposed, active, suspended, ended")
    role: str = Field(description="Rôle de l'appelant : delegante ou delegataire")
    delegante: str = Field(description="SIREN de la CAE délégante (responsable du traitement)")
    delegataire: str = Field(description="SIREN de la CAE délégataire (sous-traitant)")
    version: int = Field(description="Version en vigueur (0 : aucune encore acceptée)")
    versions: list[VersionInfo]
    ended_at: datetime | None
    shredded_at: datetime | None = Field(
        description="Clés de mandat détruites : plus aucun contenu déchiffrable"
    )
    receipt: Receipt | None = Field(
        default=None, description="Reçu signé de l'étape qui vient d'être enregistrée"
    )


class KeysIn(BaseModel):
    """The public halves of a CAE's keys, base64 of their 32 raw bytes."""

    model_config = ConfigDict(extra="forbid")

    encryption_public: str = Field(pattern=B64_KEY, description="X25519 (chiffrement)")
    signing_public: str = Field(pattern=B64_KEY, description="Ed25519 (signature)")


class KeyInfo(BaseModel):
    id: int
    siren: str
    fingerprint: str = Field(description="Empreinte à comparer hors ligne avec l'autre CAE")
    encryption_public: str
    signing_public: str
    status: str = Field(description="en vigueur, remplacée ou révoquée")
    created_at: datetime
    receipt: Receipt | None = None


class WrapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fingerprint: str = Field(max_length=40, pattern=FINGERPRINT)
    wrapped: str = Field(
        max_length=200, pattern=B64, description="Clé privée du mandat chiffrée (HPKE)"
    )


class DataKeyIn(BaseModel):
    """A mandate's data key: its public half and its private half wrapped for each party."""

    model_config = ConfigDict(extra="forbid")

    data_public: str = Field(pattern=B64_KEY)
    signature: str = Field(
        max_length=100,
        pattern=B64,
        description="Signature Ed25519 de la clé par la CAE qui l'a faite",
    )
    wraps: list[WrapIn] = Field(min_length=1, max_length=10)


class DataKeyInfo(BaseModel):
    data_public: str
    signature: str
    signer: str = Field(description="Empreinte des clés de la CAE qui a fait la clé du mandat")
    wraps: list[WrapIn] = Field(description="Les emballages destinés aux clés de l'appelant")
    missing: list[str] = Field(
        description="Empreintes en vigueur des parties sans emballage (après une rotation)"
    )


class PayloadIn(BaseModel):
    """One encrypted payload and the sender's signature of its statement."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=MONTH_PATTERN)
    kind: str = Field(max_length=20, pattern=KIND)
    key: str = Field(
        max_length=40, pattern=FINGERPRINT, description="Empreinte des clés de l'émetteur"
    )
    signature: str = Field(max_length=100, pattern=B64, description="Ed25519, base64")
    ciphertext: str = Field(pattern=B64, description="Contenu chiffré (HPKE), base64")
    verdict: str | None = Field(
        default=None, pattern="^(accepte|rejete)$", description="Pour un retour de DSN"
    )


class PayloadInfo(BaseModel):
    """What the hub knows of a payload: never its content."""

    uid: str
    mandate: str
    month: str
    kind: str
    sender: str = Field(description="SIREN de l'émetteur")
    key: str = Field(description="Empreinte des clés qui ont signé")
    size: int
    sha256: str
    signature: str
    verdict: str | None
    status: str
    sent_at: datetime
    acknowledged_at: datetime | None
    purged: bool
    receipt: Receipt | None = None


class PayloadContent(PayloadInfo):
    ciphertext: str


class TaskInfo(BaseModel):
    """One task of a mandate's month: what is due, when, and where it stands."""

    kind: str
    label: str
    sender: str = Field(description="delegante ou delegataire")
    due: datetime
    status: str = Field(description="à faire, envoyé, reçu, déposé, accepté, rejeté, en retard")


class MonthInfo(BaseModel):
    mandate: str
    month: str
    tasks: list[TaskInfo]
