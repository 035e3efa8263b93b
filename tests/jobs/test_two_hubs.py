"""Two real hub processes (``cae-hub serve``) on one PostgreSQL database, jobs enabled: each
slot of a job runs exactly once between them, and a restarted hub does not run a slot again."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.demo.server import stop_server
from hub.jobs.models import JobRun, RunOutcome
from tests.databases import fresh_database, postgres_url
from tests.served import RunningHub, start_hub

JOB = "purge-temp-files"
RAN = re.compile(rf"job ran .*job={JOB} .*slot=(\S+)")
TAKEN = re.compile(rf"job slot already taken .*job={JOB} .*slot=(\S+)")


def _workdir(root: Path, name: str) -> Path:
    """A hub's folder whose .env fires the job every second (settings read it at start)."""
    folder = root / name
    folder.mkdir()
    schedules = json.dumps({JOB: "* * * * * *"})
    (folder / ".env").write_text(
        f"HUB_JOB_SCHEDULES='{schedules}'\nHUB_TEMP_DIR={root / 'temporaire'}\n",
        encoding="utf-8",
    )
    return folder


def _slots(pattern: re.Pattern[str], hub: RunningHub) -> list[datetime]:
    text = hub.log.read_text(encoding="utf-8", errors="replace")
    return [datetime.fromisoformat(found) for found in pattern.findall(text)]


def _runs(engine: Engine) -> list[JobRun]:
    with Session(engine) as session:
        return list(session.exec(select(JobRun).where(JobRun.job == JOB)))


def _wait_for_runs(engine: Engine, count: int) -> None:
    for _ in range(120):
        if len(_runs(engine)) >= count:
            return
        time.sleep(0.5)
    pytest.fail(f"moins de {count} exécutions de {JOB} enregistrées")


def _wait_until_both_fired(first: RunningHub, second: RunningHub) -> None:
    """The second hub may start seconds after the first (a loaded machine): wait until each
    scheduler has fired and at least one slot was contended, rather than for a fixed count."""
    for _ in range(120):
        fired = all(_slots(RAN, hub) or _slots(TAKEN, hub) for hub in (first, second))
        if fired and (_slots(TAKEN, first) or _slots(TAKEN, second)):
            return
        time.sleep(0.5)
    pytest.fail(f"les deux hubs n'ont pas tous deux déclenché {JOB}")


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL injoignable")
def test_two_hubs_run_each_slot_once_and_a_restart_does_not_rerun(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        with (
            start_hub(_workdir(tmp_path, "premier"), database_url=url) as first,
            start_hub(_workdir(tmp_path, "second"), database_url=url) as second,
        ):
            _wait_for_runs(engine, 6)
            _wait_until_both_fired(first, second)
            stop_server(second.process)
            stop_server(first.process)

        runs = _runs(engine)
        assert all(run.outcome == RunOutcome.OK for run in runs), [r.message for r in runs]
        recorded = {run.slot for run in runs}
        ran = _slots(RAN, first) + _slots(RAN, second)
        # Every recorded slot ran in exactly one of the two processes, never in both.
        assert sorted(ran) == sorted(recorded)
        assert len(set(ran)) == len(ran)
        # Both schedulers fired, and each found slots the other had taken.
        for hub in (first, second):
            assert _slots(RAN, hub) or _slots(TAKEN, hub), hub.log_tail()
        assert _slots(TAKEN, first) + _slots(TAKEN, second), "no slot was contended"

        before = max(recorded)
        with start_hub(_workdir(tmp_path, "redemarre"), database_url=url) as restarted:
            _wait_for_runs(engine, len(runs) + 2)
            stop_server(restarted.process)
            again = _slots(RAN, restarted)
        assert again and min(again) > before
        assert len({run.slot for run in _runs(engine)}) == len(_runs(engine))
