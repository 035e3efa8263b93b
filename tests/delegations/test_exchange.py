"""Nothing travels outside an active mandate's task types and dates; who sends what is fixed by
the mandate; a ciphertext cannot be replayed as another month; keys rotate and revoke."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from sqlmodel import Session

from cae_contract.cli import CliError
from cae_contract.payroll import Kind, Statement
from cae_contract.payroll_keys import (
    CannotDecrypt,
    KeyPair,
    b64,
    decrypt,
    encrypt,
    fingerprint,
    signature_valid,
)
from tests.delegations.exchanges import Side
from tests.delegations.mandates import active_mandate, mandate_document
from tests.factories import bearer, create_member, issue_token


def _pair(client: TestClient, session: Session, tmp_path: Path, **changes: object):  # type: ignore[no-untyped-def]
    a, b = create_member(session), create_member(session)
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b, **changes))["uid"]
    return (
        uid,
        Side(client, token_a, tmp_path / "a"),
        Side(client, token_b, tmp_path / "b"),
        (
            token_a,
            token_b,
        ),
    )


def test_outside_the_tasks_dates_or_role_nothing_travels(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    uid, a, b, (token_a, _) = _pair(client, session, tmp_path, debut="2026-09-01", fin="2026-12-31")
    with pytest.raises(CliError, match="ne confie pas cette tâche"):
        b.send(uid, "2026-11", Kind.SOLDES, "solde\n")
    with pytest.raises(CliError, match="en dehors des dates"):
        a.send(uid, "2027-01", Kind.VARIABLES, "janvier\n")
    with pytest.raises(CliError, match="en dehors des dates"):
        a.send(uid, "2026-08", Kind.VARIABLES, "août\n")
    with pytest.raises(CliError, match="envoyés par la délégataire"):
        a.send(uid, "2026-11", Kind.BULLETINS, "bulletins\n")
    client.post(f"/v1/delegations/mandates/{uid}/suspend", headers=bearer(token_a))
    with pytest.raises(CliError, match="suspendu"):
        a.send(uid, "2026-11", Kind.VARIABLES, "novembre\n")


def test_a_ciphertext_only_opens_for_its_own_month_and_kind() -> None:
    data = X25519PrivateKey.generate()
    here = Statement("m1", "2026-11", "variables", "732829320", 0, "", "")
    there = Statement("m1", "2026-12", "variables", "732829320", 0, "", "")
    sealed = encrypt(b"contenu", data.public_key().public_bytes_raw(), here.context())
    assert decrypt(sealed, data, here.context()) == b"contenu"
    with pytest.raises(CannotDecrypt):
        decrypt(sealed, data, there.context())
    with pytest.raises(CannotDecrypt):
        decrypt(sealed, X25519PrivateKey.generate(), here.context())


def test_signatures_and_fingerprints() -> None:
    pair, other = KeyPair.generate(), KeyPair.generate()
    message = "relevé".encode()
    assert signature_valid(pair.signing_public, message, pair.sign(message))
    assert not signature_valid(pair.signing_public, message, other.sign(message))
    assert not signature_valid(pair.signing_public, b"autre", pair.sign(message))
    printed = fingerprint(pair.encryption_public, pair.signing_public)
    assert printed == pair.fingerprint
    assert len(printed.split()) == 8


def test_rotation_rewraps_the_mandate_key_and_revocation_refuses(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    uid, a, b, (token_a, _) = _pair(client, session, tmp_path)
    a.send(uid, "2026-10", Kind.VARIABLES, "octobre\n")
    assert b.receive(uid) == ["octobre\n"]

    # B rotates its keys: A accepts the new fingerprint (checked out of band) and its next
    # exchange wraps the mandate key for it.
    old = b.store.required()
    b.store.generate(rotate=True)
    new = b.store.required()
    b.hub.call(
        "PUT",
        "/keys",
        json={
            "encryption_public": b64(new.encryption_public),
            "signing_public": b64(new.signing_public),
        },
    )
    with pytest.raises(CliError, match="cles confirmer"):
        a.send(uid, "2026-11", Kind.VARIABLES, "novembre\n")
    a.partners.confirm(b.hub.call("GET", f"/mandates/{uid}")["delegataire"], new.fingerprint)
    a.send(uid, "2026-11", Kind.VARIABLES, "novembre\n")
    assert b.receive(uid) == ["novembre\n"]

    # A revokes its keys: nothing more is accepted signed with them.
    keys = client.get("/v1/delegations/keys", headers=bearer(token_a)).json()
    revoked = client.post(f"/v1/delegations/keys/{keys[0]['id']}/revoke", headers=bearer(token_a))
    assert revoked.json()["status"] == "révoquée"
    with pytest.raises(CliError, match="plus\\) en vigueur"):
        a.send(uid, "2026-12", Kind.VARIABLES, "décembre\n")
    assert old.fingerprint != new.fingerprint


def test_private_keys_are_kept_0600(tmp_path: Path) -> None:
    from connectors.payroll.keystore import KeyStore

    store = KeyStore.open(tmp_path)
    store.generate()
    assert (tmp_path / "cles-paie.json").stat().st_mode & 0o777 == 0o600
    (tmp_path / "cles-paie.json").chmod(0o644)
    with pytest.raises(CliError, match="chmod 600"):
        KeyStore.open(tmp_path)


def test_a_data_key_not_signed_by_the_caller_is_refused(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    a, b = create_member(session), create_member(session)
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    side_a, side_b = Side(client, token_a, tmp_path / "a"), Side(client, token_b, tmp_path / "b")
    data = X25519PrivateKey.generate()
    public = data.public_key().public_bytes_raw()
    from cae_contract.payroll_keys import data_key_statement, wrap_data_key

    wraps = [
        {
            "fingerprint": side.store.required().fingerprint,
            "wrapped": b64(wrap_data_key(data, side.store.required().encryption_public, uid)),
        }
        for side in (side_a, side_b)
    ]
    forged = side_b.store.required().sign(data_key_statement(uid, public))
    answer = client.put(
        f"/v1/delegations/mandates/{uid}/data-key",
        headers=bearer(token_a),
        json={"data_public": b64(public), "signature": b64(forged), "wraps": wraps},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "$.signature"
