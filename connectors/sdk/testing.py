"""The standard conformance suite every connector runs on itself.

In a test module, one line builds a pytest test class::

    TestRegister = connector_test_suite(RegisterConnector, config={...}, periods=["2025-S2"])

``config`` may also be the name of a pytest fixture that returns the configuration (when it
points at files the test writes). From the command line::

    cae-hub connectors test register --config register.toml --period 2025-S2

The checks: the connector's identity, its configuration schema is a valid JSON Schema, the
configuration is accepted, ``check()`` passes, documents are produced, they are valid against
the hub's schemas and (indicator reports) its consistency rules, two runs give identical
documents, and no document carries personal data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from cae_contract.consistency import cells_of, check_consistency, load_rules
from cae_contract.registry import UnknownSchema, get_registry
from connectors.sdk.base import Connector, Document
from connectors.sdk.errors import ConnectorError
from connectors.sdk.guard import personal_findings

__all__ = ["CHECKS", "CheckResult", "Conformance", "ConnectorConformance", "connector_test_suite"]

CHECKS: Mapping[str, str] = {
    "identity": "identité du connecteur (nom, version, titre, extracteurs)",
    "config_schema": "schéma de configuration conforme à JSON Schema 2020-12",
    "config": "configuration acceptée",
    "check": "check() : la source se lit",
    "documents": "documents produits pour les périodes demandées",
    "schemas": "documents valides selon les schémas du hub",
    "consistency": "règles de cohérence du hub respectées",
    "deterministic": "deux exécutions donnent des documents identiques",
    "personal_data": "aucune donnée personnelle dans les documents",
}
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        """One French line: ``[ok] label`` or ``[échec] label : first problem (+n)``."""
        if self.ok:
            return f"[ok] {self.label}"
        more = f" (et {len(self.problems) - 1} autre(s))" if len(self.problems) > 1 else ""
        return f"[échec] {self.label} : {self.problems[0]}{more}"


class _Unavailable(Exception):
    """A check cannot run because an earlier step failed; the message says which."""


class Conformance:
    """The checks for one connector, configuration and set of periods; each run of the
    connector is made once and shared by the checks that need it."""

    def __init__(
        self,
        connector: type[Connector],
        config: Mapping[str, Any],
        periods: Sequence[str],
        *,
        base_dir: Path | None = None,
    ) -> None:
        self.connector = connector
        self.config = config
        self.periods = list(periods)
        self.base_dir = base_dir
        self._instances: list[Connector] = []
        self._runs: list[list[Document] | ConnectorError] = []

    # -- running ------------------------------------------------------------------------------

    def results(self) -> list[CheckResult]:
        return [self.run(code) for code in CHECKS]

    def run(self, code: str) -> CheckResult:
        check: Callable[[], list[str]] = getattr(self, f"_check_{code}")
        try:
            problems = check()
        except _Unavailable as error:
            problems = [f"non vérifié : {error}"]
        except ConnectorError as error:
            problems = [error.message]
        except Exception as error:  # a connector's bug must show as a failed check
            problems = [f"erreur inattendue ({type(error).__name__} : {error})"]
        return CheckResult(code, CHECKS[code], tuple(problems))

    def instance(self) -> Connector:
        """A fresh connector on the configuration (ConfigError if refused)."""
        return self.connector(self.config, base_dir=self.base_dir)

    def documents(self, run: int = 0) -> list[Document]:
        """The documents of the first (0) or second (1) run."""
        while len(self._runs) <= run:
            instance = self.instance()
            self._instances.append(instance)
            try:
                self._runs.append(list(instance.documents(self.periods)))
            except ConnectorError as error:
                self._runs.append(error)
        outcome = self._runs[run]
        if isinstance(outcome, ConnectorError):
            raise _Unavailable(f"la production des documents a échoué ({outcome.message})")
        return outcome

    def notes(self) -> list[str]:
        """The first run's skipped records and warnings, in French."""
        try:
            self.documents()
        except _Unavailable:
            return []
        first = self._instances[0]
        lines = [f"enregistrement ignoré : {skipped.message}" for skipped in first.skipped]
        lines.extend(f"remarque : {warning}" for warning in first.warnings)
        return lines

    def _ready(self) -> list[Document]:
        try:
            self.instance()
        except ConnectorError as error:
            raise _Unavailable(f"configuration refusée ({error.message})") from None
        return self.documents()

    # -- the checks ---------------------------------------------------------------------------

    def _check_identity(self) -> list[str]:

        problems = []
        name = getattr(self.connector, "name", None)
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"nom « {name} » invalide (minuscules, chiffres, - ou _)")
        version = getattr(self.connector, "version", None)
        if not isinstance(version, str) or not _VERSION.match(version):
            problems.append(f"version « {version} » invalide (MAJEUR.MINEUR.CORRECTIF)")
        title = getattr(self.connector, "title", None)
        if not isinstance(title, str) or not title.strip():
            problems.append("titre (title) manquant")
        if not self.connector.extractors:
            problems.append("aucun extracteur déclaré (@extractor)")
        known = set(get_registry().names())
        problems.extend(
            f"l'extracteur {method} produit « {schema} », absent du registre des schémas"
            for schema, method in self.connector.extractors.items()
            if schema not in known
        )
        return problems

    def _check_config_schema(self) -> list[str]:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        schema = getattr(self.connector, "config_schema", None)
        if not isinstance(schema, dict):
            return ["config_schema manquant ou n'est pas un objet JSON"]
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            return [f"non conforme au méta-schéma 2020-12 : {error.message}"]
        if schema.get("type") != "object":
            return ["la configuration doit être décrite comme un objet (type: object)"]
        return []

    def _check_config(self) -> list[str]:
        self.instance()
        return []

    def _check_check(self) -> list[str]:
        try:
            instance = self.instance()
        except ConnectorError as error:
            raise _Unavailable(f"configuration refusée ({error.message})") from None
        instance.check()
        return []

    def _check_documents(self) -> list[str]:
        documents = self._ready()
        if not documents:
            return ["aucun document produit pour " + ", ".join(self.periods)]
        problems = []
        keys: set[str] = set()
        for document in documents:
            if document.key in keys:
                problems.append(f"clé « {document.key} » produite deux fois")
            keys.add(document.key)
            if document.period not in self.periods:
                problems.append(f"{document.key} : période {document.period} non demandée")
            if document.schema not in self.connector.extractors:
                problems.append(f"{document.key} : schéma « {document.schema} » non déclaré")
        return problems

    def _check_schemas(self) -> list[str]:

        registry = get_registry()
        problems = []
        for document in self._ready():
            try:
                errors = registry.validate(document.schema, "latest", document.body)
            except UnknownSchema:
                problems.append(f"{document.key} : schéma « {document.schema} » inconnu du hub")
                continue
            problems.extend(f"{document.key} : {e.path} : {e.message}" for e in errors)
        return problems

    def _check_consistency(self) -> list[str]:

        registry = get_registry()
        problems = []
        for document in self._ready():
            if document.schema != "indicator-report":
                continue
            if registry.validate(document.schema, "latest", document.body):
                problems.append(f"{document.key} : non vérifiable, le schéma le refuse")
                continue
            if document.body.get("period") != document.period:
                problems.append(
                    f"{document.key} : le rapport porte sur {document.body.get('period')}"
                )
            errors = check_consistency(cells_of(document.body), load_rules())
            problems.extend(f"{document.key} : {e.path} : {e.message}" for e in errors)
        return problems

    def _check_deterministic(self) -> list[str]:
        first, second = self._ready(), self.documents(1)
        if [_canonical(d) for d in first] == [_canonical(d) for d in second]:
            if self._instances[0].skipped != self._instances[1].skipped:
                return ["les enregistrements ignorés diffèrent d'une exécution à l'autre"]
            return []
        if [d.key for d in first] != [d.key for d in second]:
            return ["les documents ne sont pas les mêmes (ou pas dans le même ordre)"]
        return [
            f"{a.key} : contenu différent à la seconde exécution"
            for a, b in zip(first, second, strict=True)
            if _canonical(a) != _canonical(b)
        ]

    def _check_personal_data(self) -> list[str]:
        return [
            f"{document.key} : {path} ({kind})"
            for document in self._ready()
            for path, kind in personal_findings(document.body, schema=document.schema)
        ]


