"""The demonstration's payroll delegation: a small CAE hands its payroll to a large one (the
way Alterbative does with Coop&Bat), with a few months of history really encrypted with keys
made in each CAE's data folder — so that ``cae-hub paie recevoir`` works on the demo too.

The payloads hold what a CAE's payroll files hold (names, NIR, gross pay) from the demo's
invented people: they reach the hub encrypted only.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session

from cae_contract.payroll import Kind, Month
from cae_contract.payroll_keys import b64, data_key_statement, wrap_data_key
from cae_contract.registry import get_registry
from connectors.payroll.bundle import pack
from connectors.payroll.exchange import seal
from connectors.payroll.keystore import KeyStore
from hub.audit.service import Actor
from hub.delegations.exchange import exchange_service
from hub.delegations.keys import key_service
from hub.delegations.repository import MandateRepository, PayloadRepository
from hub.delegations.schemas import DataKeyIn, KeysIn, PayloadIn, WrapIn
from hub.delegations.service import mandate_service
from hub.demo.files import STATE_NAME
from hub.demo.model import DemoCae
from hub.members.models import Member
from hub.members.repository import MemberRepository

HISTORY_MONTHS = 3


def _keys(session: Session, member: Member, folder: Path) -> KeyStore:
    store = KeyStore.open(folder / STATE_NAME)
    if store.current is None:
        store.generate()
    pair = store.required()
    key_service.publish(
        session,
        member,
        KeysIn(
            encryption_public=b64(pair.encryption_public),
            signing_public=b64(pair.signing_public),
        ),
        actor=Actor("system", member_id=member.id),
    )
    return store


def _variables(cae: DemoCae, month: Month) -> str:
    rows = ["matricule;nom;prenom;nir;salaire_brut"]
    people = {p.number: p for p in cae.people}
    for slip in cae.payslips:
        if Month.of(slip.month) == month and slip.person in people:
            person = people[slip.person]
            euros = f"{slip.gross_cents // 100},{slip.gross_cents % 100:02d}"
            rows.append(
                f"{person.number};{person.last_name};{person.first_name};{person.nir};{euros}"
            )
    return "\n".join(rows) + "\n"


def add_delegation(
    session: Session, delegante: DemoCae, delegataire: DemoCae, folders: dict[str, Path]
) -> str | None:
    """The mandate between the two demo CAEs and its history; None when it already exists."""
    members = MemberRepository(session)
    a, b = members.get_by_siren(delegante.siren), members.get_by_siren(delegataire.siren)
    assert a is not None and b is not None
    if MandateRepository(session).of_member(a.id or 0):
        return None
    store_a = _keys(session, a, folders[delegante.slug])
    store_b = _keys(session, b, folders[delegataire.slug])
    examples = get_registry().examples("payroll-mandate", "1.0.0")
    assert examples is not None
    today = delegante.today
    last = Month.of(today)
    first = last
    for _ in range(HISTORY_MONTHS):
        first = (
            Month(first.year - 1, 12) if first.month == 1 else Month(first.year, first.month - 1)
        )
    document: dict[str, Any] = dict(
        examples.valid[0],
        delegante={"siren": a.siren},
        delegataire={"siren": b.siren},
        debut=str(first.first_day),
        effectif_couvert=max(1, sum(1 for p in delegante.people)),
    )
    actor_a, actor_b = Actor("system", member_id=a.id), Actor("system", member_id=b.id)
    uid = mandate_service.propose(session, a, document, actor=actor_a).uid
    mandate_service.decide(session, b, uid, 1, accept=True, actor=actor_b)

    data = X25519PrivateKey.generate()
    public = data.public_key().public_bytes_raw()
    wraps = [
        WrapIn(fingerprint=s.required().fingerprint, wrapped=b64(wrap_data_key(data, p, uid)))
        for s, p in (
            (store_a, store_a.required().encryption_public),
            (store_b, store_b.required().encryption_public),
        )
    ]
    exchange_service.put_data_key(
        session,
        a,
        uid,
        DataKeyIn(
            data_public=b64(public),
            signature=b64(store_a.required().sign(data_key_statement(uid, public))),
            wraps=wraps,
        ),
        actor=actor_a,
    )

    month = first
    with tempfile.TemporaryDirectory() as scratch:
        while month <= last:
            steps = [(Kind.VARIABLES, a, store_a, actor_a, _variables(delegante, month))]
            if month < last:  # the current month's payroll is under way
                steps += [
                    (Kind.BULLETINS, b, store_b, actor_b, f"Bulletins de {month}\n"),
                    (Kind.DSN, b, store_b, actor_b, f"DSN mensuelle de {month}\n"),
                    (Kind.DSN_RETOUR, b, store_b, actor_b, "Accusé de réception : conforme\n"),
                ]
            for kind, sender, store, actor, text in steps:
                path = Path(scratch) / f"{kind.value}-{month}.txt"
                path.write_text(text, encoding="utf-8")
                body = seal(
                    pack([path]),
                    data_public=public,
                    store=store,
                    uid=uid,
                    month=month,
                    kind=kind,
                    sender=sender.siren,
                )
                if kind is Kind.DSN_RETOUR:
                    body["verdict"] = "accepte"
                sent = exchange_service.send(session, sender, uid, PayloadIn(**body), actor=actor)
                recipient, recipient_actor = (b, actor_b) if sender is a else (a, actor_a)
                if month < last:
                    exchange_service.acknowledge(
                        session, recipient, sent.uid, actor=recipient_actor
                    )
                _backdate(session, sent.uid, month)
            month = month.following()
    return uid


def _backdate(session: Session, uid: str, month: Month) -> None:
    """History: a past month's payloads were sent and received in their month."""
    payload = PayloadRepository(session).by_uid(uid)
    assert payload is not None
    sent = datetime.combine(month.day(20), datetime.min.time(), tzinfo=UTC)
    if sent < payload.sent_at:
        payload.sent_at = sent
        if payload.acknowledged_at is not None:
            payload.acknowledged_at = sent + timedelta(hours=3)
        session.add(payload)
        session.flush()
