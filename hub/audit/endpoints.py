"""``/v1/audit``: the public key receipts and checkpoints are checked with."""

from __future__ import annotations

from fastapi import APIRouter

from hub.audit.schemas import AuditKeyPublic
from hub.audit.service import audit_service
from hub.errors import API_ERRORS, problem_responses

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=problem_responses(*API_ERRORS))


@router.get(
    "/key",
    summary="La clé publique du hub (vérification des reçus et des points de contrôle)",
)
def public_key() -> AuditKeyPublic:
    return audit_service.public_key()
