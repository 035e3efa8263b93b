"""A stored revision records which breakdowns it was sent with."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.indicators.models import IndicatorReport
from hub.indicators.service import report_service
from tests.factories import create_member


def test_a_revision_records_its_breakdowns(session: Session) -> None:
    member = create_member(session)
    document = {
        "period": "2025-S2",
        "cells": [
            {"indicator": "entrepreneurs", "dims": {}, "value": 5},
            {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 2},
            {"indicator": "entrepreneurs", "dims": {"sex": "M"}, "value": 3},
            {"indicator": "support_staff_fte", "dims": {}, "value": 1.5},
        ],
    }
    report_service.submit(session, member, "2025-S2", document)
    stored = session.exec(
        select(IndicatorReport).where(IndicatorReport.member_id == member.id)
    ).one()
    assert stored.breakdowns == {"entrepreneurs": ["", "sex"], "support_staff_fte": [""]}
