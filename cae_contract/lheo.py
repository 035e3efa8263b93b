"""LHÉO in and out: training catalogues as the French standard XML for training offers.

``read_lheo`` parses a LHÉO 2.3 (or 2.2) file with a hardened parser, validates it against the
official XSD shipped with this package, and maps it to a ``training-catalogue`` document;
``write_lheo`` writes catalogue documents as LHÉO 2.3 that validates against the same XSD.

LHÉO has no place for what the network pools (seats offered to other CAEs, price for a member
CAE, registration deadline, trades served, the provider's Qualiopi certificate and declaration
number): it travels in LHÉO's ``<extras>``, under our own namespace ``EXTRA_NS``, so that the
file still validates for any other reader.

A file is refused whole (``document`` is None) when it cannot be read safely: too large, not
well formed, carrying a DTD (no entity is ever expanded, none is ever fetched), or not LHÉO at
all. Otherwise every element the XSD or the schema refuses is reported with its XPath and a
French message, and the smallest unit holding it (a session, an action or a formation) is left
out of the document; the rest is kept.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from cae_contract.lheo_format import (
    CATALOGUE_SCHEMA,
    CATALOGUE_VERSION,
    DEFAULTS,
    EXTRA_NS,
    LHEO_NS,
    MAX_BYTES,
    READABLE_NS,
    enclosing_unit,
    readable_path,
    validate_lheo,
    with_defaults,
    xsd,
    xsd_message,
)
from cae_contract.lheo_format import L as _L
from cae_contract.lheo_map import FormationMapper
from cae_contract.lheo_out import write_lheo
from cae_contract.problems import ErrorItem
from cae_contract.registry import get_registry
from cae_contract.trainings import catalogue_problems

__all__ = [
    "CATALOGUE_SCHEMA",
    "CATALOGUE_VERSION",
    "DEFAULTS",
    "EXTRA_NS",
    "LHEO_NS",
    "MAX_BYTES",
    "read_lheo",
    "readable_path",
    "validate_lheo",
    "with_defaults",
    "write_lheo",
]


_ROOT_START = re.compile(rb"<[A-Za-z_]")
_HEAD = 64 * 1024
_DTD_REFUSED = (
    "Fichier refusé : il déclare une DTD (<!DOCTYPE>). Un fichier LHÉO n'en a pas besoin, et "
    "aucune entité n'est jamais développée ni aucune ressource externe chargée."
)
_NOT_LHEO = (
    "Ce n'est pas un fichier LHÉO : l'élément racine doit être <lheo> dans l'espace de "
    "noms http://lheo.gouv.fr/2.3 (ou 2.2)."
)
_WATCHED = [f"{{{ns}}}{name}" for ns in READABLE_NS for name in ("lheo", "formation")]


class _Refused(Exception):
    """The file is refused whole; ``problems`` say why."""

    def __init__(self, problems: list[ErrorItem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _refused(message: str) -> tuple[None, list[ErrorItem]]:
    return None, [ErrorItem("/", message)]


def read_lheo(
    source: bytes | Path, *, max_bytes: int = MAX_BYTES
) -> tuple[dict[str, Any] | None, list[ErrorItem]]:
    """A LHÉO file (its bytes, or its path) as a ``training-catalogue`` document, and every
    problem found.

    The file is streamed (``iterparse``): each ``<formation>`` is validated against the
    official XSD as soon as it is read, mapped, then dropped from memory, so that memory
    holds one formation of the file at a time besides the document built. What lies outside
    the formations (``<lheo>``, ``<offres>``, their ``<extras>``) is validated at the end.

    The document is None when the file is refused whole; the problems then say why. Paths are
    XPaths in the file (``/lheo/offres/formation[2]/action[1]/session[3]/periode/debut``).
    """
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > max_bytes:
        return _refused(
            f"Fichier trop volumineux : {size:,} octets pour {max_bytes:,} au plus.".replace(
                ",", "\u202f"
            )
        )
    if isinstance(source, Path):
        with source.open("rb") as stream:
            if not stream.read(4096).strip() and size <= 4096:
                return _refused("Le fichier est vide.")
            stream.seek(0)
            return _read_stream(stream)
    if not source.strip():
        return _refused("Le fichier est vide.")
    return _read_stream(io.BytesIO(source))


def _read_stream(stream: BinaryIO) -> tuple[dict[str, Any] | None, list[ErrorItem]]:
    # A DTD is refused before the parser sees it (libxml2 would read its declarations); one
    # declared further than this head is caught at the root's start.
    head = stream.read(_HEAD)
    stream.seek(0)
    root_start = _ROOT_START.search(head)
    if b"<!DOCTYPE" in head[: root_start.start() if root_start else len(head)]:
        return _refused(_DTD_REFUSED)
    reader = _StreamReader()
    try:
        reader.read(stream)
    except _Refused as exc:
        return None, exc.problems
    except etree.XMLSyntaxError as exc:
        line = f" (ligne {exc.lineno})" if exc.lineno else ""
        if "huge" in str(exc).lower() or "amplification" in str(exc).lower():
            return _refused(f"Fichier refusé : structure XML démesurée{line}.")
        return _refused(f"Le fichier n'est pas un document XML bien formé{line} : {exc.msg}.")
    return reader.finish()


@dataclass
class _StreamReader:
    """One pass over the file: the root is checked at its start, each formation validated
    and mapped at its end, then cleared; the envelope is validated when the file ends."""

    problems: list[ErrorItem] = field(default_factory=list)
    formations: list[dict[str, Any]] = field(default_factory=list)
    mapper: FormationMapper = field(init=False)
    root: etree._Element | None = None
    old_namespace: str | None = None
    first: etree._Element | None = None
    """A copy of the first formation, to validate the envelope around it at the end."""
    count: int = 0

    def __post_init__(self) -> None:
        self.mapper = FormationMapper(self.problems)

    def read(self, stream: BinaryIO) -> None:
        events = etree.iterparse(
            stream,
            events=("start", "end"),
            tag=_WATCHED,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=True,
            remove_comments=True,
            remove_pis=True,
        )
        schema = xsd()
        for event, element in events:
            if self.root is None:
                self._start(element)
            elif event == "end" and element.getparent() is not None:
                self._formation(element, schema)

    def _start(self, root: etree._Element) -> None:
        info = root.getroottree().docinfo
        if info.doctype or info.internalDTD is not None:
            raise _Refused([ErrorItem("/", _DTD_REFUSED)])
        name = etree.QName(root)
        if name.localname != "lheo" or root.getparent() is not None:
            raise _Refused([ErrorItem("/", _NOT_LHEO)])
        if name.namespace != LHEO_NS:
            self.old_namespace = name.namespace
        self.root = root

    def _formation(self, element: etree._Element, schema: etree.XMLSchema) -> None:
        parent = element.getparent()
        assert parent is not None
        if etree.QName(parent).localname != "offres" or parent.getparent() is not self.root:
            return  # out of place: the envelope's validation names it
        if self.old_namespace is not None:
            _to_current_namespace(element, self.old_namespace)
        self.count += 1
        xpath = f"/lheo/offres/formation[{self.count}]"
        refused: set[etree._Element] = set()
        if not schema.validate(element):
            for entry in schema.error_log:
                found = _relative(element, entry.path)
                self.problems.append(
                    ErrorItem(xpath + _path_within(element, found), xsd_message(entry))
                )
                unit = enclosing_unit(found)
                refused.add(unit if unit is not None else element)
        if self.first is None:
            self.first = copy.deepcopy(element)
        mapped = self.mapper.formation(
            element, f"$.formations[{len(self.formations)}]", xpath, refused
        )
        if mapped is not None:
            self.formations.append(mapped)
        element.clear(keep_tail=True)
        # The formations already read leave the tree too: only this one's shell stays.
        while (previous := element.getprevious()) is not None and previous.tag == element.tag:
            parent.remove(previous)

    def finish(self) -> tuple[dict[str, Any] | None, list[ErrorItem]]:
        if self.root is None:
            return None, [ErrorItem("/", _NOT_LHEO)]
        envelope = self._envelope_problems()
        if envelope:
            return None, self._named(envelope)
        document = _drop_schema_errors(
            {"formations": self.formations}, self.problems, self.mapper.paths
        )
        return document, self._named(self.problems)

    def _envelope_problems(self) -> list[ErrorItem]:
        """What the XSD refuses outside the formations, on the file's envelope around a copy
        of its first formation (the formations themselves were validated one by one)."""
        root = self.root
        assert root is not None
        if self.old_namespace is not None:
            _to_current_namespace(root, self.old_namespace)
        for offres in root.iterchildren(_L + "offres"):
            for shell in offres.findall(_L + "formation"):
                offres.remove(shell)
            if self.first is not None:
                offres.insert(0, self.first)
        schema = xsd()
        if schema.validate(root):
            return []
        problems = []
        for entry in schema.error_log:
            found = root.getroottree().xpath(entry.path) if entry.path else []
            element = found[0] if isinstance(found, list) and found else root
            assert isinstance(element, etree._Element)
            if enclosing_unit(element) is None:
                problems.append(ErrorItem(readable_path(element), xsd_message(entry)))
        return problems

    def _named(self, problems: list[ErrorItem]) -> list[ErrorItem]:
        """A file of one formation names it without a position, as XPath does."""
        if self.count != 1:
            return problems
        first = "/lheo/offres/formation[1]"
        return [
            ErrorItem("/lheo/offres/formation" + p.path[len(first) :], p.message)
            if p.path == first or p.path.startswith(first + "/")
            else p
            for p in problems
        ]


def _relative(unit: etree._Element, path: str | None) -> etree._Element:
    """The element an XSD error names: validating an element alone, the validator gives
    paths from that element (``/*/*[11]/*[1]``)."""
    if not path or not path.startswith("/*"):
        return unit
    if path == "/*":
        return unit
    found = unit.xpath("." + path[2:])
    return (
        found[0]
        if isinstance(found, list) and found and isinstance(found[0], etree._Element)
        else unit
    )


def _path_within(unit: etree._Element, element: etree._Element) -> str:
    """The XPath steps from ``unit`` down to ``element`` (positions among namesakes)."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None and node is not unit:
        parent = node.getparent()
        name = etree.QName(node).localname
        if parent is not None:
            namesakes = [c for c in parent if c.tag == node.tag]
            if len(namesakes) > 1:
                name += f"[{namesakes.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "".join(f"/{s}" for s in reversed(steps))


def _to_current_namespace(root: etree._Element, old: str) -> None:
    """Bring a LHÉO 2.2 tree to the 2.3 namespace (its elements are a subset of 2.3's)."""
    prefix = f"{{{old}}}"
    for element in root.iter():
        tag = element.tag
        if isinstance(tag, str) and tag.startswith(prefix):
            element.tag = _L + tag[len(prefix) :]


_INDEX = re.compile(r"^(\$\.formations\[\d+\](?:\.actions\[\d+\](?:\.sessions\[\d+\])?)?)")


def _drop_schema_errors(
    document: dict[str, Any], problems: list[ErrorItem], paths: dict[str, str]
) -> dict[str, Any]:
    """The document without the units the ``training-catalogue`` schema (then the rules of
    ``cae_contract.trainings``) refuses, each reported at its XPath with the failing field."""
    registry = get_registry()
    errors = registry.validate(CATALOGUE_SCHEMA, CATALOGUE_VERSION, document)
    if not errors:
        errors = catalogue_problems(document)
    if not errors:
        return document
    doomed: set[str] = set()
    for error in errors:
        match = _INDEX.match(error.path)
        where = match.group(1) if match else "$"
        doomed.add(where)
        field_path = error.path[len(where) :].lstrip(".")
        message = f"{field_path or 'élément'} : {error.message}"
        problems.append(ErrorItem(paths.get(where, "/"), message))
    if "$" in doomed:
        return {"formations": []}
    document = _without(document, doomed)
    left = registry.validate(CATALOGUE_SCHEMA, CATALOGUE_VERSION, document)
    left = left or catalogue_problems(document)
    if left:  # cannot happen with the schema as published; never hand out an invalid document
        problems.extend(left)
        return {"formations": []}
    return document


def _without(document: dict[str, Any], doomed: set[str]) -> dict[str, Any]:
    formations = []
    for i, formation in enumerate(document["formations"]):
        f_path = f"$.formations[{i}]"
        if f_path in doomed:
            continue
        actions = []
        for j, action in enumerate(formation["actions"]):
            a_path = f"{f_path}.actions[{j}]"
            if a_path in doomed:
                continue
            sessions = [
                s
                for k, s in enumerate(action["sessions"])
                if f"{a_path}.sessions[{k}]" not in doomed
            ]
            if sessions:
                actions.append({**action, "sessions": sessions})
        if actions:
            formations.append({**formation, "actions": actions})
    return {"formations": formations}
