"""Sending and receiving payroll payloads: what ``cae-hub paie`` does.

Sending: pack the files, encrypt them to the mandate's data key (HPKE, bound to the mandate,
month and kind), sign the statement of the ciphertext (Ed25519), upload. The data key is made
here at the first exchange and wrapped for both CAEs' keys in force; a partner's new key (after
a rotation) gets its wrapping from the next exchange, once its fingerprint is accepted.

Receiving: for each payload addressed to this CAE, check the ciphertext's hash, the sender's
key against the fingerprints accepted, the signature, then decrypt, unpack and acknowledge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from cae_contract.cli import fail
from cae_contract.payroll import Kind, Month, Statement
from cae_contract.payroll_keys import (
    CannotDecrypt,
    b64,
    data_key_statement,
    decrypt,
    encrypt,
    from_b64,
    signature_valid,
    unwrap_data_key,
    wrap_data_key,
)
from connectors.payroll.bundle import pack, unpack
from connectors.payroll.client import PayrollHub
from connectors.payroll.keystore import KeyStore, Partners, confirmation_hint


@dataclass(frozen=True)
class Party:
    siren: str
    fingerprint: str
    encryption_public: bytes
    signing_public: bytes


def _current_keys(hub: PayrollHub, uid: str, partners: Partners, own_siren: str) -> list[Party]:
    """Both parties' keys in force, the partner's checked against the accepted fingerprints."""
    found: list[Party] = []
    for key in hub.call("GET", f"/mandates/{uid}/keys"):
        if key["status"] != "en vigueur":
            continue
        if key["siren"] != own_siren and not partners.check(key["siren"], key["fingerprint"]):
            fail(confirmation_hint(key["siren"], key["fingerprint"]))
        found.append(
            Party(
                key["siren"],
                key["fingerprint"],
                from_b64(key["encryption_public"]),
                from_b64(key["signing_public"]),
            )
        )
    return found


def _check_data_key(
    hub: PayrollHub,
    store: KeyStore,
    partners: Partners,
    uid: str,
    public: bytes,
    held: dict[str, Any],
) -> None:
    """The data key was made and signed by one of the two CAEs, with keys this CAE accepts."""
    signer = held["signer"]
    keys = hub.call("GET", f"/mandates/{uid}/keys")
    key = next((k for k in keys if k["fingerprint"] == signer), None)
    own = store.by_fingerprint(signer) is not None
    if key is None or not (own or partners.check(key["siren"], signer)):
        fail("la clé du mandat n'a pas été faite par une des deux CAE : échange interrompu")
    if not signature_valid(
        from_b64(key["signing_public"]),
        data_key_statement(uid, public),
        from_b64(held["signature"]),
    ):
        fail("la clé du mandat n'est pas signée par la CAE qui l'a faite : échange interrompu")


def data_key(
    hub: PayrollHub, store: KeyStore, partners: Partners, uid: str, own_siren: str
) -> tuple[bytes, X25519PrivateKey]:
    """The mandate's data key (public half, private half unwrapped here), made if none."""
    held = hub.call("GET", f"/mandates/{uid}/data-key", missing_ok=True)
    if held is None:
        parties = _current_keys(hub, uid, partners, own_siren)
        if len({p.siren for p in parties}) < 2:
            fail(
                "l'autre CAE n'a pas encore publié ses clés de paie : rien ne peut lui être envoyé"
            )
        made = X25519PrivateKey.generate()
        public = made.public_key().public_bytes_raw()
        wraps = [
            {
                "fingerprint": p.fingerprint,
                "wrapped": b64(wrap_data_key(made, p.encryption_public, uid)),
            }
            for p in parties
        ]
        signature = store.required().sign(data_key_statement(uid, public))
        hub.call(
            "PUT",
            f"/mandates/{uid}/data-key",
            json={"data_public": b64(public), "signature": b64(signature), "wraps": wraps},
        )
        return public, made
    public = from_b64(held["data_public"])
    _check_data_key(hub, store, partners, uid, public, held)
    private: X25519PrivateKey | None = None
    for wrap in held["wraps"]:
        pair = store.by_fingerprint(wrap["fingerprint"])
        if pair is None:
            continue
        try:
            private = unwrap_data_key(from_b64(wrap["wrapped"]), pair.encryption, uid)
        except CannotDecrypt:
            continue
        break
    if private is None:
        fail(
            "la clé du mandat n'est emballée pour aucune de vos clés : après une rotation, "
            "l'autre CAE la ré-emballe à son prochain échange"
        )
    if private.public_key().public_bytes_raw() != public:
        fail("la clé du mandat fournie par le hub est incohérente : échange interrompu")
    if held["missing"]:
        parties = _current_keys(hub, uid, partners, own_siren)
        wraps = [
            {
                "fingerprint": p.fingerprint,
                "wrapped": b64(wrap_data_key(private, p.encryption_public, uid)),
            }
            for p in parties
            if p.fingerprint in held["missing"]
        ]
        if wraps:
            hub.call(
                "PUT",
                f"/mandates/{uid}/data-key",
                json={"data_public": b64(public), "signature": held["signature"], "wraps": wraps},
            )
    return public, private


