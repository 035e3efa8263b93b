"""What the seat-pooling tests share: an offering CAE whose catalogue is in the hub."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hub.members.models import Member
from hub.trainings.models import TrainingSession
from tests.trainings.catalogues import example

OFFERED = "S-TOIT-2027-01"  # 4 seats offered, 14 hours, 300 € per member trainee


def offer(client: TestClient, headers: dict[str, str], *, seats: int = 4) -> dict[str, Any]:
    document = example()
    first = document["formations"][0]["actions"][0]["sessions"][0]
    first["mutualisation"]["places_offertes"] = seats
    response = client.put("/v1/trainings/catalogue", json=document, headers=headers)
    assert response.status_code == 200, response.text
    return document


def offered_session(session: Session, member: Member, numero: str = OFFERED) -> TrainingSession:
    row = session.exec(
        select(TrainingSession).where(
            TrainingSession.member_id == member.id, TrainingSession.numero == numero
        )
    ).one()
    session.refresh(row)
    return row