def _canonical(document: Document) -> str:
    return json.dumps(
        [document.schema, document.key, document.period, document.body],
        sort_keys=False,
        ensure_ascii=False,
    )


class ConnectorConformance:
    """Base of the generated pytest classes (not collected itself: no ``Test`` prefix)."""

    connector: ClassVar[type[Connector]]
    config: ClassVar[Mapping[str, Any] | str]
    periods: ClassVar[Sequence[str]]
    base_dir: ClassVar[Path | None] = None
    _shared: ClassVar[Conformance | None] = None

    @classmethod
    def _conformance(cls, request: Any) -> Conformance:
        if isinstance(cls.config, str):
            config = request.getfixturevalue(cls.config)
            return Conformance(cls.connector, config, cls.periods, base_dir=cls.base_dir)
        if cls._shared is None:
            cls._shared = Conformance(cls.connector, cls.config, cls.periods, base_dir=cls.base_dir)
        return cls._shared

    def _assert(self, request: Any, code: str) -> None:
        result = self._conformance(request).run(code)
        assert result.ok, f"{result.label} :\n  " + "\n  ".join(result.problems)

    def test_identity(self, request: Any) -> None:
        self._assert(request, "identity")

    def test_config_schema(self, request: Any) -> None:
        self._assert(request, "config_schema")

    def test_config(self, request: Any) -> None:
        self._assert(request, "config")

    def test_check(self, request: Any) -> None:
        self._assert(request, "check")

    def test_documents(self, request: Any) -> None:
        self._assert(request, "documents")

    def test_schemas(self, request: Any) -> None:
        self._assert(request, "schemas")

    def test_consistency(self, request: Any) -> None:
        self._assert(request, "consistency")

    def test_deterministic(self, request: Any) -> None:
        self._assert(request, "deterministic")

    def test_personal_data(self, request: Any) -> None:
        self._assert(request, "personal_data")


def connector_test_suite(
    connector: type[Connector],
    *,
    config: Mapping[str, Any] | str,
    periods: Sequence[str],
    base_dir: Path | None = None,
) -> type[ConnectorConformance]:
    """A pytest test class running every conformance check on ``connector``.

    ``config`` is the configuration, or the name of a fixture returning it; relative paths
    in it resolve against ``base_dir``.
    """
    return type(
        f"Test{connector.__name__}Conformance",
        (ConnectorConformance,),
        {
            "connector": connector,
            "config": config,
            "periods": tuple(periods),
            "base_dir": base_dir,
            "_shared": None,
        },
    )
