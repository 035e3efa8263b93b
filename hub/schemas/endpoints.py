"""``/v1/schemas``: the registry, readable by anyone, with ETag and If-None-Match."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response

from cae_contract.periods import today
from cae_contract.registry import SchemaRegistry, content_hash, get_registry
from cae_contract.versions import accepted_majors
from hub.db import SettingsDep
from hub.errors import API_ERRORS, problem_responses
from hub.schemas.schemas import AcceptedMajor, SchemaDetail, SchemaSummary, SchemaVersionInfo

router = APIRouter(prefix="/v1/schemas", tags=["schémas"], responses=problem_responses(*API_ERRORS))

SchemaName = Annotated[str, Path(max_length=100, pattern=r"^[a-z][a-z0-9-]*$")]
Version = Annotated[
    str,
    Path(
        max_length=40,
        pattern=r"^(latest|[0-9]+\.[0-9]+\.[0-9]+)(\.json)?$",
        description="MAJEURE.MINEURE.CORRECTIF, ou « latest » (suffixe .json accepté)",
    ),
]
IfNoneMatch = Annotated[str | None, Header(max_length=1000)]


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def _json(body: Any, *, if_none_match: str | None) -> Response:
    """The body with a strong ETag of its own bytes (what a version accepts changes with the
    date and the settings, not only with the files), or 304."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    etag = f'"{content_hash(content)[:32]}"'
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(content, media_type="application/json", headers={"ETag": etag})


def _summary(registry: SchemaRegistry, name: str, deprecation_days: int) -> SchemaSummary:
    latest = registry.latest(name)
    majors = accepted_majors(registry, name, today=today(), deprecation_days=deprecation_days)
    return SchemaSummary(
        name=name,
        title=latest.title,
        description=latest.description,
        latest=latest.version,
        versions=registry.versions(name),
        accepted=[AcceptedMajor.model_validate(m, from_attributes=True) for m in majors],
        deprecation_days=deprecation_days,
    )


@router.get(
    "",
    summary="Lister les schémas publiés",
    response_model=list[SchemaSummary],
    responses={304: {"description": "Inchangé depuis l'ETag envoyé"}, **problem_responses(422)},
)
def list_schemas(
    settings: SettingsDep, request: Request, if_none_match: IfNoneMatch = None
) -> Response:
    registry = get_registry()
    days = settings.schema_deprecation_days
    body = [_summary(registry, name, days).model_dump() for name in registry.names()]
    return _json(body, if_none_match=if_none_match)


@router.get(
    "/{name}",
    summary="Les versions publiées d'un schéma",
    response_model=SchemaDetail,
    responses={
        304: {"description": "Inchangé depuis l'ETag envoyé"},
        **problem_responses(404, 422),
    },
)
def get_schema(
    settings: SettingsDep, request: Request, name: SchemaName, if_none_match: IfNoneMatch = None
) -> Response:
    registry = get_registry()
    summary = _summary(registry, name, settings.schema_deprecation_days)
    published = [registry.get(name, v) for v in summary.versions]
    detail = SchemaDetail(
        **summary.model_dump(),
        published=[
            SchemaVersionInfo(
                version=s.version, id=s.uri, url=f"/v1/schemas/{name}/{s.version}", sha256=s.sha256
            )
            for s in published
        ],
    )
    return _json(detail.model_dump(), if_none_match=if_none_match)


@router.get(
    "/{name}/{version}",
    summary="Le document JSON Schema d'une version",
    responses={
        200: {
            "description": "Le schéma (draft 2020-12)",
            "content": {"application/schema+json": {"schema": {"type": "object"}}},
        },
        304: {"description": "Inchangé depuis l'ETag envoyé"},
        **problem_responses(404, 422),
    },
)
def get_schema_version(
    name: SchemaName, version: Version, if_none_match: IfNoneMatch = None
) -> Response:
    registry = get_registry()
    schema = registry.get(name, version.removesuffix(".json"))
    if _matches(if_none_match, schema.etag):
        return Response(status_code=304, headers={"ETag": schema.etag})
    headers = {"ETag": schema.etag}
    if version.startswith("latest"):
        headers["Cache-Control"] = "no-cache"
    else:
        headers["Cache-Control"] = "public, max-age=86400, immutable"
    return Response(schema.raw, media_type="application/schema+json", headers=headers)
