"""The payroll delegation page: for a CAE, its mandates (as delegating CAE or delegate), the
month's calendar with deadlines and statuses, and the history of exchanges; for the
federation's staff, aggregate activity only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hub.db import SessionDep
from hub.delegations.overview import federation_activity, member_view
from hub.delegations.service import STATUS_LABELS
from hub.web.auth import PageUser
from hub.web.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute)

DELEGATIONS_PATH = "/paie"
KIND_LABELS = {
    "variables": "Variables de paie",
    "bulletins": "Bulletins de paie",
    "dsn": "DSN déposée",
    "dsn_retour": "Retour de la DSN",
    "contrats": "Contrats et avenants",
    "attestations": "Attestations employeur",
    "soldes": "Soldes de tout compte",
}


@router.get(DELEGATIONS_PATH)
def delegations(request: Request, user: PageUser, session: SessionDep) -> Response:
    if user.principal.member is None:
        return render(
            request,
            "delegations.html",
            user=user,
            title="Délégation de paie",
            activity=federation_activity(session),
            status_labels=STATUS_LABELS,
        )
    return render(
        request,
        "delegations.html",
        user=user,
        title="Délégation de paie",
        views=member_view(session, user.principal.member),
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
    )
