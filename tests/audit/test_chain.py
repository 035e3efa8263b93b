"""The chain: every event hashed over RFC 8785 JSON and linked to the previous one; signed
checkpoints; ``verify`` names the first broken event whatever was tampered with."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
import rfc8785
from sqlalchemy import text
from sqlmodel import Session, select

from hub.audit.chain import GENESIS_HASH, event_hash, event_payload
from hub.audit.models import AuditCheckpoint, AuditEvent
from hub.audit.service import Actor, audit_service, record
from hub.db import session_scope
from tests.databases import fresh_database, postgres_url


def _append(session: Session, count: int) -> list[AuditEvent]:
    return [
        record(
            session,
            kind="token.issued",
            actor=Actor("staff", 7),
            member_id=number,
            details={"token_id": number, "scopes": ["reports:write"]},
        )
        for number in range(1, count + 1)
    ]


def _problems(session: Session) -> list[str]:
    session.expire_all()
    return audit_service.verify(session).problems


def test_an_event_hash_is_the_sha256_of_its_canonical_json_chained_to_the_previous(
    session: Session,
) -> None:
    first, second = _append(session, 2)
    assert first.sequence == 1 and second.sequence == 2
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    payload = event_payload(second)
    assert payload["prev_hash"] == first.hash
    assert second.hash == hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


def test_an_untouched_trail_is_intact(session: Session) -> None:
    _append(session, 5)
    audit_service.checkpoint(session)
    result = audit_service.verify(session)
    assert result.intact, result.problems
    assert (result.events, result.checkpoints) == (5, 1)
    assert result.sentence().startswith(
        "piste d'audit intègre : 5 événements, 1 points de contrôle signés"
    )


def test_a_checkpoint_is_signed_only_when_something_is_new(session: Session) -> None:
    assert audit_service.checkpoint(session) is None
    _append(session, 2)
    made = audit_service.checkpoint(session)
    assert made is not None and made.sequence == 2
    assert audit_service.checkpoint(session) is None


def test_a_changed_value_is_detected(session: Session) -> None:
    _append(session, 4)
    session.execute(text("UPDATE audit_event SET member_id = 99 WHERE sequence = 3"))
    problems = _problems(session)
    assert problems[0].startswith("événement n° 3 : empreinte incorrecte")


def test_changed_details_are_detected(session: Session) -> None:
    events = _append(session, 3)
    event = session.get(AuditEvent, events[1].sequence)
    assert event is not None
    event.details = {"token_id": 1000, "scopes": ["reports:write"]}
    session.add(event)
    session.flush()
    assert _problems(session)[0].startswith("événement n° 2 : empreinte incorrecte")


def test_a_recomputed_hash_still_breaks_the_link_to_the_next_event(session: Session) -> None:
    """Rewriting an event and its own hash is not enough: the next event seals the old one."""
    _append(session, 4)
    event = session.get(AuditEvent, 2)
    assert event is not None
    event.actor_id = 1
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    assert _problems(session)[0].startswith("événement n° 3 : chaînage rompu")


def test_swapped_events_are_detected(session: Session) -> None:
    _append(session, 5)
    for statement in (
        "UPDATE audit_event SET sequence = -1 WHERE sequence = 2",
        "UPDATE audit_event SET sequence = 2 WHERE sequence = 3",
        "UPDATE audit_event SET sequence = 3 WHERE sequence = -1",
    ):
        session.execute(text(statement))
    assert _problems(session)[0].startswith("événement n° 2 : empreinte incorrecte")


def test_a_deleted_event_is_detected(session: Session) -> None:
    _append(session, 5)
    session.execute(text("DELETE FROM audit_event WHERE sequence = 3"))
    problems = _problems(session)
    assert problems[0] == "événement n° 3 : absent (supprimé ?)"
    assert any(p.startswith("événement n° 4 : chaînage rompu") for p in problems)


def test_deleting_the_last_events_after_a_checkpoint_is_detected(session: Session) -> None:
    _append(session, 6)
    audit_service.checkpoint(session)
    session.execute(text("DELETE FROM audit_event WHERE sequence >= 5"))
    problems = _problems(session)
    assert problems[0].startswith("événement n° 5 : absent alors que le point de contrôle")
    assert "(derniers événements supprimés)" in problems[0]


def test_a_forged_checkpoint_signature_is_detected(session: Session) -> None:
    _append(session, 2)
    audit_service.checkpoint(session)
    checkpoint = session.exec(select(AuditCheckpoint)).one()
    checkpoint.hash = "f" * 64
    session.add(checkpoint)
    session.flush()
    problems = _problems(session)
    assert problems[0] == "point de contrôle de l'événement n° 2 : signature invalide"


def test_details_refuse_secrets_and_personal_fields(session: Session) -> None:
    for details in ({"email": "x@example.org"}, {"password": "x"}, {"token": "caeh_x"}):
        with pytest.raises(ValueError, match="secret or a personal field"):
            record(session, kind="member.created", details=details)
    with pytest.raises(ValueError, match="plain values"):
        record(session, kind="member.created", details={"nested": {"a": 1}})


@pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL injoignable")
def test_concurrent_appends_on_postgresql_make_one_unbroken_chain(tmp_path: Path) -> None:
    writers = 24
    with fresh_database("postgresql", tmp_path) as engine:
        barrier = threading.Barrier(writers)
        failures: list[BaseException] = []

        def append(number: int) -> None:
            try:
                barrier.wait(timeout=60)
                with session_scope(engine) as session:
                    record(session, kind="report.accepted", details={"revision": number})
            except BaseException as exc:  # reported below, with the others
                failures.append(exc)

        threads = [threading.Thread(target=append, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        with Session(engine) as session:
            result = audit_service.verify(session)
            sequences = list(session.exec(select(AuditEvent.sequence)).all())
            revisions = {e.details["revision"] for e in session.exec(select(AuditEvent)).all()}
    assert result.intact, result.problems
    assert sorted(sequences) == list(range(1, writers + 1))
    assert revisions == set(range(writers))
