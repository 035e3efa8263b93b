"""API models of the schema registry."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SchemaVersionInfo(BaseModel):
    version: str
    id: str = Field(description="$id stable de cette version")
    url: str = Field(description="Adresse de cette version sur le hub")
    sha256: str


class SchemaSummary(BaseModel):
    name: str
    title: str
    description: str
    latest: str
    versions: list[str]


class SchemaDetail(SchemaSummary):
    published: list[SchemaVersionInfo]
