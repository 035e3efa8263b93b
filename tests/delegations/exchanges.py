"""Two CAEs exchanging through a test client with the real client code: keys made, published,
payloads sealed and signed exactly as ``cae-hub paie`` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cae_contract.payroll import Kind, Month
from cae_contract.payroll_keys import b64
from connectors.payroll.client import PayrollHub
from connectors.payroll.exchange import receive, send
from connectors.payroll.keystore import KeyStore, Partners


class Side:
    """One CAE's client: its keys in ``folder``, its token, the test client as transport."""

    def __init__(self, client: TestClient, token: str, folder: Path) -> None:
        self.folder = folder
        self.hub = PayrollHub("http://testserver", token, timeout=None, session=client)  # type: ignore[arg-type]
        self.store = KeyStore.open(folder)
        self.store.generate()
        self.partners = Partners.open(folder)
        pair = self.store.required()
        self.hub.call(
            "PUT",
            "/keys",
            json={
                "encryption_public": b64(pair.encryption_public),
                "signing_public": b64(pair.signing_public),
            },
        )

    def send(self, uid: str, month: str, kind: Kind, text: str, **options: Any) -> dict[str, Any]:
        path = self.folder / f"{kind.value}-{month}.txt"
        path.write_text(text, encoding="utf-8")
        return send(
            self.hub,
            self.store,
            self.partners,
            uid=uid,
            month=Month.parse(month),
            kind=kind,
            files=[path],
            **options,
        )

    def receive(self, uid: str) -> list[str]:
        got = receive(self.hub, self.store, self.partners, uid=uid, target=self.folder / "recu")
        return [p.read_text(encoding="utf-8") for _, written in got for p in written]
