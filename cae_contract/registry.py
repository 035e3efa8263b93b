"""The registry of published schemas: loading, validation, code lists and self-checks.

Schemas live in files, ``schemas/<name>/<MAJOR.MINOR.PATCH>.json``; ``schemas/manifest.json``
pins the SHA-256 of every published file so that a published version can never change.
Documents are validated by jsonschema-rs (compiled once per version and cached): it is fast
enough for 10,000-cell reports and computes ``multipleOf`` exactly in decimal, as JSON numbers
are written. The Python ``jsonschema`` package checks the schemas themselves against the
meta-schema.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import referencing
import referencing.exceptions
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing.jsonschema import DRAFT202012

from cae_contract.messages import MessageContext
from cae_contract.problems import ErrorItem
from cae_contract.refs import BASE_URI, schema_refs
from cae_contract.upcasts import CONVERTERS, upcast

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
"""The published schemas, shipped with the package (the top-level ``schemas/`` folder)."""
MANIFEST = "manifest.json"
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def etag_for(schemas: Iterator[PublishedSchema] | list[PublishedSchema]) -> str:
    """A strong ETag for a view built from these published files."""
    joined = ",".join(f"{s.relative_path}:{s.sha256}" for s in schemas)
    return f'"{content_hash(joined.encode())[:32]}"'


class UnknownSchema(LookupError):
    """A schema name or version the registry does not hold; the message says which, in
    French."""


@dataclass(frozen=True)
class PublishedSchema:
    """One published file of the registry."""

    name: str
    version: str
    raw: bytes
    document: dict[str, Any] = field(repr=False)

    @property
    def uri(self) -> str:
        return f"{BASE_URI}{self.name}/{self.version}.json"

    @property
    def sha256(self) -> str:
        return content_hash(self.raw)

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'

    @property
    def title(self) -> str:
        return str(self.document.get("title", self.name))

    @property
    def description(self) -> str:
        return str(self.document.get("description", ""))

    @property
    def relative_path(self) -> str:
        return f"{self.name}/{self.version}.json"


@dataclass(frozen=True)
class Examples:
    valid: list[Any]
    invalid: list[Any]


class SchemaRegistry:
    """Every schema found under one folder, addressable by name and version."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._schemas: dict[str, dict[str, PublishedSchema]] = {}
        self.load_problems: list[str] = []
        for path in sorted(root.glob("*/*.json")):
            name, version = path.parent.name, path.stem
            if not _NAME.match(name) or not _VERSION.match(version):
                self.load_problems.append(f"{path.relative_to(root)} : nom ou version invalide")
                continue
            raw = path.read_bytes()
            try:
                document = json.loads(raw)
            except ValueError as exc:
                self.load_problems.append(f"{path.relative_to(root)} : JSON illisible ({exc})")
                continue
            self._schemas.setdefault(name, {})[version] = PublishedSchema(
                name, version, raw, document
            )

    # -- lookup -------------------------------------------------------------------------------

    def names(self) -> list[str]:
        return sorted(self._schemas)

    def versions(self, name: str) -> list[str]:
        if name not in self._schemas:
            raise UnknownSchema(f"Aucun schéma nommé « {name} » dans le registre.")
        return sorted(self._schemas[name], key=version_key)

    def latest(self, name: str) -> PublishedSchema:
        newest = self.versions(name)[-1]
        return self._schemas[name][newest]

    def get(self, name: str, version: str) -> PublishedSchema:
        if version == "latest":
            return self.latest(name)
        versions = self._schemas.get(name)
        if versions is None:
            raise UnknownSchema(f"Aucun schéma nommé « {name} » dans le registre.")
        if version not in versions:
            raise UnknownSchema(f"Le schéma « {name} » n'a pas de version {version}.")
        return versions[version]

    def all(self) -> Iterator[PublishedSchema]:
        for name in self.names():
            for version in self.versions(name):
                yield self._schemas[name][version]

    # -- validation ---------------------------------------------------------------------------

    @cached_property
    def resources(self) -> referencing.Registry[Any]:
        resources = [
            (schema.uri, DRAFT202012.create_resource(schema.document)) for schema in self.all()
        ]
        return referencing.Registry().with_resources(resources).crawl()

    @cached_property
    def _compiled_registry(self) -> jsonschema_rs.Registry:
        # A schema whose references do not resolve is left out (``check`` reports it).
        sound = [s for s in self.all() if not any(self._unresolved_refs(s))]
        return jsonschema_rs.Registry([(s.uri, s.document) for s in sound])

    @cached_property
    def _quick_registry(self) -> jsonschema_rs.Registry:
        """The schemas of ``_compiled_registry`` with each code list as an ``enum``
        (:func:`quick_form`): the same documents valid, checked in less time."""
        sound = [s for s in self.all() if not any(self._unresolved_refs(s))]
        return jsonschema_rs.Registry([(s.uri, quick_form(s.document)) for s in sound])

    @lru_cache(maxsize=256)  # noqa: B019 - the registry lives as long as the process
    def quick_validator(self, name: str, version: str) -> jsonschema_rs.Draft202012Validator:
        """A validator of one version that tells whether a document is valid, as
        :meth:`validator` does, in less time (code lists as ``enum``); the errors of an
        invalid document are still those of :meth:`validator`."""
        schema = self.get(name, version)
        return jsonschema_rs.Draft202012Validator(
            quick_form(schema.document),
            registry=self._quick_registry,
            base_uri=schema.uri,
            validate_formats=True,
        )

    @cached_property
    def _messages(self) -> MessageContext:
        lists: dict[frozenset[str], str] = {}
        for schema in self.all():
            branches = schema.document.get("anyOf")
            if (
                isinstance(branches, list)
                and branches
                and all(isinstance(b, dict) and "const" in b for b in branches)
            ):
                lists[frozenset(str(b["const"]) for b in branches)] = schema.title
        return MessageContext(lists)

    def validator(self, name: str, version: str) -> jsonschema_rs.Draft202012Validator:
        """The compiled validator of one version, built once."""
        schema = self.get(name, version)
        return self._validator(schema.name, schema.version)

    @lru_cache(maxsize=256)  # noqa: B019 - the registry lives as long as the process
    def _validator(self, name: str, version: str) -> jsonschema_rs.Draft202012Validator:
        schema = self._schemas[name][version]
        return jsonschema_rs.Draft202012Validator(
            schema.document,
            registry=self._compiled_registry,
            base_uri=schema.uri,
            validate_formats=True,
        )

    def validate(self, name: str, version: str, document: Any) -> list[ErrorItem]:
        """Every error of ``document`` against one version, with JSON paths and French messages."""
        if self.quick_validator(name, version).is_valid(document):
            return []
        validator = self.validator(name, version)
        root = self.get(name, version).document
        return self._messages.errors(validator.iter_errors(document), root)

    def code_list(self, name: str, *, version: str = "latest") -> dict[str, str]:
        """``{code: French label}`` of a code-list schema (an ``anyOf`` of labelled ``const``)."""
        document = self.get(name, version).document
        return {str(b["const"]): str(b.get("title", b["const"])) for b in document["anyOf"]}

    def code_annotations(self, name: str, *, version: str = "latest") -> dict[str, dict[str, Any]]:
        """Every branch of a code list, with its annotations (``x-region``, ``x-kind``…)."""
        document = self.get(name, version).document
        return {str(b["const"]): dict(b) for b in document["anyOf"]}

    # -- examples and manifest ----------------------------------------------------------------

    def examples(self, name: str, version: str) -> Examples | None:
        path = self.root / name / "examples" / f"{version}.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return Examples(
            valid=list(data.get("valid", [])),
            invalid=[item["document"] for item in data.get("invalid", [])],
        )

    def manifest(self) -> dict[str, str]:
        path = self.root / MANIFEST
        if not path.exists():
            return {}
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def pin(self) -> list[str]:
        """Add every unpinned file to the manifest; never change a pinned hash.

        Returns the files added. Raises ``ValueError`` if a pinned file has changed.
        """
        manifest = self.manifest()
        changed = [
            s.relative_path
            for s in self.all()
            if s.relative_path in manifest and manifest[s.relative_path] != s.sha256
        ]
        if changed:
            raise ValueError(
                "version(s) déjà publiée(s) modifiée(s) : "
                + ", ".join(changed)
                + " ; publiez une nouvelle version au lieu de modifier celle-ci"
            )
        added = [s.relative_path for s in self.all() if s.relative_path not in manifest]
        for schema in self.all():
            manifest[schema.relative_path] = schema.sha256
        text = json.dumps(dict(sorted(manifest.items())), indent=2, ensure_ascii=False)
        (self.root / MANIFEST).write_text(text + "\n", encoding="utf-8")
        return added

    # -- self-check ---------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Every problem of the registry, in French; an empty list means all is well."""
        problems = list(self.load_problems)
        manifest = self.manifest()
        for schema in self.all():
            problems.extend(self._check_one(schema, manifest))
        for name in self.names():
            problems.extend(self._check_majors(name))
        present = {s.relative_path for s in self.all()}
        problems.extend(
            f"{path} : épinglé dans le manifeste mais absent du registre"
            for path in sorted(set(manifest) - present)
        )
        return problems

    def _check_one(self, schema: PublishedSchema, manifest: dict[str, str]) -> list[str]:
        where = schema.relative_path
        problems: list[str] = []
        pinned = manifest.get(where)
        if pinned is None:
            problems.append(f"{where} : non épinglé (lancez « cae-hub schemas pin »)")
        elif pinned != schema.sha256:
            problems.append(f"{where} : modifié après publication ; publiez une nouvelle version")
        if schema.document.get("$id") != schema.uri:
            problems.append(f"{where} : $id attendu {schema.uri}")
        for key in ("title", "description"):
            if not schema.document.get(key):
                problems.append(f"{where} : « {key} » manquant")
        try:
            Draft202012Validator.check_schema(schema.document)
        except SchemaError as exc:
            problems.append(f"{where} : non conforme au méta-schéma 2020-12 ({exc.message})")
            return problems
        problems.extend(f"{where} : {p}" for p in self._unresolved_refs(schema))
        if problems:
            return problems
        examples = self.examples(schema.name, schema.version)
        if examples is None:
            return [f"{where} : pas d'exemples (examples/{schema.version}.json)"]
        if not examples.valid or not examples.invalid:
            problems.append(f"{where} : il faut des exemples valides et invalides")
        for index, document in enumerate(examples.valid):
            for error in self.validate(schema.name, schema.version, document):
                problems.append(
                    f"{where} : l'exemple valide n°{index + 1} est refusé "
                    f"({error.path} : {error.message})"
                )
        for index, document in enumerate(examples.invalid):
            if not self.validate(schema.name, schema.version, document):
                problems.append(f"{where} : l'exemple invalide n°{index + 1} est accepté")
        problems.extend(self._check_minor_compatibility(schema))
        return problems

    def _check_majors(self, name: str) -> Iterator[str]:
        """Each new major dates its publication and has a converter from the major before."""
        majors = sorted({version_key(v)[0] for v in self.versions(name)})
        for previous, major in itertools.pairwise(majors):
            first = next(v for v in self.versions(name) if version_key(v)[0] == major)
            if not isinstance(self.get(name, first).document.get("x-published"), str):
                yield (
                    f"{name}/{first}.json : une nouvelle version majeure doit dater sa "
                    "publication (« x-published » : AAAA-MM-JJ)"
                )
            if major != previous + 1:
                yield f"{name} : la version majeure {previous + 1} manque"
            elif (name, previous) not in CONVERTERS:
                yield (
                    f"{name} : aucun convertisseur de la version {previous} à la version "
                    f"{major} (cae_contract/upcasts.py)"
                )
            else:
                yield from self._check_converter(name, previous, major)

    def _check_converter(self, name: str, previous: int, major: int) -> Iterator[str]:
        """The converter brings every valid example of the older major to a valid document
        of the newer one."""
        target = [v for v in self.versions(name) if version_key(v)[0] == major][-1]
        for version in self.versions(name):
            if version_key(version)[0] != previous:
                continue
            examples = self.examples(name, version)
            for index, document in enumerate(examples.valid if examples else []):
                try:
                    converted = upcast(name, document, from_major=previous, to_major=major)
                except Exception as exc:  # a converter is code: say which example breaks it
                    yield (
                        f"{name} : le convertisseur {previous} → {major} échoue sur l'exemple "
                        f"valide n°{index + 1} de {version} ({type(exc).__name__})"
                    )
                    continue
                errors = self.validate(name, target, converted)
                if errors:
                    yield (
                        f"{name} : le convertisseur {previous} → {major} rend l'exemple valide "
                        f"n°{index + 1} de {version} non conforme à {target} "
                        f"({errors[0].path} : {errors[0].message})"
                    )

    def _unresolved_refs(self, schema: PublishedSchema) -> Iterator[str]:
        resolver = self.resources.resolver(base_uri=schema.uri)
        for ref in sorted(set(schema_refs(schema.document))):
            try:
                resolver.lookup(ref)
            except referencing.exceptions.Unresolvable:
                yield f"référence introuvable : {ref}"

    def _check_minor_compatibility(self, schema: PublishedSchema) -> Iterator[str]:
        """A minor or patch version accepts every valid example of the version before it."""
        major = version_key(schema.version)[0]
        same_major = [v for v in self.versions(schema.name) if version_key(v)[0] == major]
        position = same_major.index(schema.version)
        if position == 0:
            return
        previous = same_major[position - 1]
        examples = self.examples(schema.name, previous)
        for index, document in enumerate(examples.valid if examples else []):
            if self.validate(schema.name, schema.version, document):
                yield (
                    f"{schema.relative_path} : refuse l'exemple valide n°{index + 1} de "
                    f"{previous} (une version mineure doit l'accepter)"
                )