def seal(
    bundle: bytes,
    *,
    data_public: bytes,
    store: KeyStore,
    uid: str,
    month: Month,
    kind: Kind,
    sender: str,
) -> dict[str, Any]:
    """The upload body of ``bundle``: encrypted to the mandate and signed by this CAE."""
    pair = store.required()
    context = Statement(uid, str(month), kind.value, sender, 0, "", "").context()
    ciphertext = encrypt(bundle, data_public, context)
    statement = Statement(
        mandate=uid,
        month=str(month),
        kind=kind.value,
        sender=sender,
        size=len(ciphertext),
        sha256=hashlib.sha256(ciphertext).hexdigest(),
        key=pair.fingerprint,
    )
    return {
        "month": str(month),
        "kind": kind.value,
        "key": pair.fingerprint,
        "signature": b64(pair.sign(statement.to_bytes())),
        "ciphertext": b64(ciphertext),
    }


STATUS_LABELS = {"proposed": "pas encore accepté", "suspended": "suspendu", "ended": "terminé"}


def own_siren(hub: PayrollHub, uid: str, *, sending: bool = False) -> str:
    """This CAE's SIREN in the mandate; to send, the mandate must be in force."""
    mandate = hub.call("GET", f"/mandates/{uid}")
    if sending and mandate["status"] != "active":
        label = STATUS_LABELS.get(mandate["status"], mandate["status"])
        fail(f"le mandat {uid} est {label} : aucun envoi n'est possible")
    return str(mandate["delegante"] if mandate["role"] == "delegante" else mandate["delegataire"])


def send(
    hub: PayrollHub,
    store: KeyStore,
    partners: Partners,
    *,
    uid: str,
    month: Month,
    kind: Kind,
    files: Sequence[Path],
    verdict: str | None = None,
) -> dict[str, Any]:
    siren = own_siren(hub, uid, sending=True)
    mine = store.required().fingerprint
    status = {k["fingerprint"]: k["status"] for k in hub.call("GET", "/keys")}.get(mine)
    if status != "en vigueur":
        fail(
            "vos clés de paie ne sont pas (ou plus) en vigueur au hub : publiez-les "
            "(cae-hub cles publier), ou après une révocation : cae-hub cles generer --rotation "
            "puis cae-hub cles publier"
        )
    public, _ = data_key(hub, store, partners, uid, siren)
    body = seal(
        pack(files), data_public=public, store=store, uid=uid, month=month, kind=kind, sender=siren
    )
    if verdict is not None:
        body["verdict"] = verdict
    answer: dict[str, Any] = hub.call("POST", f"/mandates/{uid}/payloads", json=body)
    return answer


def receive(
    hub: PayrollHub, store: KeyStore, partners: Partners, *, uid: str, target: Path
) -> list[tuple[dict[str, Any], list[Path]]]:
    """Fetch, verify, decrypt and acknowledge every payload waiting for this CAE."""
    pending = hub.call("GET", f"/mandates/{uid}/payloads?pending=true")
    if not pending:
        return []
    siren = own_siren(hub, uid)
    _, private = data_key(hub, store, partners, uid, siren)
    keys = {k["fingerprint"]: k for k in hub.call("GET", f"/mandates/{uid}/keys")}
    received: list[tuple[dict[str, Any], list[Path]]] = []
    for item in pending:
        payload = hub.call("GET", f"/payloads/{item['uid']}")
        ciphertext = from_b64(payload["ciphertext"])
        digest = hashlib.sha256(ciphertext).hexdigest()
        key = keys.get(payload["key"])
        if key is None or key["siren"] != payload["sender"]:
            fail(f"contenu {payload['uid']} : signé par des clés inconnues, refusé")
        if not partners.check(key["siren"], key["fingerprint"]):
            fail(confirmation_hint(key["siren"], key["fingerprint"]))
        statement = Statement(
            mandate=uid,
            month=payload["month"],
            kind=payload["kind"],
            sender=payload["sender"],
            size=len(ciphertext),
            sha256=digest,
            key=payload["key"],
        )
        if digest != payload["sha256"] or not signature_valid(
            from_b64(key["signing_public"]), statement.to_bytes(), from_b64(payload["signature"])
        ):
            fail(
                f"contenu {payload['uid']} : signature invalide (contenu modifié ou faux "
                "émetteur) ; rien n'a été déchiffré ni acquitté"
            )
        try:
            bundle = decrypt(ciphertext, private, statement.context())
        except CannotDecrypt:
            fail(f"contenu {payload['uid']} : indéchiffrable avec la clé du mandat, refusé")
        folder = target / payload["month"] / f"{payload['kind']}-{payload['uid']}"
        written = unpack(bundle, folder)
        hub.call("POST", f"/payloads/{payload['uid']}/ack")
        received.append((payload, written))
    return received
