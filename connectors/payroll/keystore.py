"""The CAE's payroll keys in the sync client's data directory, and the fingerprints of its
partners' keys it has confirmed.

``cles-paie.json`` (mode 0600) holds the private keys: the ones in force and the previous
ones, kept after a rotation to open what was wrapped or sent for them. It never leaves this
machine. ``partenaires-paie.json`` holds, per partner SIREN, the fingerprints accepted: the
first one seen, or one confirmed with ``cae-hub cles confirmer`` after checking it with the
partner by telephone or in person. A key the hub shows that is not there is refused.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cae_contract.cli import fail
from cae_contract.payroll_keys import KeyPair, b64, from_b64
from cae_contract.periods import today

KEYS_FILE = "cles-paie.json"
PARTNERS_FILE = "partenaires-paie.json"


def _write_private(path: Path, content: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as output:
        json.dump(content, output, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _pair(entry: dict[str, Any]) -> KeyPair:
    return KeyPair.from_raw(from_b64(entry["encryption"]), from_b64(entry["signing"]))


@dataclass
class KeyStore:
    data_dir: Path
    current: KeyPair | None = None
    previous: list[KeyPair] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.data_dir / KEYS_FILE

    @classmethod
    def open(cls, data_dir: Path) -> KeyStore:
        store = cls(data_dir)
        if not store.path.exists():
            return store
        mode = store.path.stat().st_mode & 0o777
        if mode & 0o077:
            fail(
                f"{store.path} est lisible par d'autres comptes (droits {mode:o}) : "
                f"« chmod 600 {store.path} », puis recommencez"
            )
        try:
            content = json.loads(store.path.read_text(encoding="utf-8"))
            store.current = _pair(content["current"]) if content.get("current") else None
            store.previous = [_pair(e) for e in content.get("previous", [])]
        except (ValueError, KeyError, TypeError):
            fail(f"{store.path} est illisible : restaurez-le depuis votre sauvegarde")
        return store

    def generate(self, *, rotate: bool = False) -> KeyPair:
        if self.current is not None and not rotate:
            fail(
                "cette CAE a déjà ses clés de paie ; pour en changer : "
                "cae-hub cles generer --rotation"
            )
        if self.current is not None:
            self.previous.insert(0, self.current)
        self.current = KeyPair.generate()
        self.save()
        return self.current

    def save(self) -> None:
        def entry(pair: KeyPair) -> dict[str, str]:
            encryption, signing = pair.private_raw()
            return {
                "fingerprint": pair.fingerprint,
                "encryption": b64(encryption),
                "signing": b64(signing),
            }

        _write_private(
            self.path,
            {
                "format": "cae-hub-cles-paie/1",
                "current": entry(self.current) if self.current else None,
                "previous": [entry(p) for p in self.previous],
            },
        )

    def required(self) -> KeyPair:
        if self.current is None:
            fail("aucune clé de paie ici : cae-hub cles generer, puis cae-hub cles publier")
        return self.current

    def all(self) -> list[KeyPair]:
        return ([self.current] if self.current else []) + self.previous

    def by_fingerprint(self, fingerprint: str) -> KeyPair | None:
        return next((k for k in self.all() if k.fingerprint == fingerprint), None)


@dataclass
class Partners:
    """Fingerprints of the partners' keys this CAE accepts."""

    path: Path
    known: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def open(cls, data_dir: Path) -> Partners:
        path = data_dir / PARTNERS_FILE
        partners = cls(path)
        if path.exists():
            partners.known = json.loads(path.read_text(encoding="utf-8"))
        return partners

    def save(self) -> None:
        _write_private(self.path, self.known)

    def confirm(self, siren: str, fingerprint: str) -> None:
        accepted = self.known.setdefault(siren, [])
        if fingerprint not in accepted:
            accepted.append(fingerprint)
        self.save()

    def check(self, siren: str, fingerprint: str) -> bool:
        """Whether ``fingerprint`` is accepted for ``siren``; the first one seen is (and is
        remembered): compare it with the partner out of band."""
        accepted = self.known.get(siren)
        if accepted is None:
            self.known[siren] = [fingerprint]
            self.save()
            return True
        return fingerprint in accepted


def confirmation_hint(siren: str, fingerprint: str) -> str:
    return (
        f"les clés de la CAE {siren} ont changé (empreinte {fingerprint}) : vérifiez cette "
        f"empreinte avec elle, par téléphone ou de vive voix, puis "
        f"« cae-hub cles confirmer {siren} '{fingerprint}' » (date : {today():%d/%m/%Y})"
    )
