"""Which version of a schema a document may be written against, and for how long.

A document names the version it was written against (the sync client sends it with every
report). Any published version of the current major is accepted as it is: a minor version
only adds what an older client may ignore, and accepts every document of the minor before it
(the registry checks it). The previous major stays accepted during a deprecation period that
starts on the day the current major was published (``x-published`` in its first file) and
lasts a number of days the hub sets; its documents are brought to the current form by the
converters of ``cae_contract.upcasts``. Anything older, or unknown, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cae_contract.format import fr_date
from cae_contract.registry import SchemaRegistry, version_key

SCHEMA_VERSION_HEADER = "X-Cae-Hub-Schema-Version"
"""The header with which a client names the version its document was written against."""
SCHEMA_VERSION_FIELD = "header.x-cae-hub-schema-version"
"""The same header, as a refusal names it."""
PUBLISHED_ON = "x-published"
"""Annotation of the first file of a new major: the day it was published (AAAA-MM-JJ)."""


class VersionRefused(ValueError):
    """The version a document names is not accepted; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class Acceptance:
    """How a document written against ``received`` is taken: validated against it, stored
    as ``current``; ``sunset`` is set while its major is deprecated."""

    name: str
    received: str
    current: str
    deprecated_since: date | None = None
    sunset: date | None = None

    @property
    def received_major(self) -> int:
        return version_key(self.received)[0]

    @property
    def current_major(self) -> int:
        return version_key(self.current)[0]

    @property
    def upcast(self) -> bool:
        return self.received_major < self.current_major

    def warning(self) -> str | None:
        """The French sentence a client shows while its major is deprecated."""
        if self.sunset is None:
            return None
        return (
            f"la version {self.received_major} du schéma « {self.name} » est dépréciée depuis "
            f"le {fr_date(self.deprecated_since)} ; le hub la refusera après le "
            f"{fr_date(self.sunset)} : mettez à jour cae-hub (version {self.current})"
        )


@dataclass(frozen=True, slots=True)
class MajorStatus:
    """One accepted major of a schema, as ``/v1/schemas`` shows it."""

    major: int
    versions: list[str]
    deprecated_since: date | None
    sunset: date | None


def published_on(registry: SchemaRegistry, name: str, major: int) -> date | None:
    """The day the first version of ``major`` was published, when its file says it."""
    versions = [v for v in registry.versions(name) if version_key(v)[0] == major]
    if not versions:
        return None
    written = registry.get(name, versions[0]).document.get(PUBLISHED_ON)
    try:
        return date.fromisoformat(str(written)) if written else None
    except ValueError:
        return None


def accepted_majors(
    registry: SchemaRegistry, name: str, *, today: date, deprecation_days: int
) -> list[MajorStatus]:
    """The current major and, while its deprecation lasts, the previous one."""
    current = version_key(registry.latest(name).version)[0]
    by_major: dict[int, list[str]] = {}
    for version in registry.versions(name):
        by_major.setdefault(version_key(version)[0], []).append(version)
    found = [MajorStatus(current, by_major[current], None, None)]
    since = published_on(registry, name, current)
    if current - 1 in by_major and since is not None:
        sunset = since + timedelta(days=deprecation_days)
        if today <= sunset:
            found.append(MajorStatus(current - 1, by_major[current - 1], since, sunset))
    return found


def accept(
    registry: SchemaRegistry,
    name: str,
    received: str | None,
    *,
    today: date,
    deprecation_days: int,
) -> Acceptance:
    """How a document of ``name`` written against ``received`` (None: the current version)
    is taken, or ``VersionRefused``."""
    current = registry.latest(name).version
    if received is None or received == current:
        return Acceptance(name, current, current)
    known = registry.versions(name)
    majors = accepted_majors(registry, name, today=today, deprecation_days=deprecation_days)
    accepted = [v for status in majors for v in status.versions]
    if received not in known:
        raise VersionRefused(
            f"le hub ne connaît pas la version {received} du schéma « {name} » "
            f"(versions acceptées : {', '.join(accepted)})"
        )
    major = version_key(received)[0]
    for status in majors:
        if status.major == major:
            return Acceptance(name, received, current, status.deprecated_since, status.sunset)
    since = published_on(registry, name, version_key(current)[0])
    sunset = since + timedelta(days=deprecation_days) if since is not None else None
    when = (
        f" depuis le {fr_date(sunset)}"
        if sunset is not None and major == majors[0].major - 1
        else ""
    )
    raise VersionRefused(
        f"la version {received} du schéma « {name} » n'est plus acceptée{when} : mettez à "
        f"jour cae-hub (versions acceptées : {', '.join(accepted)})"
    )
