"""The local state file: acknowledgements, idempotency keys, the lock, damaged files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from connectors.sdk.errors import ConfigError
from connectors.sync.errors import SyncLocked
from connectors.sync.state import SCHEMA_VERSION, STATE_FILE, Acknowledgement, SyncState


def _ack(key: str, content: str, revision: int, idempotency_key: str) -> Acknowledgement:
    return Acknowledgement(
        document_key=key,
        schema="indicator-report",
        period=key.rsplit("/", 1)[1],
        content_hash=content,
        idempotency_key=idempotency_key,
        revision=revision,
        hub_content_hash=None,
        connector="jsonreports/1.2.0",
        acknowledged_at="2026-01-01T02:00:00+00:00",
    )


def test_idempotency_keys_survive_a_restart_and_change_after_each_acknowledgement(
    tmp_path: Path,
) -> None:
    key = "indicator-report/2025-S1"
    with SyncState(tmp_path) as state:
        first = state.idempotency_key(key, "hash-a")
        assert first == state.idempotency_key(key, "hash-a")
        assert first != state.idempotency_key(key, "hash-b")
        assert len(first) <= 100  # the hub's header limit
    with SyncState(tmp_path) as state:  # a new run after a crash: same key, replayed by the hub
        assert state.idempotency_key(key, "hash-a") == first
        state.record(_ack(key, "hash-a", 1, first))
        after_a = state.idempotency_key(key, "hash-b")
        state.record(_ack(key, "hash-b", 2, after_a))
        # Content A again after B is a new revision, so a new key.
        assert state.idempotency_key(key, "hash-a") not in {first, after_a}
        assert [a.revision for a in state.acknowledgements()] == [2]
    with SyncState(tmp_path / "fresh") as fresh:  # a lost state never replays old keys
        assert fresh.idempotency_key(key, "hash-a") != first


def test_one_run_at_a_time_per_data_folder(tmp_path: Path) -> None:
    with (
        SyncState(tmp_path),
        pytest.raises(SyncLocked, match="une autre synchronisation utilise déjà"),
    ):
        SyncState(tmp_path)
    with SyncState(tmp_path) as again:
        assert again.acknowledgements() == []


def test_a_damaged_state_file_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_bytes(b"ceci n'est pas une base SQLite" * 200)
    with pytest.raises(ConfigError, match=r"est illisible .* déplacez-le"):
        SyncState(tmp_path)
    (tmp_path / STATE_FILE).unlink()
    SyncState(tmp_path).close()  # the failed opening released its lock


def test_a_state_from_a_newer_client_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / STATE_FILE) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="version plus récente du client"):
        SyncState(tmp_path)


def test_a_data_folder_that_cannot_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "fichier").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sync\.data_dir : dossier inutilisable"):
        SyncState(tmp_path / "fichier" / "etat")


def test_acknowledged_breakdowns_are_kept(tmp_path: Path) -> None:
    key = "indicator-report/2025-S1"
    breakdowns = {"entrepreneurs": ["", "contract"], "revenue_eur": [""]}
    with SyncState(tmp_path) as state:
        ack = _ack(key, "hash-a", 1, "sync-a")
        state.record(Acknowledgement(**{**ack.__dict__, "breakdowns": breakdowns}))
    with SyncState(tmp_path) as state:
        found = state.acknowledged(key)
        assert found is not None and found.breakdowns == breakdowns


def test_a_state_of_the_previous_version_is_upgraded_in_place(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / STATE_FILE) as db:
        db.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE sent (
                document_key TEXT PRIMARY KEY, schema TEXT NOT NULL, period TEXT NOT NULL,
                content_hash TEXT NOT NULL, idempotency_key TEXT NOT NULL,
                revision INTEGER NOT NULL, hub_content_hash TEXT, connector TEXT NOT NULL,
                acknowledged_at TEXT NOT NULL
            );
            CREATE TABLE schemas (address TEXT PRIMARY KEY, etag TEXT, body BLOB NOT NULL,
                fetched_at TEXT NOT NULL);
            INSERT INTO meta VALUES ('state_id', 'ancien');
            INSERT INTO sent VALUES ('indicator-report/2025-S1', 'indicator-report', '2025-S1',
                'hash-a', 'sync-a', 3, 'hub-a', 'jsonreports/1.2.0', '2026-01-01T02:00:00+00:00');
            PRAGMA user_version = 1;
            """
        )
    with SyncState(tmp_path) as state:
        assert state.state_id == "ancien"
        [ack] = state.acknowledgements()
        assert (ack.revision, ack.hub_content_hash, ack.breakdowns) == (3, "hub-a", None)
        state.record(Acknowledgement(**{**ack.__dict__, "breakdowns": {"entrepreneurs": [""]}}))
        assert state.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
