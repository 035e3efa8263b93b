"""The sync client's local state: one SQLite file in the CAE's data folder.

It remembers, per document key, the content hash the hub last acknowledged and the revision it
gave; every signed receipt the hub answered for an accepted document (the CAE's proof that
the hub recorded it, checkable with the hub's public key); and the schemas fetched from the
hub with their ETags. Each acknowledgement is committed
on its own, right after the hub's answer, so a run killed at any point loses at most the record
of the document in flight — which the next run sends again under the same idempotency key.

A lock file keeps two runs (the timer and a manual one) from working on the same folder at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from connectors.sdk.errors import ConfigError
from connectors.sync.errors import SyncLocked

STATE_FILE = "cae-hub-sync.sqlite3"
LOCK_FILE = "cae-hub-sync.lock"
SCHEMA_VERSION = 3

_DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sent (
    document_key TEXT PRIMARY KEY,
    schema TEXT NOT NULL,
    period TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    revision INTEGER NOT NULL,
    hub_content_hash TEXT,
    connector TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    breakdowns TEXT
);
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY,
    document_key TEXT NOT NULL,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (key_id, sequence)
);
CREATE TABLE IF NOT EXISTS schemas (
    address TEXT PRIMARY KEY,
    etag TEXT,
    body BLOB NOT NULL,
    fetched_at TEXT NOT NULL
);
"""
# What each version adds to the one before it, for a state made by an older client.
_UPGRADES = {2: ["ALTER TABLE sent ADD COLUMN breakdowns TEXT"], 3: []}  # 3: receipts
_ACK_COLUMNS = (
    "document_key, schema, period, content_hash, idempotency_key, revision, hub_content_hash, "
    "connector, acknowledged_at, breakdowns"
)


@dataclass(frozen=True)
class Acknowledgement:
    """What the hub last said it holds for one document."""

    document_key: str
    schema: str
    period: str
    content_hash: str
    idempotency_key: str
    revision: int
    hub_content_hash: str | None
    connector: str
    acknowledged_at: str
    # The breakdowns the acknowledged document was sent with (indicator reports only), as
    # the hub stores them: a new revision is checked against them before it is sent.
    breakdowns: dict[str, list[str]] | None = None

    @classmethod
    def of(cls, row: sqlite3.Row | tuple[Any, ...]) -> Acknowledgement:
        """An acknowledgement from a row of ``sent`` (columns in ``_ACK_COLUMNS`` order)."""
        key, schema, period, digest, idempotency_key, revision, hub_hash, connector, at, bd = row
        return cls(
            document_key=key,
            schema=schema,
            period=period,
            content_hash=digest,
            idempotency_key=idempotency_key,
            revision=int(revision),
            hub_content_hash=hub_hash,
            connector=connector,
            acknowledged_at=at,
            breakdowns=json.loads(bd) if bd else None,
        )


@dataclass(frozen=True)
class KeptReceipt:
    """A signed receipt the hub answered for one accepted document."""

    document_key: str
    period: str
    revision: int
    receipt: dict[str, Any]
    received_at: str


@dataclass(frozen=True)
class CachedSchema:
    address: str
    etag: str | None
    body: bytes


