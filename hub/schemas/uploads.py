"""What every document a member uploads goes through, whatever its schema (indicator reports,
training catalogues…): the body decoded as strict UTF-8 JSON, the version it names accepted or
refused, the document validated against that version and brought to the current form, and the
deprecation announced in the answer's headers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from email.utils import format_datetime
from typing import Annotated, Any

import orjson
from fastapi import Header

from cae_contract.periods import today
from cae_contract.problems import ErrorItem
from cae_contract.refs import BASE_URI
from cae_contract.registry import get_registry
from cae_contract.upcasts import upcast
from cae_contract.versions import SCHEMA_VERSION_FIELD, Acceptance, VersionRefused, accept
from hub.errors import ValidationFailed
from hub.guards import check_json_bytes

SchemaVersionHeader = Annotated[
    str | None,
    Header(
        max_length=40,
        pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$",
        description="Version du schéma selon laquelle le document est écrit (par défaut : la "
        "version en vigueur)",
    ),
]
ConnectorHeader = Annotated[
    str | None, Header(max_length=160, description="Connecteur et version : endi/1.2.0")
]


def decode_document(body: bytes, *, what: str) -> Any:
    """The JSON document of an upload body (``what``: « Le rapport »…): UTF-8 only, no text a
    database cannot store."""
    refusal = check_json_bytes(body)
    if refusal is not None:
        raise refusal
    try:
        return orjson.loads(body)  # several times faster than json for a large document
    except RecursionError:
        raise ValidationFailed(
            f"{what} est imbriqué trop profondément.",
            errors=[ErrorItem("$", "imbrication trop profonde")],
        ) from None
    except json.JSONDecodeError as exc:
        where = "corps vide" if not body.strip() else f"ligne {exc.lineno}, colonne {exc.colno}"
        raise ValidationFailed(
            "Le corps de la requête n'est pas un document JSON valide.",
            errors=[ErrorItem("$", f"JSON mal formé ({where})")],
        ) from None


def validated(
    name: str,
    document: Any,
    *,
    version: str | None,
    deprecation_days: int,
    refused: str,
) -> tuple[Any, Acceptance, list[ErrorItem]]:
    """``document`` of schema ``name`` checked against the version it names (None: the
    current one) and, from the previous major, brought to the current form; with how it was
    taken and the schema's errors. A version not accepted raises ``ValidationFailed``
    (``refused``: « Rapport 2025-S1 refusé »…) naming the header."""
    registry = get_registry()
    try:
        acceptance = accept(
            registry, name, version, today=today(), deprecation_days=deprecation_days
        )
    except VersionRefused as exc:
        raise ValidationFailed(
            f"{refused} : {exc}.", errors=[ErrorItem(SCHEMA_VERSION_FIELD, str(exc))]
        ) from None
    errors = registry.validate(name, acceptance.received, document)
    if not errors and acceptance.upcast:
        document = upcast(
            name,
            document,
            from_major=acceptance.received_major,
            to_major=acceptance.current_major,
        )
        errors = registry.validate(name, acceptance.current, document)
    return document, acceptance, errors


def deprecation_headers(acceptance: Acceptance) -> dict[str, str]:
    """RFC 9745 ``Deprecation`` and RFC 8594 ``Sunset`` while the version sent is deprecated,
    with a link to the version that replaces it."""
    if acceptance.deprecated_since is None or acceptance.sunset is None:
        return {}
    since = datetime.combine(acceptance.deprecated_since, time(), tzinfo=UTC)
    sunset = datetime.combine(acceptance.sunset, time(23, 59, 59), tzinfo=UTC)
    successor = f"{BASE_URI}{acceptance.name}/{acceptance.current}.json"
    return {
        "Deprecation": f"@{int(since.timestamp())}",
        "Sunset": format_datetime(sunset, usegmt=True),
        "Link": f'<{successor}>; rel="successor-version"',
    }
