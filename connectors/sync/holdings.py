"""What the hub holds, asked once per run: acknowledgements are checked against it, so that a
hub restored from an older backup is sent again what it lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.sdk.base import Document
from connectors.sync.client import HELD_PATHS, SNAPSHOT, Held, HubClient
from connectors.sync.report import SyncReport
from connectors.sync.state import Acknowledgement

# What the hub holds, by kind of document then period; None where it cannot say.
HeldBySchema = dict[str, dict[str, Held] | None]


def ask_hub(
    client: HubClient, me: Mapping[str, Any], documents: Sequence[Document], report: SyncReport
) -> HeldBySchema:
    """Ask the hub once per kind of document what it holds, so that what it acknowledged but
    lost (a restored backup) is sent again. An older hub, or a token that may not read
    reports, leaves the check out: acknowledgements are then trusted as before."""
    schemas = sorted({d.schema for d in documents if d.schema in HELD_PATHS})
    if not schemas:
        return {}
    if "reports:read" not in (me.get("scopes") or []):
        report.hub_remarks.append(
            "le jeton n'a pas le droit de relire les rapports (reports:read) : le client n'a "
            "pas pu vérifier que le hub détient toujours ce qu'il a accepté ; demandez à la "
            "fédération un jeton de synchronisation complet"
        )
        return {}
    held: HeldBySchema = {schema: client.held(schema) for schema in schemas}
    if any(found is None for found in held.values()):
        report.hub_remarks.append(
            "ce hub ne dit pas encore quels rapports il détient : les documents déjà acceptés "
            "ne sont pas revérifiés (--force pour tout renvoyer)"
        )
    return held


def missing_on_hub(previous: Acknowledgement, held: Mapping[str, Held] | None) -> str | None:
    """Why an acknowledged document must be sent again, or None if the hub still holds it."""
    if held is None:
        return None
    on_hub = held.get(previous.period) or held.get(SNAPSHOT)
    if on_hub is None:
        return "le hub ne l'avait plus (base restaurée ?)"
    if previous.hub_content_hash and on_hub.content_hash != previous.hub_content_hash:
        return (
            f"le hub détenait une autre version (révision {on_hub.revision}) que celle qu'il "
            f"avait acceptée (révision {previous.revision})"
        )
    return None
