"""Errors a connector raises, named for what the runner does with them.

```
ConnectorError                  base: ``message`` (French, for the user), ``detail`` (developers)
 ├── ConfigError                stop and tell the user what to fix (configuration, missing file,
 │                              missing column, value without correspondence); never retried
 ├── FatalSyncError             stop this connector's run; the other connectors go on
 │    └── PersonalDataError     a document carries a personal field: it is never sent
 ├── RetriableSyncError         a passing failure (source busy, network): retry with backoff
 └── SkippableRecordError       one record cannot be used: report it and go on with the others
```

``str(error)`` is the user's message. ``detail`` holds what a developer needs (exception text,
raw values that are not personal) and is shown only in debug output. Neither may quote
personal data: messages name a file, a line and a column, never a person.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConfigError",
    "ConnectorError",
    "FatalSyncError",
    "PersonalDataError",
    "RetriableSyncError",
    "SkippableRecordError",
]


class ConnectorError(Exception):
    """Base of every error a connector raises on purpose."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ConfigError(ConnectorError):
    """The configuration or the source cannot work as given: stop, the user must act."""


class FatalSyncError(ConnectorError):
    """This run of the connector cannot go on; nothing of it is sent."""


class PersonalDataError(FatalSyncError):
    """A document carries personal data; ``paths`` lists where (JSON paths, never values)."""

    def __init__(
        self, message: str, *, paths: Sequence[str] = (), detail: str | None = None
    ) -> None:
        super().__init__(message, detail=detail)
        self.paths = tuple(paths)


class RetriableSyncError(ConnectorError):
    """A passing failure; ``retry_after`` (seconds) when the source says how long to wait."""

    def __init__(
        self, message: str, *, detail: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


class SkippableRecordError(ConnectorError):
    """One record cannot be used; ``source`` says which (« userdatas.csv ligne 14 »)."""

    def __init__(
        self, message: str, *, detail: str | None = None, source: str | None = None
    ) -> None:
        super().__init__(message, detail=detail)
        self.source = source