class SyncState:
    """The state file of one data folder, opened for one run (use as a context manager)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / STATE_FILE
        self._lock: IO[bytes] | None = None
        self._db: sqlite3.Connection | None = None
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._lock = self._acquire(self.data_dir / LOCK_FILE)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate(self._db)
        except PermissionError:
            raise ConfigError(
                f"sync.data_dir : pas le droit d'écrire dans {self.data_dir} ; choisissez un "
                "dossier accessible à l'utilisateur qui lance la synchronisation"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"sync.data_dir : l'état local {self.path} est illisible (fichier endommagé ?) ; "
                "déplacez-le, la prochaine synchronisation renverra tout",
                detail=str(exc),
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"sync.data_dir : dossier inutilisable : {self.data_dir} ({exc.strerror})"
            ) from None

    @staticmethod
    def _acquire(path: Path) -> IO[bytes]:
        handle = path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise SyncLocked(
                f"une autre synchronisation utilise déjà {path.parent} ; attendez qu'elle finisse"
            ) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        return handle

    def _migrate(self, db: sqlite3.Connection) -> None:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise ConfigError(
                f"sync.data_dir : l'état local {self.path} vient d'une version plus récente du "
                "client ; mettez cae-hub à jour"
            )
        if found < SCHEMA_VERSION:
            # One transaction: a kill here leaves no state or a whole one.
            db.execute("BEGIN IMMEDIATE")
            try:
                for version in range(found + 1, SCHEMA_VERSION + 1) if found else ():
                    for statement in _UPGRADES.get(version, []):
                        db.execute(statement)
                for statement in _DDL.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('state_id', ?)",
                    (uuid.uuid4().hex,),
                )
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._release()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("state closed")
        return self._db

    def _release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- documents ----------------------------------------------------------------------------

    @cached_property
    def state_id(self) -> str:
        """Random, drawn when the state is created: a new state never replays an old key."""
        return str(self.db.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone()[0])

    @property
    def owner(self) -> str | None:
        """The SIREN of the CAE whose sends this state records (None until the first run)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'member_siren'").fetchone()
        return str(row[0]) if row else None

    def claim(self, siren: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('member_siren', ?)", (siren,)
        )

    def acknowledged(self, document_key: str) -> Acknowledgement | None:
        row = self.db.execute(
            f"SELECT {_ACK_COLUMNS} FROM sent WHERE document_key = ?",  # noqa: S608 - constant
            (document_key,),
        ).fetchone()
        return Acknowledgement.of(row) if row else None

    def acknowledgements(self) -> list[Acknowledgement]:
        rows = self.db.execute(
            f"SELECT {_ACK_COLUMNS} FROM sent ORDER BY document_key"  # noqa: S608 - constant
        ).fetchall()
        return [Acknowledgement.of(row) for row in rows]

    def idempotency_key(self, document_key: str, content_hash: str) -> str:
        """The key of sending this content now; the same after a crash, new after any ack.

        It depends on the last acknowledged revision, so content A sent again after B (A → B →
        A) gets a new key and a new revision instead of a replay of the first A.
        """
        previous = self.acknowledged(document_key)
        base = f"{previous.revision}:{previous.content_hash}" if previous else "-"
        seed = "\n".join([self.state_id, document_key, content_hash, base])
        return "sync-" + hashlib.sha256(seed.encode()).hexdigest()[:48]

    def record(
        self, acknowledgement: Acknowledgement, *, receipt: Mapping[str, Any] | None = None
    ) -> None:
        """Remember the hub's acknowledgement and its receipt, committed together at once."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._acknowledge(acknowledgement)
            if receipt is not None:
                self._keep_receipt(acknowledgement, receipt)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _keep_receipt(self, a: Acknowledgement, receipt: Mapping[str, Any]) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO receipts (document_key, period, revision, key_id, sequence, "
            "body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                a.document_key,
                a.period,
                a.revision,
                str(receipt.get("key_id", "")),
                int(receipt.get("sequence", 0)),
                json.dumps(dict(receipt), sort_keys=True, ensure_ascii=False),
                a.acknowledged_at or now_text(),
            ),
        )

    def receipts(self, document_key: str | None = None) -> list[KeptReceipt]:
        """The receipts kept, oldest first (of one document when given)."""
        query = "SELECT document_key, period, revision, body, received_at FROM receipts"
        rows = (
            self.db.execute(query + " WHERE document_key = ? ORDER BY id", (document_key,))
            if document_key is not None
            else self.db.execute(query + " ORDER BY id")
        ).fetchall()
        return [KeptReceipt(r[0], r[1], int(r[2]), json.loads(r[3]), r[4]) for r in rows]

    def _acknowledge(self, acknowledgement: Acknowledgement) -> None:
        a = acknowledgement
        self.db.execute(
            f"INSERT INTO sent ({_ACK_COLUMNS}) "  # noqa: S608 - constant
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_key) DO UPDATE SET "
            "schema = excluded.schema, period = excluded.period, "
            "content_hash = excluded.content_hash, idempotency_key = excluded.idempotency_key, "
            "revision = excluded.revision, hub_content_hash = excluded.hub_content_hash, "
            "connector = excluded.connector, acknowledged_at = excluded.acknowledged_at, "
            "breakdowns = excluded.breakdowns",
            (
                a.document_key,
                a.schema,
                a.period,
                a.content_hash,
                a.idempotency_key,
                a.revision,
                a.hub_content_hash,
                a.connector,
                a.acknowledged_at or now_text(),
                json.dumps(a.breakdowns, sort_keys=True) if a.breakdowns is not None else None,
            ),
        )

    # -- schemas ------------------------------------------------------------------------------

    def cached_schema(self, address: str) -> CachedSchema | None:
        row = self.db.execute(
            "SELECT address, etag, body FROM schemas WHERE address = ?", (address,)
        ).fetchone()
        return CachedSchema(row[0], row[1], bytes(row[2])) if row else None

    def store_schema(self, address: str, etag: str | None, body: bytes) -> None:
        self.db.execute(
            "INSERT INTO schemas (address, etag, body, fetched_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (address) DO UPDATE SET etag = excluded.etag, body = excluded.body, "
            "fetched_at = excluded.fetched_at",
            (address, etag, body, now_text()),
        )


def now_text() -> str:
    """The current time, as the state stores it."""
    return datetime.now(UTC).isoformat(timespec="seconds")
