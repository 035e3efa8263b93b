"""The audit trail page (staff): events filtered by member, kind and dates, the chain's
status, and a CSV export with French headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from cae_contract.periods import PARIS
from cae_contract.problems import ErrorItem
from hub.audit.models import AuditEvent
from hub.audit.schemas import EventFilter
from hub.audit.service import ACTOR_LABELS, KIND_LABELS, audit_service
from hub.db import SessionDep
from hub.errors import ValidationFailed
from hub.members.models import Member
from hub.members.service import member_service
from hub.web.auth import StaffPage
from hub.web.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute)

PAGE_SIZE = 100
CSV_HEADERS = [
    "N°",
    "Date (UTC)",
    "Nature",
    "Code de la nature",
    "Acteur",
    "Identifiant de l'acteur",
    "SIREN de la CAE",
    "Détails",
    "Identifiant de requête",
    "Empreinte",
    "Empreinte précédente",
]
Text = Annotated[str, Query(max_length=40)]


def _day(text: str, where: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"Date illisible : « {text[:12]} ».",
            errors=[ErrorItem(f"query.{where}", "date attendue (AAAA-MM-JJ)")],
        ) from None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """The page's filters as its form sends them (French names, as in the address)."""

    membre: str
    nature: str
    du: str
    au: str


def audit_query(membre: Text = "", nature: Text = "", du: Text = "", au: Text = "") -> AuditQuery:
    return AuditQuery(membre, nature, du, au)


AuditQueryDep = Annotated[AuditQuery, Depends(audit_query)]


def _filter(session: Session, query: AuditQuery) -> tuple[EventFilter, dict[int, Member]]:
    membre, nature, du, au = query.membre, query.nature, query.du, query.au
    members = {m.id: m for m in member_service.list(session, include_inactive=True) if m.id}
    member_id = None
    if membre:
        member_id = next((i for i, m in members.items() if m.siren == membre), None)
        if member_id is None:
            raise ValidationFailed(
                f"Aucune CAE avec le SIREN « {membre[:12]} ».",
                errors=[ErrorItem("query.membre", "SIREN d'une CAE membre attendu")],
            )
    if nature and nature not in audit_service.kinds(session):
        raise ValidationFailed(
            f"Nature d'événement inconnue : « {nature[:40]} ».",
            errors=[ErrorItem("query.nature", "nature de la liste attendue")],
        )
    first, last = _day(du, "du"), _day(au, "au")
    if first and last and last < first:
        raise ValidationFailed(
            "La période choisie finit avant de commencer.",
            errors=[ErrorItem("query.au", "date postérieure à « du » attendue")],
        )
    # Days of Paris, as people read them; the ``au`` day is included.
    since = datetime.combine(first, time(), PARIS) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), PARIS) if last else None
    return EventFilter(member_id, nature or None, since, until), members


def _details(details: Mapping[str, Any]) -> str:
    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, list):
            return ", ".join(shown(v) for v in value)
        return "—" if value is None else str(value)

    return " ; ".join(f"{key} : {shown(value)}" for key, value in sorted(details.items()))


def _row(event: AuditEvent, members: Mapping[int, Member]) -> dict[str, Any]:
    member = members.get(event.member_id) if event.member_id is not None else None
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at,
        "kind": event.kind,
        "kind_label": KIND_LABELS.get(event.kind, event.kind),
        "actor": ACTOR_LABELS.get(event.actor_kind, event.actor_kind),
        "actor_id": event.actor_id,
        "member": member,
        "details": _details(event.details),
        "request_id": event.request_id,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


@router.get("/audit")
def audit_page(
    request: Request,
    user: StaffPage,
    session: SessionDep,
    filters: AuditQueryDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    where, members = _filter(session, filters)
    total = audit_service.count(session, where)
    events = audit_service.search(session, where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    status = audit_service.verify(session)
    return render(
        request,
        "audit.html",
        user=user,
        title="Piste d'audit",
        rows=[_row(e, members) for e in events],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        status=status,
        members=sorted(members.values(), key=lambda m: m.siren),
        kinds=[(k, KIND_LABELS.get(k, k)) for k in audit_service.kinds(session)],
        chosen=asdict(filters),
        query=request.url.query,
    )


def audit_csv(events: Sequence[AuditEvent], members: Mapping[int, Member]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for event in events:
        row = _row(event, members)
        member = row["member"]
        writer.writerow(
            [
                event.sequence,
                event.occurred_at.isoformat(timespec="seconds"),
                row["kind_label"],
                event.kind,
                row["actor"],
                "" if event.actor_id is None else event.actor_id,
                member.siren if member is not None else "",
                row["details"],
                event.request_id or "",
                event.hash,
                event.prev_hash,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets read UTF-8


@router.get("/audit.csv")
def audit_export(
    user: StaffPage,
    session: SessionDep,
    filters: AuditQueryDep,
) -> Response:
    where, members = _filter(session, filters)
    events = list(reversed(audit_service.search(session, where)))
    return Response(
        audit_csv(events, members),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="piste-audit.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
