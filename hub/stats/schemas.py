"""API models of the stats domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from hub.audit.schemas import Receipt
from hub.stats.disclosure import Reason


class RulesInfo(BaseModel):
    min_contributors: int
    dominance_share: float
    small_count_max: int
    protection: float


class Source(BaseModel):
    """Where the figures come from: a frozen publication, or live figures (staff only)."""

    status: Literal["published", "draft"]
    publication: int | None = Field(description="Numéro de la publication de la période")
    published_at: datetime | None
    members_included: int = Field(description="CAE dont un rapport entre dans ces chiffres")
    provisional: bool = Field(
        default=False,
        description="Publication provisoire : la période n'était pas terminée (chiffres partiels)",
    )
    provisional_label: str | None = Field(
        default=None, description="« provisoire : semestre en cours au 2 décembre 2026 »"
    )


class IndicatorInfo(BaseModel):
    code: str
    label: str
    kind: Literal["persons", "amount", "ratio"]
    unit: str


class StatsCell(BaseModel):
    dims: dict[str, str | None] = Field(description="Catégories ; null = toutes (marge)")
    labels: dict[str, str] = Field(description="Libellés des catégories")
    margin: bool
    value: float | None = Field(description="Valeur publiée ; null si la cellule est masquée")
    contributors: int | None = Field(description="CAE contributrices (cellules publiées)")
    suppressed: Reason | None = Field(description="Motif de masquage")
    kept_from: int | None = Field(
        default=None,
        description="Numéro de la publication antérieure dont la valeur est reprise (la "
        "nouvelle valeur révélerait par différence les chiffres d'une CAE)",
    )


class StatsTable(BaseModel):
    indicator: IndicatorInfo
    period: str
    by: list[str]
    source: Source
    rules: RulesInfo
    legend: dict[str, str] = Field(description="Motifs de masquage, en clair")
    notes: list[str] = Field(default_factory=list, description="Remarques sur le tableau")
    cells: list[StatsCell]


class SeriesPoint(BaseModel):
    period: str
    table: StatsTable | None = Field(description="null : période pas encore publiée")


class Series(BaseModel):
    indicator: IndicatorInfo
    by: list[str]
    points: list[SeriesPoint]


class CompletenessRow(BaseModel):
    siren: str
    name: str
    region: str
    reported: bool
    revision: int | None
    revisions: int
    first_received_at: datetime | None
    received_at: datetime | None = Field(description="Réception de la révision en vigueur")
    last_sync_at: datetime | None = Field(description="Dernier envoi, même inchangé")
    connector: str | None
    connector_version: str | None
    in_publication: int | None = Field(description="Révision retenue par la dernière publication")
    revised_after_publication: bool


class Completeness(BaseModel):
    period: str
    publication: int | None
    published_at: datetime | None
    provisional: bool = Field(default=False, description="La dernière publication est provisoire")
    provisional_label: str | None = None
    members: int
    reported: int
    rows: list[CompletenessRow]


class PublicationSummary(BaseModel):
    period: str
    number: int
    published_at: datetime
    reports: int
    provisional: bool = Field(
        default=False,
        description="Publiée avant la fin de la période, sur confirmation (chiffres partiels)",
    )
    provisional_label: str | None = None
    revised_since_previous: list[str] = Field(
        description="SIREN des CAE dont la révision a changé depuis la publication précédente"
    )
    protection: list[IndicatorProtection] = Field(
        default_factory=list, description="Ce que le secret statistique masque, par indicateur"
    )
    receipt: Receipt | None = Field(
        default=None, description="Reçu signé de la piste d'audit : à conserver"
    )


class IndicatorProtection(BaseModel):
    indicator: str
    cells: int = Field(description="Cellules non vides de tous les tableaux de l'indicateur")
    hidden: int = Field(description="Cellules masquées")
    hidden_alone: int | None = Field(
        description="Cellules que la publication masquerait sans publication antérieure"
    )
    republication: int = Field(
        description="Cellules masquées pour qu'aucune différence avec une publication "
        "antérieure ne révèle les chiffres d'une CAE arrivée ou corrigée depuis"
    )
    kept: int = Field(description="Cellules masquées qui reprennent la valeur antérieure")


class PublicationPreview(BaseModel):
    """What publishing now would hide, before staff confirm."""

    period: str
    number: int = Field(description="Numéro qu'aurait la publication")
    reports: int
    period_end: date = Field(description="Dernier jour de la période")
    running: bool = Field(
        default=False,
        description="La période n'est pas terminée : publier exige provisional=true",
    )
    notice: str | None = Field(
        default=None, description="Ce qu'il faut savoir avant de publier une période en cours"
    )
    earlier: list[int] = Field(description="Publications antérieures protégées conjointement")
    revised_since_previous: list[str]
    added_to_secret: int = Field(
        description="Cellules masquées en plus à cause des publications antérieures"
    )
    protection: list[IndicatorProtection]


class PreviewCell(BaseModel):
    dims: dict[str, str | None]
    margin: bool
    own_value: float | None = Field(description="Votre contribution à cette cellule")
    shown: bool
    suppressed: Reason | None
    reason: str | None


class Preview(BaseModel):
    period: str
    indicator: IndicatorInfo
    by: list[str]
    legend: dict[str, str]
    cells: list[PreviewCell]
