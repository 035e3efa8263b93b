"""Payroll delegation cost: encrypt + sign + upload + verify of a 5 MB payroll bundle, as a
ratio to HPKE (``cryptography``) encrypting the same bytes alone — the floor.

The full path is the client's ``seal`` (HPKE to the mandate's data key, SHA-256, Ed25519
signature, base64) and the real app's ``POST /v1/delegations/mandates/{uid}/payloads`` (body
decoding, signature check against the registered key, storage and audit, on SQLite), measured
in the same run as the floor. Target: at most 2×. Run with ``python -m bench.payroll``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from bench.support import (
    add_member,
    heading,
    machine,
    measure_together,
    member_token,
    ratio,
    temporary_hub,
)
from cae_contract.payroll import Kind, Month
from cae_contract.payroll_keys import SUITE, b64, encryption_key
from cae_contract.registry import get_registry
from connectors.payroll.client import PayrollHub
from connectors.payroll.exchange import data_key, seal
from connectors.payroll.keystore import KeyStore, Partners
from hub.members.schemas import complete_siren

SIZE = 5 * 2**20
TARGET = 2.0
REPEAT = 7


def _profile(number: int) -> dict[str, object]:
    return {
        "name": f"CAE de mesure {number}",
        "siren": complete_siren(f"9100000{number}"),
        "region": "75",
        "departements": ["33"],
        "trades": ["43.21A"],
        "contact_email": f"mesures{number}@cae.example",
    }


def main() -> None:
    heading("Payroll delegation: encrypt + sign + upload + verify of a 5 MB bundle")
    print(machine())
    # Incompressible, as an already compressed bundle of payslips is.
    bundle = os.urandom(SIZE)
    with temporary_hub() as hub, tempfile.TemporaryDirectory() as folder:
        a = add_member(hub.engine, _profile(1))
        b = add_member(hub.engine, _profile(2))
        tokens = [member_token(hub.engine, a.siren), member_token(hub.engine, b.siren)]
        with TestClient(hub.app) as client:
            sides = []
            for number, token in enumerate(tokens):
                store = KeyStore.open(Path(folder) / str(number))
                pair = store.generate()
                api = PayrollHub("http://testserver", token, timeout=None, session=client)  # type: ignore[arg-type]
                api.call(
                    "PUT",
                    "/keys",
                    json={
                        "encryption_public": b64(pair.encryption_public),
                        "signing_public": b64(pair.signing_public),
                    },
                )
                sides.append((api, store, Partners.open(Path(folder) / str(number))))
            examples = get_registry().examples("payroll-mandate", "1.0.0")
            assert examples is not None
            document = dict(examples.valid[0], debut="2020-01-01")
            document["delegante"], document["delegataire"] = {"siren": a.siren}, {"siren": b.siren}
            uid = sides[0][0].call("POST", "/mandates", json=document)["uid"]
            sides[1][0].call("POST", f"/mandates/{uid}/versions/1/accept")
            api, store, partners = sides[0]
            public, _ = data_key(api, store, partners, uid, a.siren)
            recipient = encryption_key(public)
            months = [Month(2020 + n // 12, n % 12 + 1) for n in range(REPEAT + 1)]

            def full(number: int) -> None:
                body = seal(
                    bundle,
                    data_public=public,
                    store=store,
                    uid=uid,
                    month=months[number],
                    kind=Kind.VARIABLES,
                    sender=a.siren,
                )
                api.call("POST", f"/mandates/{uid}/payloads", json=body)

            def sealed(number: int) -> None:
                seal(
                    bundle,
                    data_public=public,
                    store=store,
                    uid=uid,
                    month=months[number],
                    kind=Kind.VARIABLES,
                    sender=a.siren,
                )

            def floor(_: int) -> None:
                SUITE.encrypt(bundle, recipient, info=b"cae-hub-paie/1")

            timings = measure_together(
                {"full": full, "seal": sealed, "floor": floor}, repeat=REPEAT
            )
    full_t, floor_t = timings["full"], timings["floor"]
    print(f"HPKE encrypt alone (floor): {floor_t.describe()}")
    print(f"client side only (encrypt + hash + sign + base64): {timings['seal'].describe()}")
    print(f"encrypt + sign + upload + verify + store: {full_t.describe()}")
    value = full_t.median / floor_t.median
    verdict = "within" if value <= TARGET else "OVER"
    print(
        f"ratio to the floor: {ratio(full_t.median, floor_t.median)} ({verdict} target {TARGET}×)"
    )


if __name__ == "__main__":
    main()
