"""API models of the trainings domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.audit.schemas import Receipt


class Issue(BaseModel):
    """One remark on a catalogue: where (JSON path) and what, in French."""

    path: str
    message: str


class CatalogueSummary(BaseModel):
    """What the hub did with a catalogue: its revision and what changed, session by session."""

    revision: int = Field(description="Révision enregistrée (ou qui le serait, en essai)")
    unchanged: bool = Field(description="Contenu identique à la révision en vigueur : rien de neuf")
    dry_run: bool
    replayed: bool = Field(
        default=False, description="Requête déjà reçue (même clé d'idempotence) : réponse rejouée"
    )
    schema_version: str
    content_hash: str = Field(description="Empreinte du contenu, indépendante de l'ordre")
    formations: int
    sessions: int
    offered: int = Field(description="Sessions offertes aux autres CAE (au moins une place)")
    new: list[str] = Field(description="Numéros des sessions nouvelles (ou de nouveau présentes)")
    modified: list[str] = Field(description="Numéros des sessions modifiées")
    withdrawn: list[str] = Field(
        description="Numéros des sessions absentes de ce catalogue : retirées, jamais effacées"
    )
    warnings: list[Issue] = Field(default_factory=list)
    received_at: datetime
    receipt: Receipt | None = Field(
        default=None,
        description="Reçu signé de la piste d'audit (absent en essai) : à conserver",
    )


class CatalogueRevisionInfo(BaseModel):
    """The catalogue revision in force of a member, as the hub holds it."""

    member_siren: str
    revision: int
    schema_version: str
    content_hash: str = Field(description="Empreinte du contenu (celle de l'accusé de réception)")
    sessions: int
    connector: str | None
    connector_version: str | None
    received_at: datetime = Field(description="Réception de cette révision")
    last_received_at: datetime = Field(description="Dernier envoi de ce contenu")
    document: dict[str, Any] = Field(description="Le catalogue, valeurs par défaut écrites")


class HeldCatalogue(BaseModel):
    """The revision in force of the member's catalogue, without its content."""

    revision: int = Field(description="Numéro de la révision en vigueur")
    content_hash: str = Field(description="Empreinte du contenu (celle de l'accusé de réception)")
    sessions: int


class HeldCatalogues(BaseModel):
    """The catalogue the hub holds for the CAE: one line, or none before its first."""

    member_siren: str
    catalogues: list[HeldCatalogue]


class Trainer(BaseModel):
    siret: str
    raison_sociale: str
    numero_activite: str | None = None
    qualiopi_reference: str | None = None
    qualiopi_expiration: str | None = Field(default=None, description="AAAAMMJJ")


class SessionOffer(BaseModel):
    """A session as the network sees it."""

    id: int = Field(description="Identifiant de la session dans le hub")
    numero: str = Field(description="Numéro de la session dans le catalogue de la CAE")
    member_siren: str
    member_name: str
    own: bool = Field(description="Session de la CAE qui interroge")
    offered: bool = Field(description="Offerte aux autres CAE du réseau")
    withdrawn: bool = Field(description="Absente du dernier catalogue de la CAE")
    formation_numero: str
    intitule: str
    objectif: str
    formacodes: list[str]
    metiers: list[str]
    certifiante: bool
    action_numero: str
    modalites_enseignement: int = Field(description="0 présentiel, 1 mixte, 2 à distance")
    duree_heures: int | None
    prix_total_ttc: float | None
    departements: list[str]
    regions: list[str]
    debut: str = Field(description="AAAAMMJJ ; 00000000 : inconnue")
    fin: str = Field(description="AAAAMMJJ ; 99999999 : inconnue")
    etat_recrutement: int | None
    places_offertes: int
    places_restantes: int
    prix_membre: float | None
    date_limite_inscription: str | None
    organisme_formateur: Trainer | None
    adresse_inscription: dict[str, Any]


class SessionPage(BaseModel):
    total: int = Field(description="Nombre de sessions qui répondent aux critères")
    page: int
    per_page: int
    items: list[SessionOffer]


REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"


class SeatRequestCreate(BaseModel):
    """A CAE asks seats: a count and its own reference, never a trainee's name."""

    model_config = ConfigDict(extra="forbid")

    places: int = Field(ge=1, le=1000, description="Nombre de places demandées")
    reference: str = Field(
        pattern=REFERENCE_PATTERN,
        description="Référence interne de la CAE (lettres, chiffres, . _ / -, sans espace) : "
        "elle la relie chez elle à ses stagiaires, dont les noms ne quittent jamais la CAE",
    )
    effectif: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Effectif salarié de la CAE (entrepreneurs-salariés compris), pour "
        "l'estimation de la prise en charge par l'OPCO",
    )


class Decision(StrEnum):
    ACCEPT = "acceptee"
    DECLINE = "refusee"
    WAITLIST = "liste_attente"


class SeatDecision(BaseModel):
    """The offering CAE's answer. ``places`` (accepted seats) only with ``acceptee``: fewer
    than asked is a partial acceptance; absent, every seat asked is accepted."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    places: int | None = Field(
        default=None, ge=1, le=1000, description="Places accordées (acceptation partielle)"
    )


class Party(BaseModel):
    siren: str
    nom: str


class SeatRequestInfo(BaseModel):
    """A seat request as either side sees it."""

    id: int
    sens: Literal["faite", "recue"] = Field(
        description="faite : la CAE qui interroge a demandé ; recue : elle offre la session"
    )
    statut: str = Field(
        description="en_attente, acceptee, refusee, liste_attente ou session_retiree"
    )
    reference: str = Field(description="Référence interne de la CAE demandeuse")
    places_demandees: int
    places_accordees: int
    effectif: int | None
    demandeur: Party
    offreur: Party
    session: SessionOffer
    creee_le: datetime
    decidee_le: datetime | None
    estimation_opco: dict[str, Any] | None = Field(
        default=None,
        description="Estimation de la prise en charge par l'OPCO (demande acceptée, effectif "
        "connu) : règles, année et source, heures et montants en euros HT",
    )
    rejouee: bool = Field(
        default=False, description="Demande déjà reçue (même clé d'idempotence) : réponse rejouée"
    )
    receipt: Receipt | None = Field(
        default=None, description="Reçu signé de la piste d'audit : à conserver"
    )


class SeatRequestList(BaseModel):
    total: int
    items: list[SeatRequestInfo]
