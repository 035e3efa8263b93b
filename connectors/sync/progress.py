"""How a run shows what it is doing: a progress bar in a terminal, log lines elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import IO, TYPE_CHECKING, Protocol

from connectors.sync.report import DocumentOutcome

if TYPE_CHECKING:
    from rich.progress import TaskID


class Progress(Protocol):
    """What the runner tells about its work as it goes."""

    def note(self, message: str) -> None:
        """A step or an incident (« extraction », « nouvel essai dans 2 s »), in French."""

    def start(self, total: int) -> None:
        """Sending begins: ``total`` documents to go through."""

    def done(self, outcome: DocumentOutcome) -> None:
        """One document is through."""

    def finish(self) -> None:
        """The run is over (also after an error)."""


class Silent:
    """No output: for programs that only want the report."""

    def note(self, message: str) -> None:
        pass

    def start(self, total: int) -> None:
        pass

    def done(self, outcome: DocumentOutcome) -> None:
        pass

    def finish(self) -> None:
        pass


class LogLines:
    """One timestamped line per event: for cron, systemd's journal, files."""

    def __init__(self, stream: IO[str], *, timestamps: bool = True) -> None:
        self.stream = stream
        self.timestamps = timestamps
        self.total = 0
        self.count = 0

    def _write(self, text: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds") + " "
        self.stream.write(f"{stamp if self.timestamps else ''}{text}\n")
        self.stream.flush()

    def note(self, message: str) -> None:
        self._write(message)

    def start(self, total: int) -> None:
        self.total, self.count = total, 0
        self._write(f"{total} document(s) à traiter")

    def done(self, outcome: DocumentOutcome) -> None:
        self.count += 1
        self._write(f"[{self.count}/{self.total}] {outcome.line()}")

    def finish(self) -> None:
        pass


class Bar:
    """A rich progress bar, with events printed above it."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.console = Console(file=stream, highlight=False)
        self.bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.task: TaskID | None = None

    def note(self, message: str) -> None:
        self.console.print(message, markup=False)

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("envoi au hub", total=total)

    def done(self, outcome: DocumentOutcome) -> None:
        self.console.print(outcome.line(), markup=False)
        if self.task is not None:
            self.bar.advance(self.task)

    def finish(self) -> None:
        self.bar.stop()


def for_stream(stream: IO[str]) -> Progress:
    """A bar when ``stream`` is a terminal, log lines otherwise."""
    return Bar(stream) if stream.isatty() else LogLines(stream)
