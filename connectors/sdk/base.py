"""The connector base class: a small declarative class per source.

A connector says who it is (``name``, ``version``, ``title``), what configuration it takes
(``config_schema``, JSON Schema 2020-12), how to tell whether its source can be read
(``check()``), and which hub documents it produces, one method per document kind::

    class Register(Connector):
        name = "register"
        version = "1.0.0"
        title = "Registre des entrepreneurs"
        config_schema = {"type": "object", "required": ["file"],
                         "properties": {"file": {"type": "string"}}}

        def check(self) -> None:
            self.read()

        def read(self) -> Table:
            return read_table(self.path(self.config["file"]), [Column("entry", ("Entrée",))])

        @extractor("indicator-report")
        def indicator_report(self, period: Period) -> dict[str, Any]:
            people = []
            for row in self.read():
                try:
                    people.append(EntrepreneurRecord(row.source, row.as_date("entry")))
                except SkippableRecordError as error:
                    self.skip(error)
            return build_report(period, people)

``documents(periods)`` then yields one ``Document`` per period and extractor.
"""

from __future__ import annotations

import abc
import copy
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from cae_contract.messages import MessageContext
from cae_contract.periods import Period
from connectors.sdk.errors import ConfigError, FatalSyncError, SkippableRecordError
from connectors.sdk.values import normalize_label

__all__ = ["Connector", "Document", "Skipped", "extractor", "parse_periods"]

_MARK = "__cae_hub_extractor__"
Method = TypeVar("Method", bound=Callable[..., Any])


@dataclass(frozen=True)
class Document:
    """One hub document produced by a connector."""

    schema: str
    """Registry schema name, e.g. ``indicator-report``."""
    key: str
    """Stable identity, e.g. ``indicator-report/2026-S1``."""
    period: str
    """The period it describes, e.g. ``2026-S1``."""
    body: dict[str, Any]
    """What is sent to the hub, valid against ``schema``."""


@dataclass(frozen=True)
class Skipped:
    """A record the connector could not use. Never carries personal data."""

    source: str
    """Where it lies, e.g. ``userdatas.csv ligne 14``."""
    message: str
    """A French sentence that stands on its own (it may repeat the source)."""


def extractor(schema: str) -> Callable[[Method], Method]:
    """Declare a method ``(self, period: Period) -> dict | None`` as the producer of ``schema``
    documents. Returning None means: nothing to send for that period."""

    def mark(method: Method) -> Method:
        setattr(method, _MARK, schema)
        return method

    return mark


def parse_periods(periods: Iterable[str | Period]) -> list[Period]:
    """Periods from their written form, or ConfigError naming the one that is wrong."""
    parsed: list[Period] = []
    for period in periods:
        if isinstance(period, Period):
            parsed.append(period)
            continue
        try:
            parsed.append(Period.parse(period))
        except ValueError as error:
            raise ConfigError(str(error)) from None
    return parsed


