"""API models of the schema registry."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class SchemaVersionInfo(BaseModel):
    version: str
    id: str = Field(description="$id stable de cette version")
    url: str = Field(description="Adresse de cette version sur le hub")
    sha256: str


class AcceptedMajor(BaseModel):
    """A major version the hub accepts documents of."""

    major: int
    versions: list[str]
    deprecated_since: date | None = Field(
        description="Dépréciée depuis ce jour (publication de la version majeure suivante)"
    )
    sunset: date | None = Field(description="Dernier jour où le hub l'accepte")


class SchemaSummary(BaseModel):
    name: str
    title: str
    description: str
    latest: str
    versions: list[str]
    accepted: list[AcceptedMajor] = Field(
        description="Versions majeures acceptées : l'actuelle et, pendant sa période de "
        "dépréciation, la précédente (ramenée à la forme actuelle à la réception)"
    )
    deprecation_days: int = Field(
        description="Durée de la période de dépréciation d'une version majeure, en jours"
    )


class SchemaDetail(SchemaSummary):
    published: list[SchemaVersionInfo]
