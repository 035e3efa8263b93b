"""API models of the indicators domain."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from hub.audit.schemas import Receipt


class Issue(BaseModel):
    """One problem in a report: where (JSON path) and what, in French."""

    path: str
    message: str


class ImportSummary(BaseModel):
    """What the hub did with a report."""

    period: str
    revision: int = Field(description="Révision enregistrée (ou qui le serait, en essai)")
    unchanged: bool = Field(description="Contenu identique à la révision en vigueur : rien de neuf")
    dry_run: bool
    replayed: bool = Field(
        default=False, description="Requête déjà reçue (même clé d'idempotence) : réponse rejouée"
    )
    schema_version: str = Field(description="Version du schéma sous laquelle le rapport est gardé")
    schema_received: str = Field(
        description="Version du schéma nommée par l'envoi (en-tête X-Cae-Hub-Schema-Version)"
    )
    deprecation: str | None = Field(
        default=None,
        description="Avertissement quand la version envoyée est dépréciée, avec sa date de fin",
    )
    content_hash: str
    cells_received: int
    cells_accepted: int
    errors: list[Issue] = Field(default_factory=list)
    warnings: list[Issue] = Field(default_factory=list)
    received_at: datetime
    receipt: Receipt | None = Field(
        default=None,
        description="Reçu signé de la piste d'audit (absent en essai) : à conserver",
    )


class DimensionInfo(BaseModel):
    code: str
    label: str
    code_list: str = Field(description="Schéma de la liste de codes")


class CatalogueEntry(BaseModel):
    code: str
    label: str
    definition: str
    kind: Literal["persons", "amount", "ratio"]
    unit: str
    dims: list[DimensionInfo]
    derived: bool
    disclosure: list[str] = Field(description="Règles de protection appliquées à ses agrégats")


class Catalogue(BaseModel):
    schema_name: str
    schema_version: str
    indicators: list[CatalogueEntry]


class RevisionInfo(BaseModel):
    period: str
    revision: int
    is_current: bool
    schema_version: str
    content_hash: str
    cell_count: int
    connector: str | None
    connector_version: str | None
    received_at: datetime
    last_received_at: datetime


class ReportCell(BaseModel):
    indicator: str
    dims: dict[str, str]
    value: int | float


class ReportDocument(RevisionInfo):
    member_siren: str
    cells: list[ReportCell]


class HeldReport(BaseModel):
    """The revision in force of one period, without its cells."""

    period: str
    revision: int = Field(description="Numéro de la révision en vigueur")
    content_hash: str = Field(description="Empreinte du contenu (celle de l'accusé de réception)")
    cell_count: int
    breakdowns: dict[str, list[str]] | None = Field(
        default=None,
        description=(
            "Ventilations envoyées par indicateur : dimensions triées, séparées par des "
            "virgules (« » pour le total)"
        ),
    )
    received_at: datetime = Field(description="Réception de cette révision")
    last_received_at: datetime = Field(description="Dernier envoi de ce contenu")


class HeldReports(BaseModel):
    """Every period for which the hub holds a report of the CAE."""

    member_siren: str
    reports: list[HeldReport]
