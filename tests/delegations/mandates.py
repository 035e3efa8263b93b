"""What the delegation tests share: a mandate document between two members, and the calls
that take it through its lifecycle."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from cae_contract.registry import get_registry
from hub.members.models import Member
from tests.factories import bearer


def mandate_document(delegante: Member, delegataire: Member, **changes: Any) -> dict[str, Any]:
    """The first valid example of payroll-mandate 1.0.0, between these two members."""
    examples = get_registry().examples("payroll-mandate", "1.0.0")
    assert examples is not None
    document = copy.deepcopy(examples.valid[0])
    document["delegante"] = {"siren": delegante.siren}
    document["delegataire"] = {"siren": delegataire.siren}
    document["debut"] = "2026-01-01"
    document.update(changes)
    return document


def active_mandate(
    client: TestClient, token_a: str, token_b: str, document: dict[str, Any]
) -> dict[str, Any]:
    """A proposes ``document``, B accepts it: the mandate in force."""
    proposed = client.post("/v1/delegations/mandates", headers=bearer(token_a), json=document)
    assert proposed.status_code == 201, proposed.text
    uid = proposed.json()["uid"]
    accepted = client.post(
        f"/v1/delegations/mandates/{uid}/versions/1/accept", headers=bearer(token_b)
    )
    assert accepted.status_code == 200, accepted.text
    body: dict[str, Any] = accepted.json()
    return body
