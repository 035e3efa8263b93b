"""End to end over a real socket: CAE A proposes a mandate, B accepts; A sends November's
variables, B decrypts them and returns payslips, the DSN and its receipt, A decrypts them.
Neither the hub's database, its log nor its audit trail holds a name, a NIR or an amount of
what travelled; a third CAE, the staff and the hub cannot decrypt; tampering is refused."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from cae_contract.payroll import Kind, Month
from cae_contract.payroll_keys import CannotDecrypt, KeyPair, from_b64, unwrap_data_key
from connectors.payroll.bundle import pack
from connectors.payroll.exchange import seal
from connectors.payroll.keystore import KeyStore
from hub.members.schemas import complete_siren
from tests.delegations.mandates import mandate_document
from tests.served import RunningHub, plain_session, register_member, start_hub

# What must never be readable outside the two CAEs.
SECRETS = [
    "Durand-Lefebvre",
    "Amandine",
    "285077512345678",
    "2 85 07 75 123 456 78",
    "3141,59",
    "Benkirane",
    "1790599351027",
    "2718,28",
]
VARIABLES = (
    "nom;prenom;nir;heures;chiffre_affaires\n"
    "Durand-Lefebvre;Amandine;285077512345678;151,67;3141,59\n"
    "Benkirane;Youssef;1790599351027;120;2718,28\n"
)
PAYSLIP = "Bulletin de paie novembre 2026\nSalariée : Amandine Durand-Lefebvre\nNet : 3141,59 €\n"
DSN = "S10.G00.00.001,'Logiciel'\nS21.G00.30.001,'2 85 07 75 123 456 78'\n"
DSN_RECEIPT = "<bilan><anomalies>0</anomalies><individu>Benkirane</individu></bilan>\n"


class Cae:
    def __init__(self, hub: RunningHub, http: requests.Session, admin: str, name: str) -> None:
        self.siren = complete_siren(f"{random.randrange(10**7, 10**8)}")
        self.token = register_member(hub, http, admin_token=admin, siren=self.siren, name=name)
        self.hub, self.http = hub, http
        self.folder = hub.workdir / name
        self.folder.mkdir()
        self.config = self.folder / "sync.toml"
        self.config.write_text(
            f'[hub]\nurl = "{hub.base_url}"\ntoken = "{self.token}"\n\n'
            '[connector]\nname = "spreadsheet"\n\n[sync]\ndata_dir = "donnees"\n',
            encoding="utf-8",
        )

    @property
    def data_dir(self) -> Path:
        return self.folder / "donnees"

    def cli(self, *args: str) -> str:
        done = self.hub.cli(*args[:2], "--config", str(self.config), *args[2:])
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def cli_fails(self, *args: str) -> str:
        done = self.hub.cli(*args[:2], "--config", str(self.config), *args[2:])
        assert done.returncode != 0, done.stdout
        return done.stderr

    def call(self, method: str, path: str, **options: Any) -> requests.Response:
        return self.http.request(
            method,
            f"{self.hub.base_url}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
            **options,
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningHub, str]]:
    with start_hub(tmp_path_factory.mktemp("hub")) as hub:
        yield hub, hub.admin_token()


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_month_of_payroll_travels_encrypted_end_to_end(
    served: tuple[RunningHub, str],
) -> None:
    hub, admin = served
    with plain_session() as http:
        a = Cae(hub, http, admin, "alterbative")
        b = Cae(hub, http, admin, "coopbat")
        c = Cae(hub, http, admin, "tierce")
        for cae in (a, b, c):
            generated = cae.cli("cles", "generer")
            assert "empreinte" in generated
            published = cae.cli("cles", "publier")
            fingerprint = cae.cli("cles", "empreinte").strip()
            assert fingerprint in published
        private = a.data_dir / "cles-paie.json"
        assert private.stat().st_mode & 0o777 == 0o600

        document = mandate_document(_member(a), _member(b))
        proposed = a.call("POST", "/v1/delegations/mandates", json=document)
        assert proposed.status_code == 201, proposed.text
        uid = proposed.json()["uid"]
        accepted = b.call("POST", f"/v1/delegations/mandates/{uid}/versions/1/accept")
        assert accepted.status_code == 200, accepted.text

        # A sends November's variables; B receives and decrypts them.
        _write(a.folder / "variables", "variables-2026-11.csv", VARIABLES)
        sent = a.cli(
            "paie",
            "envoyer",
            "--mandat",
            uid,
            "--mois",
            "2026-11",
            "--dossier",
            str(a.folder / "variables"),
        )
        assert "variables de paie de 2026-11 déposés chiffrés" in sent
        received = b.cli("paie", "recevoir", "--mandat", uid, "--dossier", str(b.folder / "recu"))
        assert f"reçus de la CAE {a.siren}" in received
        got = list((b.folder / "recu" / "2026-11").glob("variables-*/variables-2026-11.csv"))
        assert [p.read_text(encoding="utf-8") for p in got] == [VARIABLES]

        # B returns the payslips, the DSN and its receipt; A decrypts them.
        b.cli(
            "paie",
            "envoyer",
            "--mandat",
            uid,
            "--mois",
            "2026-11",
            "--nature",
            "bulletins",
            "--fichier",
            str(_write(b.folder / "sortie", "bulletins.txt", PAYSLIP)),
        )
        b.cli(
            "paie",
            "envoyer",
            "--mandat",
            uid,
            "--mois",
            "2026-11",
            "--nature",
            "dsn",
            "--fichier",
            str(_write(b.folder / "sortie", "dsn-2026-11.txt", DSN)),
        )
        b.cli(
            "paie",
            "envoyer",
            "--mandat",
            uid,
            "--mois",
            "2026-11",
            "--nature",
            "dsn_retour",
            "--verdict",
            "accepte",
            "--fichier",
            str(_write(b.folder / "sortie", "bilan.xml", DSN_RECEIPT)),
        )
        back = a.cli("paie", "recevoir", "--mandat", uid, "--dossier", str(a.folder / "retours"))
        assert back.count(f"reçus de la CAE {b.siren}") == 3
        month = a.folder / "retours" / "2026-11"
        assert next(month.glob("bulletins-*/bulletins.txt")).read_text(encoding="utf-8") == PAYSLIP
        assert next(month.glob("dsn-*/dsn-2026-11.txt")).read_text(encoding="utf-8") == DSN
        assert next(month.glob("dsn_retour-*/bilan.xml")).read_text(encoding="utf-8") == (
            DSN_RECEIPT
        )
        assert "rien de nouveau" in a.cli(
            "paie", "recevoir", "--mandat", uid, "--dossier", str(a.folder / "retours")
        )

        tasks = a.call("GET", f"/v1/delegations/mandates/{uid}/months/2026-11").json()["tasks"]
        assert {t["kind"]: t["status"] for t in tasks} == {
            "variables": "reçu",
            "bulletins": "reçu",
            "dsn": "déposé",
            "dsn_retour": "accepté",
        }

        # A third CAE, the staff: nothing to read.
        payloads = a.call("GET", f"/v1/delegations/mandates/{uid}/payloads").json()
        assert len(payloads) == 4
        first = payloads[0]["uid"]
        assert c.call("GET", f"/v1/delegations/payloads/{first}").status_code == 404
        assert c.call("GET", f"/v1/delegations/mandates/{uid}/data-key").status_code == 404
        staff = http.get(
            f"{hub.base_url}/v1/delegations/payloads/{first}",
            headers={"Authorization": f"Bearer {admin}"},
            timeout=30,
        )
        assert staff.status_code == 403
        # Even given every wrapping the hub holds, the third CAE's keys open none of them.
        wraps = a.call("GET", f"/v1/delegations/mandates/{uid}/data-key").json()["wraps"]
        third = KeyStore.open(c.data_dir).required()
        for wrap in wraps:
            with pytest.raises(CannotDecrypt):
                unwrap_data_key(from_b64(wrap["wrapped"]), third.encryption, uid)

        _tampering_is_refused(a, c, uid)

        # Nothing readable in the hub's database, its log, or its audit trail.
        stored = b"".join(
            p.read_bytes() for p in hub.database.parent.iterdir() if p.name.startswith("hub.")
        )
        log = hub.log.read_bytes()
        exported = hub.cli("audit", "verify")
        assert exported.returncode == 0, exported.stderr
        audit = json.dumps(_audit_events(hub)).encode()
        for secret in SECRETS:
            for blob, where in ((stored, "base"), (log, "journal"), (audit, "audit")):
                assert secret.encode() not in blob, f"{secret} trouvé dans {where}"
                assert base64.b64encode(secret.encode()) not in blob

        # The end: B's returns were all fetched, so the mandate's keys are destroyed at once.
        ended = a.call("POST", f"/v1/delegations/mandates/{uid}/end").json()
        assert ended["status"] == "ended"
        assert ended["shredded_at"] is not None
        assert a.call("GET", f"/v1/delegations/mandates/{uid}/data-key").status_code == 404
        gone = a.call("GET", f"/v1/delegations/payloads/{first}")
        assert gone.status_code == 409
        assert "purgé" in gone.json()["detail"]
        refused = a.cli_fails(
            "paie",
            "envoyer",
            "--mandat",
            uid,
            "--mois",
            "2026-12",
            "--dossier",
            str(a.folder / "variables"),
        )
        assert "terminé" in refused
        assert len(refused.strip().splitlines()) == 1


def _member(cae: Cae) -> Any:
    class Party:
        siren = cae.siren

    return Party()


def _audit_events(hub: RunningHub) -> list[dict[str, Any]]:
    import sqlite3

    with sqlite3.connect(hub.database) as connection:
        rows = connection.execute("SELECT kind, details FROM audit_event").fetchall()
    kinds = {row[0] for row in rows}
    assert {"mandate.proposed", "mandate.accepted", "payload.sent", "payload.acknowledged"} <= kinds
    return [{"kind": kind, "details": details} for kind, details in rows]


def _tampering_is_refused(a: Cae, c: Cae, uid: str) -> None:
    store = KeyStore.open(a.data_dir)
    data = a.call("GET", f"/v1/delegations/mandates/{uid}/data-key").json()
    body = seal(
        pack([_write(a.folder / "falsifie", "variables.csv", VARIABLES)]),
        data_public=from_b64(data["data_public"]),
        store=store,
        uid=uid,
        month=Month(2026, 12),
        kind=Kind.VARIABLES,
        sender=_siren_of(a),
    )
    altered = bytearray(from_b64(body["ciphertext"]))
    altered[-1] ^= 0x01
    tampered = dict(body, ciphertext=base64.b64encode(bytes(altered)).decode())
    answer = a.call("POST", f"/v1/delegations/mandates/{uid}/payloads", json=tampered)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith("Signature invalide")
    assert answer.json()["errors"][0]["path"] == "$.signature"

    # Signed with another CAE's key while claiming A's keys: refused the same way.
    other = KeyStore.open(c.data_dir).required()
    forged = dict(body, signature=base64.b64encode(other.sign(b"autre chose")).decode())
    answer = a.call("POST", f"/v1/delegations/mandates/{uid}/payloads", json=forged)
    assert answer.status_code == 422
    # A third CAE cannot send under the mandate at all.
    assert c.call("POST", f"/v1/delegations/mandates/{uid}/payloads", json=body).status_code == 404
    assert isinstance(other, KeyPair)


def _siren_of(cae: Cae) -> str:
    return cae.siren
