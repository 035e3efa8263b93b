"""What LHÉO reading and writing share: namespaces, the official XSD and a hardened parser,
the defaults of the elements LHÉO requires, XPaths and French messages for XSD errors."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from cae_contract.problems import ErrorItem

LHEO_NS = "http://lheo.gouv.fr/2.3"
READABLE_NS = {"http://lheo.gouv.fr/2.3": "2.3", "http://lheo.gouv.fr/2.2": "2.2"}
EXTRA_NS = "https://cae-hub.fr/lheo/mutualisation/1.0"
CATALOGUE_SCHEMA = "training-catalogue"
CATALOGUE_VERSION = "1.0.0"
XSD_PATH = Path(__file__).resolve().parent / "lheo-2.3.xsd"
MAX_BYTES = 64 * 1024 * 1024
"""The largest file read: a 5,000-session catalogue is about 10 MB."""

# What a field holds when the catalogue does not say (LHÉO requires these elements). A file
# read always carries them: ``with_defaults`` gives any document that same complete form.
DEFAULTS: dict[str, Any] = {
    "rythme": "Non précisé",
    "modalites_alternance": "Sans objet",
    "conditions_specifiques": "Aucune",
    "niveau_entree_obligatoire": False,
    "prise_en_charge_frais_possible": False,
    "entrees_sorties_permanentes": False,
    "parcours": 1,
}
L = f"{{{LHEO_NS}}}"
"""LHÉO's namespace as an lxml tag prefix: ``L + "session"``."""
X = f"{{{EXTRA_NS}}}"
"""The pooling extension's namespace as an lxml tag prefix."""
UNITS = ("session", "action", "formation")
"""The levels a refused element takes out of the document with it, smallest first."""


@lru_cache(maxsize=1)
def xsd() -> etree.XMLSchema:
    # The XSD is ours and local: it is read with the same hardened parser as any input.
    return etree.XMLSchema(etree.parse(str(XSD_PATH), parser()))


def parser() -> etree.XMLParser:
    """A parser that never expands an entity, loads a DTD or reaches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def readable_path(element: etree._Element) -> str:
    """``/lheo/offres/formation[2]/action[1]``: local names, positions among namesakes."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            namesakes = [c for c in parent if c.tag == node.tag]
            if len(namesakes) > 1:
                name += f"[{namesakes.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def enclosing_unit(element: etree._Element) -> etree._Element | None:
    node: etree._Element | None = element
    while node is not None:
        if etree.QName(node).localname in UNITS and etree.QName(node).namespace == LHEO_NS:
            return node
        node = node.getparent()
    return None


_EXPECTED = re.compile(r"Expected is \(?\s*(.*?)\s*\)?\s*\.?$")


def xsd_message(entry: Any) -> str:
    """An XSD error in French; the validator's own words stay at the end for the details."""
    kind, text = str(entry.type_name), str(entry.message)
    where = f" (ligne {entry.line})"
    if "Missing child element" in text:
        expected = _EXPECTED.search(text)
        names = re.sub(r"\{[^}]*\}", "", expected.group(1)) if expected else "?"
        return f"élément obligatoire manquant : {names}{where}"
    if "This element is not expected" in text:
        expected = _EXPECTED.search(text)
        names = re.sub(r"\{[^}]*\}", "", expected.group(1)) if expected else ""
        wanted = f" ; attendu : {names}" if names else ""
        return f"élément inattendu à cet endroit selon LHÉO 2.3{wanted}{where}"
    words = {
        "SCHEMAV_CVC_MINLENGTH_VALID": "valeur trop courte",
        "SCHEMAV_CVC_MAXLENGTH_VALID": "valeur trop longue",
        "SCHEMAV_CVC_LENGTH_VALID": "longueur incorrecte",
        "SCHEMAV_CVC_ENUMERATION_VALID": "valeur absente du dictionnaire LHÉO",
        "SCHEMAV_CVC_PATTERN_VALID": "format non reconnu",
        "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": "valeur d'un type incorrect",
        "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1": "attribut non prévu",
        "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2": "attribut non prévu",
    }
    return f"{words.get(kind, 'refusé par le schéma LHÉO 2.3')}{where}"


_FORMATION_DEFAULTS = ("parcours",)
_ACTION_DEFAULTS = tuple(k for k in DEFAULTS if k != "parcours")


def with_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every defaulted field written out, as ``read_lheo`` gives it: two
    documents that mean the same are then equal (and hash the same)."""
    formations = []
    for formation in document.get("formations", []):
        f = {**formation}
        for key in _FORMATION_DEFAULTS:
            f.setdefault(key, DEFAULTS[key])
        f["actions"] = [
            {**a, **{k: a.get(k, DEFAULTS[k]) for k in _ACTION_DEFAULTS}}
            for a in formation.get("actions", [])
        ]
        formations.append(f)
    return {**document, "formations": formations}


def validate_lheo(data: bytes) -> list[ErrorItem]:
    """What the official XSD refuses in a LHÉO 2.3 file (empty: valid), by XPath."""
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        return [ErrorItem("/", f"document XML mal formé : {exc.msg}")]
    tree = root.getroottree()
    if tree.docinfo.doctype:
        return [ErrorItem("/", "DTD refusée")]
    schema = xsd()
    if schema.validate(tree):
        return []
    problems = []
    for entry in schema.error_log:
        found = tree.xpath(entry.path) if entry.path else []
        element = found[0] if isinstance(found, list) and found else root
        assert isinstance(element, etree._Element)
        problems.append(ErrorItem(readable_path(element), xsd_message(entry)))
    return problems
