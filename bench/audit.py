"""Audit trail cost: what recording an accepted report (chained event, receipt signature,
the checkpoint signed every ``HUB_AUDIT_CHECKPOINT_EVERY`` events) adds to its ingest.

Target: under 5 % of the report's own ingest time. The audit work is timed inside a
transaction on the hub's database (chain lock, head read, canonical JSON, SHA-256, insert,
Ed25519 signatures), its commit left out: in a request it rides on the report's own commit.
The ingest is the stored ``PUT /v1/indicators/reports/{period}`` of the real app, which
includes the audit work, measured in the same run. Run with ``python -m bench.audit``.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.federation import large_report
from bench.support import (
    Timing,
    add_member,
    bearer,
    heading,
    machine,
    measure,
    member_token,
    seconds,
    temporary_hub,
)
from cae_contract.periods import Period
from hub.audit.service import Actor, audit_service, record
from hub.db import WRITE_INTENT
from hub.members.schemas import complete_siren

SIZES = (1_000, 10_000)
TARGET = 0.05
REPEAT = 5
AUDIT_REPEAT = 300  # three checkpoints at the default interval
MEMBER = {
    "name": "CAE de mesure",
    "siren": complete_siren("90000001"),
    "region": "75",
    "departements": ["33"],
    "trades": ["43.21A"],
    "contact_email": "mesures@cae.example",
}


def _ingest(client: TestClient, headers: dict[str, str], document: dict[str, Any]) -> Timing:
    periods = [Period(2010, 1)]
    while len(periods) < REPEAT + 1:
        periods.append(periods[-1].following())
    bodies = [json.dumps({**document, "period": str(p)}).encode() for p in periods]

    def stored(number: int) -> None:
        response = client.put(
            f"/v1/indicators/reports/{periods[number]}", content=bodies[number], headers=headers
        )
        if response.status_code != 200 or response.json().get("receipt") is None:
            raise RuntimeError(f"PUT: {response.status_code} {response.text[:300]}")

    return measure(stored, repeat=REPEAT, warmup=1)


def _audit(hub_engine: Any, member_id: int) -> list[float]:
    samples = []
    actor = Actor("member_token", 1, member_id)
    for number in range(AUDIT_REPEAT):
        with Session(hub_engine, expire_on_commit=False) as session:
            session.connection(execution_options={WRITE_INTENT: True})
            start = time.perf_counter()
            event = record(
                session,
                kind="report.accepted",
                actor=actor,
                member_id=member_id,
                details={
                    "period": "2030-S1",
                    "revision": number + 1,
                    "content_hash": "0" * 64,
                    "cells": 10_000,
                    "unchanged": False,
                    "replayed": False,
                },
            )
            audit_service.receipt(event)
            samples.append(time.perf_counter() - start)
            session.commit()
    return samples


def main() -> None:
    heading("Audit trail: cost per accepted report, as a share of the report's ingest")
    print(
        "SQLite in a temporary folder, the real app through fastapi.testclient; the audit "
        f"work timed {AUDIT_REPEAT} times (mean, checkpoint signatures included), each "
        f"ingest {REPEAT} times after a warm-up (median)."
    )
    print(f"Machine: {machine()}.")
    with temporary_hub() as hub:
        member = add_member(hub.engine, MEMBER)
        assert member.id is not None
        headers = {
            **bearer(member_token(hub.engine, member.siren)),
            "Content-Type": "application/json",
        }
        with TestClient(hub.app) as client:
            ingests = {size: _ingest(client, headers, large_report(cells=size)) for size in SIZES}
        samples = _audit(hub.engine, member.id)
        with Session(hub.engine) as session:
            intact = audit_service.verify(session)
    mean = statistics.fmean(samples)
    print(
        f"audit work             mean {seconds(mean)}, median "
        f"{seconds(statistics.median(samples))}, max {seconds(max(samples))} "
        f"over {len(samples)} events"
    )
    worst = 0.0
    for size, timing in ingests.items():
        share = mean / timing.median
        worst = max(worst, share)
        print(f"ingest, {size:>6,} cells   {timing.describe()}")
        print(f"                       audit / ingest: {100 * share:.2f} %")
    verdict = "met" if worst < TARGET else "MISSED"
    print(
        f"Audit cost per accepted report: at most {100 * worst:.2f} % of its ingest time "
        f"(target < {100 * TARGET:.0f} %: {verdict}); chain after the run: "
        f"{'intact' if intact.intact else 'BROKEN'} ({intact.events} events)."
    )


if __name__ == "__main__":
    main()