class Connector(abc.ABC):
    """Base of every connector. Subclasses declare the class attributes below, implement
    ``check()`` and one ``@extractor`` method per kind of document."""

    name: ClassVar[str]
    """The entry-point name (``cae_hub.connectors`` group)."""
    version: ClassVar[str]
    """The connector's version, ``MAJOR.MINOR.PATCH``; sent to the hub with each document."""
    title: ClassVar[str]
    """French label shown to users."""
    config_schema: ClassVar[dict[str, Any]]
    """JSON Schema (draft 2020-12) of the configuration."""
    extractors: ClassVar[Mapping[str, str]] = {}
    """Schema name → method name, collected from ``@extractor`` methods."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # dir() sees each name once, as the most derived class defines it, so an override
        # without the decorator withdraws the extractor.
        found: dict[str, str] = {}
        for attribute in dir(cls):
            schema = getattr(inspect.getattr_static(cls, attribute), _MARK, None)
            if not isinstance(schema, str):
                continue
            if schema in found:
                raise TypeError(
                    f"{cls.__name__}: two extractors for {schema!r} "
                    f"({found[schema]} and {attribute})"
                )
            found[schema] = attribute
        cls.extractors = found

    def __init__(self, config: Mapping[str, Any], *, base_dir: Path | None = None) -> None:
        """Validate ``config`` against ``config_schema`` (ConfigError naming the field).
        Relative paths in the configuration resolve against ``base_dir`` (default: the
        current folder), usually the folder of the configuration file."""
        validate_config(type(self), config)
        self.config: dict[str, Any] = copy.deepcopy(dict(config))
        self.base_dir = (base_dir or Path.cwd()).resolve()
        self.skipped: list[Skipped] = []
        self.warnings: list[str] = []

    # -- what a connector implements ----------------------------------------------------------

    @abc.abstractmethod
    def check(self) -> None:
        """Whether the source can be read: return quietly, or raise ConfigError (the user
        must act) or FatalSyncError / RetriableSyncError, with a French message."""

    # -- what the runner calls ----------------------------------------------------------------

    def documents(self, periods: Iterable[str | Period]) -> Iterator[Document]:
        """Every document of every extractor for each period, in a stable order.

        ``skipped`` and ``warnings`` are emptied first, then filled as documents are made.
        """
        wanted = parse_periods(periods)
        self.skipped = []
        self.warnings = []
        for period in wanted:
            for schema, method_name in self.extractors.items():
                body = getattr(self, method_name)(period)
                if body is None:
                    continue
                if not isinstance(body, dict):
                    raise FatalSyncError(
                        f"le connecteur « {self.name} » a produit un document {schema} "
                        f"illisible pour {period}",
                        detail=f"{method_name} returned {type(body).__name__}",
                    )
                yield Document(schema, f"{schema}/{period}", str(period), body)

    # -- helpers for subclasses ----------------------------------------------------------------

    def path(self, text: str) -> Path:
        """A path of the configuration, relative ones taken from ``base_dir``."""
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def skip(self, error: SkippableRecordError, *, source: str | None = None) -> None:
        """Record an unusable record once, however many periods read it."""
        entry = Skipped(error.source or source or "", error.message)
        if entry not in self.skipped:
            self.skipped.append(entry)

    def warn(self, message: str) -> None:
        """Record a French remark about the data sent (once)."""
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def label(self) -> str:
        """``name/version``, as the hub records which connector sent a document."""
        return f"{self.name}/{self.version}"

    @classmethod
    def guide(cls) -> str | None:
        """The connector's guide for its users (French Markdown): the ``README.md`` shipped
        in the connector's package (declare it as package data), or None."""
        module = cls.__module__
        package = (
            module if hasattr(sys.modules.get(module), "__path__") else module.rpartition(".")[0]
        )
        try:
            resource = files(package or module).joinpath("README.md")
            return resource.read_text(encoding="utf-8") if resource.is_file() else None
        except (ModuleNotFoundError, OSError, UnicodeDecodeError):
            return None


def validate_config(connector: type[Connector], config: Any) -> None:
    """ConfigError naming every field of ``config`` its schema refuses, in French."""
    import jsonschema_rs

    name = getattr(connector, "name", connector.__name__)
    schema = getattr(connector, "config_schema", None)
    if not isinstance(schema, dict):
        raise FatalSyncError(
            f"le connecteur « {name} » ne déclare pas de schéma de configuration",
            detail=f"{connector.__qualname__}.config_schema is missing",
        )
    try:
        validator = jsonschema_rs.Draft202012Validator(schema)
    except (ValueError, jsonschema_rs.ValidationError) as error:
        raise FatalSyncError(
            f"le connecteur « {name} » déclare un schéma de configuration invalide",
            detail=str(error),
        ) from None
    if validator.is_valid(config):
        return
    items = MessageContext({}).errors(validator.iter_errors(config), schema)
    problems = " ; ".join(
        f"{_field(item.path)} : {item.message}{_allowed(schema, item.path, item.message)}"
        for item in items
    )
    raise ConfigError(f"configuration du connecteur « {name} » refusée : {problems}")


def _field(path: str) -> str:
    """``$.columns.sex`` → ``columns.sex``; the whole configuration is ``configuration``."""
    text = path.removeprefix("$").removeprefix(".")
    return text or "configuration"


def _allowed(schema: Mapping[str, Any], path: str, message: str) -> str:
    """For a field the schema does not admit: the fields it admits at that place (with their
    French title when the schema gives one), and the nearest one to what was written."""
    if not message.startswith("champ non admis"):
        return ""
    *parents, written = _field(path).split(".")
    node: Any = schema
    for part in parents:
        properties = node.get("properties", {}) if isinstance(node, Mapping) else {}
        node = properties.get(part, node.get("additionalProperties") if properties else None)
        if not isinstance(node, Mapping):
            return ""
    properties = node.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return ""
    from difflib import get_close_matches

    shown = []
    spelled: dict[str, str] = {}
    for key, sub in properties.items():
        title = sub.get("title") if isinstance(sub, Mapping) else None
        shown.append(f"{key} ({title})" if title else key)
        spelled[normalize_label(key)] = key
        if title:
            spelled.setdefault(normalize_label(title), key)
    near = get_close_matches(normalize_label(written), list(spelled), n=1, cutoff=0.6)
    hint = f" ; vouliez-vous dire « {spelled[near[0]]} » ?" if near else ""
    return f" (champs admis : {', '.join(shown)}){hint}"
