"""The public surface of ``connectors.sync`` and the two ways a run shows its progress."""

from __future__ import annotations

import io
import os
import select
from datetime import UTC, datetime

import connectors.sync
from connectors.sync.progress import Bar, LogLines, for_stream
from connectors.sync.report import DocumentOutcome, Status, SyncReport


def test_public_names_are_pinned_and_resolve() -> None:
    assert connectors.sync.__all__ == [
        "DocumentOutcome",
        "HubClient",
        "HubFailed",
        "HubUnreachable",
        "RetryPolicy",
        "Status",
        "SyncConfig",
        "SyncLocked",
        "SyncReport",
        "TokenRefused",
        "content_hash",
        "default_periods",
        "load_config",
        "parse_config",
        "run_sync",
    ]
    for name in connectors.sync.__all__:
        assert getattr(connectors.sync, name).__name__ == name


ACCEPTED = DocumentOutcome(
    "indicator-report/2025-S1", "indicator-report", "2025-S1", Status.ACCEPTED, revision=4
)


def test_log_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = for_stream(stream)
    assert isinstance(progress, LogLines)
    progress.note("extraction des périodes 2025-S1")
    progress.start(1)
    progress.done(ACCEPTED)
    lines = stream.getvalue().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "extraction des périodes 2025-S1",
        "1 document(s) à traiter",
        "[1/1] indicator-report/2025-S1 : accepté (révision 4)",
    ]
    assert datetime.fromisoformat(lines[0].split(" ", 1)[0]).tzinfo is not None


def _drain(fd: int) -> bytes:
    """Everything written to the terminal so far: a pty hands it over in several pieces."""
    chunks = []
    while select.select([fd], [], [], 0.5)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_progress_bar_in_a_terminal() -> None:
    main, secondary = os.openpty()
    with os.fdopen(secondary, "w", encoding="utf-8") as terminal:
        progress = for_stream(terminal)
        assert isinstance(progress, Bar)
        progress.start(1)
        progress.done(ACCEPTED)
        progress.finish()
        terminal.flush()
        shown = _drain(main).decode("utf-8", errors="replace")
    os.close(main)
    assert "indicator-report/2025-S1 : accepté (révision 4)" in shown
    assert "envoi au hub" in shown


def test_the_report_in_french() -> None:
    report = SyncReport(
        hub_url="https://hub.cae-hub.fr",
        connector="endi/1.0.0",
        periods=["2024-S2", "2025-S1"],
        dry_run=False,
        started_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
        outcomes=[
            DocumentOutcome(
                "indicator-report/2024-S2",
                "indicator-report",
                "2024-S2",
                Status.UP_TO_DATE,
                revision=2,
            ),
            ACCEPTED,
        ],
    )
    assert report.render() == (
        "Synchronisation — hub https://hub.cae-hub.fr, connecteur endi/1.0.0, "
        "périodes 2024-S2, 2025-S1\n"
        "  « indicator-report/2024-S2 » désigne le rapport d'indicateurs de la période 2024-S2 "
        "(S1 : janvier à juin, S2 : juillet à décembre)\n"
        "  acceptés : 1\n"
        "    - indicator-report/2025-S1 (révision 4)\n"
        "  inchangés : 1\n"
        "    - indicator-report/2024-S2 (révision 2, non renvoyé)\n"
        "  refusés : 0\n"
        "tout est à jour sur le hub"
    )
    assert report.ok
    assert report.as_dict()["documents"][1]["status"] == "accepted"
