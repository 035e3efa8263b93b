"""The first jobs: purge of sessions and login counters, purge of temporary files."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.db import utcnow
from hub.jobs.files import purge_old_files
from hub.members.tasks import purge_sessions
from hub.web.models import LoginThrottle, WebSession
from tests.databases import settings_for
from tests.factories import create_staff


def test_purge_sessions_forgets_expired_sessions_and_old_counters(
    session: Session, engine: Engine
) -> None:
    settings = settings_for(engine.url.render_as_string(hide_password=False))
    now = utcnow()
    staff = create_staff(session)
    expired = WebSession(id_hash="a" * 64, staff_id=staff.id, expires_at=now - timedelta(hours=1))
    alive = WebSession(id_hash="b" * 64, staff_id=staff.id, expires_at=now + timedelta(hours=1))
    window = timedelta(seconds=settings.login_failure_window_s)
    stale = LoginThrottle(key_hash="c" * 64, attempts=3, window_start=now - 2 * window)
    fresh = LoginThrottle(key_hash="d" * 64, attempts=1, window_start=now)
    session.add_all([expired, alive, stale, fresh])
    session.flush()

    outcome = purge_sessions(session, now, settings)

    hashes = set(session.exec(select(WebSession.id_hash)))
    keys = set(session.exec(select(LoginThrottle.key_hash)))
    assert "a" * 64 not in hashes and "b" * 64 in hashes
    assert "c" * 64 not in keys and "d" * 64 in keys
    assert outcome.startswith("1 session expirée, ")
    assert "compteur" in outcome


def test_purge_old_files_keeps_recent_ones_and_removes_old_empty_folders(tmp_path: Path) -> None:
    exports, empty = tmp_path / "exports" / "2026-06", tmp_path / "vide"
    exports.mkdir(parents=True)
    empty.mkdir()
    old, recent = exports / "audit.zip", tmp_path / "recent.csv"
    old.write_bytes(b"x")
    recent.write_bytes(b"y")
    month_ago = time.time() - 30 * 86400
    for path in (old, empty):
        os.utime(path, (month_ago, month_ago))

    removed = purge_old_files(tmp_path, utcnow() - timedelta(days=7))

    assert removed == 1
    assert not old.exists() and recent.exists()
    assert not empty.exists()
    assert exports.exists()  # just emptied: its turn comes when it is old itself
    assert purge_old_files(tmp_path / "absent", utcnow()) == 0
