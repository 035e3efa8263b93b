"""Errors of the sync client, placed in the connectors' tree (``connectors.sdk.errors``).

The tree, as far as the sync client is concerned::

    ConnectorError                 message (French, for the user) + detail (for developers)
    ├── ConfigError                stop; the user fixes the configuration
    │   └── TokenRefused           the hub answered 401 to our token
    └── FatalSyncError             stop this run
        ├── HubUnreachable         no answer from the hub after every attempt
        ├── HubFailed              the hub kept failing (5xx, 429, 409 in progress) or
        │                          answered the unexpected
        └── SyncLocked             another run holds the data folder

A document the hub refuses (422, a final 409) is not an error: it is reported, and the run goes on.
"""

from __future__ import annotations

from connectors.sdk.errors import ConfigError, FatalSyncError


class TokenRefused(ConfigError):
    """The hub does not accept the configured token (401)."""


class HubUnreachable(FatalSyncError):
    """No connection to the hub could be made, even after retries."""


class HubFailed(FatalSyncError):
    """The hub answered, but not in a way the run can go on with."""


class SyncLocked(FatalSyncError):
    """Another sync run is using the same data folder."""


__all__ = ["HubFailed", "HubUnreachable", "SyncLocked", "TokenRefused"]
