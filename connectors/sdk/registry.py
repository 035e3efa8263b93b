"""Connectors are found through the entry-point group ``cae_hub.connectors``.

A package declares its connector in its own metadata::

    [project.entry-points."cae_hub.connectors"]
    register = "cae_register:RegisterConnector"

Built-in and third-party connectors are found the same way. An unknown name, or a connector
that fails to load, gives a French message; it never breaks the other connectors.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from importlib.metadata import EntryPoint, distributions

from connectors.sdk.base import Connector
from connectors.sdk.errors import ConfigError, FatalSyncError

__all__ = ["GROUP", "available", "discover", "load"]

GROUP = "cae_hub.connectors"
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

_Declared = dict[str, list[tuple[str, EntryPoint]]]
# Reading every distribution's metadata takes tens of milliseconds; it is read again only when
# the import path or one of its folders changes (a package installed or removed), as imports do.
_cache: tuple[tuple[tuple[str, int | None], ...], _Declared] | None = None


def _path_state() -> tuple[tuple[str, int | None], ...]:
    state: list[tuple[str, int | None]] = []
    for entry in sys.path:
        try:
            state.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            state.append((entry, None))
    return tuple(state)


def _declared() -> _Declared:
    """Entry points of the group by name, with the distribution declaring each.

    The same distribution may be visible twice on ``sys.path`` (an editable install next to
    its source tree): only its first copy counts, as for imports.
    """
    global _cache
    state = _path_state()
    if _cache is None or _cache[0] != state:
        _cache = (state, _read_declared())
    return _cache[1]


def _read_declared() -> _Declared:
    seen: set[str] = set()
    by_name: _Declared = {}
    for distribution in distributions():
        dist_name = _normalize(distribution.metadata["Name"] or "")
        if dist_name in seen:
            continue
        seen.add(dist_name)
        for entry_point in distribution.entry_points:
            if entry_point.group == GROUP:
                by_name.setdefault(entry_point.name, []).append((dist_name, entry_point))
    return dict(sorted(by_name.items()))


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def available() -> dict[str, EntryPoint]:
    """Every declared connector name (not loaded), sorted, with its entry point."""
    return {name: declared[0][1] for name, declared in _declared().items()}


def load(name: str) -> type[Connector]:
    """The connector class declared under ``name``.

    ConfigError when no installed package declares ``name``; FatalSyncError, with the reason,
    when it is declared but cannot be loaded.
    """
    declared = _declared()
    if name not in declared:
        installed = ", ".join(declared) or "aucun"
        raise ConfigError(f"connecteur inconnu « {name} » ; connecteurs installés : {installed}")
    return _load(name, declared[name])


def discover() -> tuple[dict[str, type[Connector]], dict[str, str]]:
    """Load every declared connector: ``(loaded by name, broken name → French reason)``."""
    loaded: dict[str, type[Connector]] = {}
    broken: dict[str, str] = {}
    for name, declared in _declared().items():
        try:
            loaded[name] = _load(name, declared)
        except FatalSyncError as error:
            broken[name] = error.message
    return loaded, broken


def _load(name: str, declared: Iterable[tuple[str, EntryPoint]]) -> type[Connector]:
    candidates = list(declared)
    if len(candidates) > 1:
        packages = ", ".join(dist for dist, _ in candidates)
        raise FatalSyncError(
            f"le connecteur « {name} » est déclaré par plusieurs paquets ({packages}) : "
            "désinstallez celui qui ne sert pas"
        )
    dist_name, entry_point = candidates[0]
    try:
        loaded = entry_point.load()
    except Exception as error:  # any import-time failure of third-party code
        raise FatalSyncError(
            f"le connecteur « {name} » (paquet {dist_name}) ne se charge pas : "
            f"{type(error).__name__} : {error}",
            detail=f"{entry_point.value}",
        ) from error
    problem = _problem(name, loaded)
    if problem:
        raise FatalSyncError(
            f"le connecteur « {name} » (paquet {dist_name}) est inutilisable : {problem}",
            detail=entry_point.value,
        )
    connector: type[Connector] = loaded
    return connector


def _problem(name: str, loaded: object) -> str | None:
    """What makes a loaded object unusable as the connector ``name``, in French."""
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        return f"{loaded!r} n'est pas une classe de connecteur (Connector)"
    if getattr(loaded, "__abstractmethods__", None):
        missing = ", ".join(sorted(loaded.__abstractmethods__))
        return f"méthode(s) non définie(s) : {missing}"
    for attribute in ("name", "version", "title", "config_schema"):
        if not hasattr(loaded, attribute):
            return f"attribut « {attribute} » manquant"
    if loaded.name != name:
        return f"la classe se nomme « {loaded.name} » mais est déclarée sous « {name} »"
    if not isinstance(loaded.version, str) or not _VERSION.match(loaded.version):
        return f"version « {loaded.version} » invalide (MAJEUR.MINEUR.CORRECTIF attendu)"
    if not loaded.extractors:
        return "aucun extracteur déclaré (@extractor)"
    return None
