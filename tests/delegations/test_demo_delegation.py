"""The demonstration's payroll delegation: a small CAE delegating to the largest, with three
months of real encrypted history and keys in each CAE's data folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from cae_contract.payroll import Month
from connectors.payroll.keystore import KeyStore
from hub.delegations.exchange import exchange_service
from hub.delegations.service import mandate_service
from hub.demo.federation import generate
from hub.demo.payroll import add_delegation
from tests.factories import create_member


def test_the_demo_mandate_has_three_months_of_history(session: Session, tmp_path: Path) -> None:
    federation = generate(today=date(2026, 11, 23), count=3, scale=0.2)
    delegataire, delegante = federation.caes[0], federation.caes[2]
    members = {
        cae.slug: create_member(session, name=cae.name, siren=cae.siren)
        for cae in (delegante, delegataire)
    }
    folders = {cae.slug: tmp_path / cae.slug for cae in (delegante, delegataire)}
    uid = add_delegation(session, delegante, delegataire, folders)
    assert uid is not None
    assert add_delegation(session, delegante, delegataire, folders) is None  # once

    caller = members[delegante.slug]
    mandate = mandate_service.describe(session, mandate_service.get(session, caller, uid), caller)
    assert mandate.status == "active"
    assert mandate.role == "delegante"
    payloads = exchange_service.payloads_of(session, caller, uid)
    assert len(payloads) == 3 * 4 + 1
    past = exchange_service.month_tasks(session, caller, uid, Month(2026, 9))
    assert {t.kind: t.status for t in past} == {
        "variables": "reçu",
        "bulletins": "reçu",
        "dsn": "déposé",
        "dsn_retour": "accepté",
    }
    current = exchange_service.month_tasks(session, caller, uid, Month(2026, 11))
    assert {t.kind: t.status for t in current}["variables"] == "envoyé"
    # The keys are where the CAE's sync client will look for them.
    assert KeyStore.open(folders[delegante.slug] / "etat").current is not None