@lru_cache(maxsize=8)
def registry_at(root: Path) -> SchemaRegistry:
    """The registry of a folder, loaded once per process."""
    return SchemaRegistry(root)


_published = [SCHEMAS_DIR]


def publish_from(root: Path | None) -> None:
    """Make ``root`` the registry of this process (None: the schemas shipped with the
    package) — for a hub told to serve another folder of schemas."""
    _published[0] = root or SCHEMAS_DIR


def get_registry() -> SchemaRegistry:
    """The registry of the published schemas."""
    return registry_at(_published[0])


_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "deprecated"})


def _is_const_branch(branch: Any) -> bool:
    """A branch that only says « this value » and annotates it (``title``, ``x-…``)."""
    return (
        isinstance(branch, dict)
        and "const" in branch
        and all(k == "const" or k in _ANNOTATIONS or k.startswith("x-") for k in branch)
    )


_LITERALS = frozenset({"const", "enum", "default", "examples"})
"""Keywords whose value is data, never a schema: kept as written."""


def quick_form(node: Any) -> Any:
    """``node`` with each ``anyOf`` made only of annotated ``const`` branches (a code list)
    written as the ``enum`` of those values, everything else as it is.

    By the definitions of ``anyOf``, ``const`` and ``enum`` (and annotations asserting
    nothing) both forms accept exactly the same instances; ``enum`` is checked by one lookup
    instead of one sub-schema per code. Annotations are lost: for validity only. A schema
    that already has an ``enum`` or ``const`` beside such an ``anyOf`` is left as it is.
    """
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if (
            isinstance(branches, list)
            and branches
            and "enum" not in node
            and "const" not in node
            and all(map(_is_const_branch, branches))
        ):
            quick = {k: _quick_value(k, v) for k, v in node.items() if k != "anyOf"}
            quick["enum"] = [b["const"] for b in branches]
            return quick
        return {k: _quick_value(k, v) for k, v in node.items()}
    if isinstance(node, list):
        return [quick_form(v) for v in node]
    return node


def _quick_value(keyword: str, value: Any) -> Any:
    if keyword in _LITERALS or keyword.startswith("x-"):
        return value
    return quick_form(value)
