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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from cae_contract.problems import ErrorItem
from cae_contract.registry import get_registry
from cae_contract.trainings import catalogue_problems

__all__ = [
    "CATALOGUE_SCHEMA",
    "CATALOGUE_VERSION",
    "EXTRA_NS",
    "LHEO_NS",
    "MAX_BYTES",
    "read_lheo",
    "validate_lheo",
    "with_defaults",
    "write_lheo",
]

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
_L = f"{{{LHEO_NS}}}"
_X = f"{{{EXTRA_NS}}}"
_UNITS = ("session", "action", "formation")


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    # The XSD is ours and local: it is read with the same hardened parser as any input.
    return etree.XMLSchema(etree.parse(str(XSD_PATH), _parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


# -- reading --------------------------------------------------------------------------------


_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DTD_REFUSED = (
    "Fichier refusé : il déclare une DTD (<!DOCTYPE>). Un fichier LHÉO n'en a pas besoin, et "
    "aucune entité n'est jamais développée ni aucune ressource externe chargée."
)


def _refused(message: str) -> tuple[None, list[ErrorItem]]:
    return None, [ErrorItem("/", message)]


def read_lheo(
    data: bytes, *, max_bytes: int = MAX_BYTES
) -> tuple[dict[str, Any] | None, list[ErrorItem]]:
    """A LHÉO file as a ``training-catalogue`` document, and every problem found.

    The document is None when the file is refused whole; the problems then say why. Paths are
    XPaths in the file (``/lheo/offres/formation[2]/action[1]/session[3]/periode/debut``).
    """
    if len(data) > max_bytes:
        return _refused(
            f"Fichier trop volumineux : {len(data):,} octets pour {max_bytes:,} au plus.".replace(
                ",", "\u202f"
            )
        )
    if not data.strip():
        return _refused("Le fichier est vide.")
    root_start = _ROOT_START.search(data)
    if b"<!DOCTYPE" in data[: root_start.start() if root_start else len(data)]:
        return _refused(_DTD_REFUSED)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = f" (ligne {exc.lineno})" if exc.lineno else ""
        if "huge" in str(exc).lower() or "amplification" in str(exc).lower():
            return _refused(f"Fichier refusé : structure XML démesurée{line}.")
        return _refused(f"Le fichier n'est pas un document XML bien formé{line} : {exc.msg}.")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return _refused(_DTD_REFUSED)
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "lheo" or namespace not in READABLE_NS:
        return _refused(
            "Ce n'est pas un fichier LHÉO : l'élément racine doit être <lheo> dans l'espace de "
            "noms http://lheo.gouv.fr/2.3 (ou 2.2)."
        )
    if namespace != LHEO_NS:
        _to_current_namespace(root, namespace or "")
    schema = _schema()
    problems: list[ErrorItem] = []
    refused: set[etree._Element] = set()
    if not schema.validate(tree):
        for entry in schema.error_log:
            found = tree.xpath(entry.path) if entry.path else []
            element = found[0] if isinstance(found, list) and found else root
            assert isinstance(element, etree._Element)
            problems.append(ErrorItem(readable_path(element), _xsd_message(entry)))
            unit = _enclosing_unit(element)
            if unit is None:
                return None, problems
            refused.add(unit)
    mapper = _Mapper(refused, problems)
    document = _drop_schema_errors(mapper.catalogue(root), problems, mapper.elements)
    return document, problems


def _to_current_namespace(root: etree._Element, old: str) -> None:
    """Bring a LHÉO 2.2 tree to the 2.3 namespace (its elements are a subset of 2.3's)."""
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == old:
            element.tag = _L + etree.QName(element).localname
    etree.cleanup_namespaces(root)


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


def _enclosing_unit(element: etree._Element) -> etree._Element | None:
    node: etree._Element | None = element
    while node is not None:
        if etree.QName(node).localname in _UNITS and etree.QName(node).namespace == LHEO_NS:
            return node
        node = node.getparent()
    return None


_EXPECTED = re.compile(r"Expected is \(?\s*(.*?)\s*\)?\s*\.?$")


def _xsd_message(entry: Any) -> str:
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


@dataclass
class _Mapper:
    """From a validated tree to the document; refused units are left out, with a problem."""

    refused: set[etree._Element]
    problems: list[ErrorItem]
    elements: dict[str, etree._Element] = field(default_factory=dict)
    """The element of each unit kept, by its JSON path (to report schema errors)."""

    def catalogue(self, root: etree._Element) -> dict[str, Any]:
        formations: list[dict[str, Any]] = []
        for element in root.iterfind(f"{_L}offres/{_L}formation"):
            formation = self.formation(element, f"$.formations[{len(formations)}]")
            if formation is not None:
                formations.append(formation)
        return {"formations": formations}

    def _kept(self, element: etree._Element, json_path: str) -> bool:
        if element in self.refused:
            return False
        if not element.get("numero"):
            self.problems.append(
                ErrorItem(
                    readable_path(element),
                    "attribut numero manquant : un identifiant stable est nécessaire pour "
                    "suivre l'élément d'un envoi à l'autre",
                )
            )
            return False
        self.elements[json_path] = element
        return True

    def formation(self, el: etree._Element, path: str) -> dict[str, Any] | None:
        if not self._kept(el, path):
            return None
        actions: list[dict[str, Any]] = []
        for action_el in el.iterfind(f"{_L}action"):
            action = self.action(action_el, f"{path}.actions[{len(actions)}]")
            if action is not None:
                actions.append(action)
        if not actions:
            self.problems.append(
                ErrorItem(readable_path(el), "formation écartée : aucune action n'a été lue")
            )
            return None
        out: dict[str, Any] = {"numero": el.get("numero")}
        out["intitule"] = _text(el, "intitule-formation")
        out["objectif"] = _text(el, "objectif-formation")
        out["resultats_attendus"] = _text(el, "resultats-attendus")
        out["contenu"] = _text(el, "contenu-formation")
        domain = el.find(f"{_L}domaine-formation")
        if domain is not None:
            _put(out, "formacodes", [c.text for c in domain.iterfind(f"{_L}code-FORMACODE")])
            _put(out, "nsf", [c.text for c in domain.iterfind(f"{_L}code-NSF")])
        out["certifiante"] = _text(el, "certifiante") == "1"
        certifications = []
        for cert in el.iterfind(f"{_L}certification"):
            item = {
                key: cert.findtext(f"{_L}{tag}")
                for key, tag in (("rncp", "code-RNCP"), ("rs", "code-RS"))
                if cert.findtext(f"{_L}{tag}")
            }
            if item:
                certifications.append(item)
        _put(out, "certifications", certifications)
        out["niveau_entree"] = int(_text(el, "code-niveau-entree"))
        _default(out, "parcours", int(_text(el, "parcours-de-formation")))
        out["contact"] = _contact(el.find(f"{_L}contact-formation/{_L}coordonnees"))
        out["organisme_responsable"] = _responsable(el.find(f"{_L}organisme-formation-responsable"))
        extra = _extra(el)
        if extra is not None:
            _put(out, "metiers", [m.text for m in extra.iterfind(f"{_X}metier")])
        out["actions"] = actions
        return out

    def action(self, el: etree._Element, path: str) -> dict[str, Any] | None:
        if not self._kept(el, path):
            return None
        sessions: list[dict[str, Any]] = []
        for session_el in el.iterfind(f"{_L}session"):
            session = self.session(session_el, f"{path}.sessions[{len(sessions)}]")
            if session is not None:
                sessions.append(session)
        if not sessions:
            self.problems.append(
                ErrorItem(readable_path(el), "action écartée : aucune de ses sessions n'a été lue")
            )
            return None
        out: dict[str, Any] = {"numero": el.get("numero")}
        out["public_vise"] = [c.text for c in el.iterfind(f"{_L}code-public-vise")]
        _put(out, "info_public_vise", el.findtext(f"{_L}info-public-vise"))
        _default(out, "rythme", _text(el, "rythme-formation"))
        _default(out, "niveau_entree_obligatoire", _text(el, "niveau-entree-obligatoire") == "1")
        _default(out, "modalites_alternance", _text(el, "modalites-alternance"))
        out["modalites_enseignement"] = int(_text(el, "modalites-enseignement"))
        _default(out, "conditions_specifiques", _text(el, "conditions-specifiques"))
        funding = _text(el, "prise-en-charge-frais-possible") == "1"
        _default(out, "prise_en_charge_frais_possible", funding)
        _default(out, "entrees_sorties_permanentes", _text(el, "modalites-entrees-sorties") == "1")
        places = [
            _address(a) for a in el.iterfind(f"{_L}lieu-de-formation/{_L}coordonnees/{_L}adresse")
        ]
        _put(out, "lieux", places)
        hours = el.findtext(f"{_L}nombre-heures-total")
        if hours:
            out["duree_heures"] = int(hours)
        price = el.findtext(f"{_L}prix-total-TTC")
        if price:
            _put(out, "prix_total_ttc", _amount(price))
        trainer = el.find(f"{_L}organisme-formateur")
        if trainer is not None:
            out["organisme_formateur"] = _trainer(trainer)
        funders = []
        for funder in el.iterfind(f"{_L}organisme-financeur"):
            item: dict[str, Any] = {"code": funder.findtext(f"{_L}code-financeur")}
            seats = funder.findtext(f"{_L}nb-places-financees")
            if seats:
                item["places"] = int(seats)
            funders.append(item)
        _put(out, "financeurs", funders)
        out["sessions"] = sessions
        return out

    def session(self, el: etree._Element, path: str) -> dict[str, Any] | None:
        if not self._kept(el, path):
            return None
        out: dict[str, Any] = {"numero": el.get("numero")}
        out["debut"] = _text(el, "periode/debut")
        out["fin"] = _text(el, "periode/fin")
        out["adresse_inscription"] = _address(el.find(f"{_L}adresse-inscription/{_L}adresse"))
        state = el.findtext(f"{_L}etat-recrutement")
        if state:
            out["etat_recrutement"] = int(state)
        extra = _extra(el)
        if extra is not None and extra.find(f"{_X}places-offertes") is not None:
            pooling: dict[str, Any] = {
                "places_offertes": int(extra.findtext(f"{_X}places-offertes") or 0)
            }
            price = extra.findtext(f"{_X}prix-membre")
            if price:
                pooling["prix_membre"] = _amount(price)
            _put(pooling, "date_limite_inscription", extra.findtext(f"{_X}date-limite-inscription"))
            out["mutualisation"] = pooling
        return out


def _text(el: etree._Element, path: str) -> str:
    found = el.find("/".join(f"{_L}{step}" for step in path.split("/")))
    return (found.text or "") if found is not None else ""


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", []):
        out[key] = value


def _default(out: dict[str, Any], key: str, value: Any) -> None:
    out[key] = value


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


def _amount(text: str) -> float | str:
    try:
        return float(Decimal(text.strip().replace(",", ".")))
    except ArithmeticError:
        return text  # the schema refuses it, naming the field


def _extra(el: etree._Element) -> etree._Element | None:
    for extra in el.iterfind(f"{_L}extras/{_L}extra"):
        if any(isinstance(c.tag, str) and c.tag.startswith(_X) for c in extra):
            return extra
    return None


def _address(el: etree._Element | None) -> dict[str, Any]:
    if el is None:
        return {}
    out: dict[str, Any] = {}
    _put(out, "denomination", el.findtext(f"{_L}denomination"))
    out["lignes"] = [line.text for line in el.iterfind(f"{_L}ligne")]
    out["code_postal"] = el.findtext(f"{_L}codepostal")
    out["ville"] = el.findtext(f"{_L}ville")
    _put(out, "departement", el.findtext(f"{_L}departement"))
    _put(out, "region", el.findtext(f"{_L}region"))
    return out


def _contact(el: etree._Element | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if el is None:
        return out
    _put(out, "nom", el.findtext(f"{_L}nom"))
    _put(out, "prenom", el.findtext(f"{_L}prenom"))
    _put(out, "telephone", el.findtext(f"{_L}telfixe/{_L}numtel"))
    _put(out, "courriel", el.findtext(f"{_L}courriel"))
    return out


def _responsable(el: etree._Element | None) -> dict[str, Any]:
    if el is None:
        return {}
    out: dict[str, Any] = {
        "numero_activite": el.findtext(f"{_L}numero-activite"),
        "siret": el.findtext(f"{_L}SIRET-organisme-formation/{_L}SIRET"),
        "nom": el.findtext(f"{_L}nom-organisme"),
        "raison_sociale": el.findtext(f"{_L}raison-sociale"),
    }
    address = el.find(f"{_L}coordonnees-organisme/{_L}coordonnees/{_L}adresse")
    if address is not None:
        out["adresse"] = _address(address)
    contact = _contact(el.find(f"{_L}contact-organisme/{_L}coordonnees"))
    _put(out, "contact", contact or None)
    return out


def _trainer(el: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {
        "siret": el.findtext(f"{_L}SIRET-formateur/{_L}SIRET"),
        "raison_sociale": el.findtext(f"{_L}raison-sociale-formateur") or "",
    }
    extra = _extra(el)
    if extra is not None:
        _put(out, "numero_activite", extra.findtext(f"{_X}numero-activite"))
        reference = extra.findtext(f"{_X}qualiopi-reference")
        if reference:
            out["qualiopi"] = {
                "reference": reference,
                "expiration": extra.findtext(f"{_X}qualiopi-expiration") or "",
            }
    return out


_INDEX = re.compile(r"^(\$\.formations\[\d+\](?:\.actions\[\d+\](?:\.sessions\[\d+\])?)?)")


def _drop_schema_errors(
    document: dict[str, Any], problems: list[ErrorItem], elements: dict[str, etree._Element]
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
        element = elements.get(where)
        problems.append(ErrorItem(readable_path(element) if element is not None else "/", message))
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


# -- writing --------------------------------------------------------------------------------


def write_lheo(documents: Iterable[dict[str, Any]]) -> bytes:
    """Catalogue documents (one or several CAEs') as one LHÉO 2.3 file, UTF-8.

    The caller gives documents valid against ``training-catalogue``; at least one formation is
    needed (LHÉO requires it). Fields LHÉO requires and the document leaves out get their
    default (``DEFAULTS``).
    """
    root = etree.Element(_L + "lheo", nsmap={None: LHEO_NS, "cae": EXTRA_NS})
    offres = etree.SubElement(root, _L + "offres")
    for document in documents:
        for formation in document.get("formations", []):
            _write_formation(offres, formation)
    if not len(offres):
        raise ValueError("LHÉO exige au moins une formation")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def validate_lheo(data: bytes) -> list[ErrorItem]:
    """What the official XSD refuses in a LHÉO 2.3 file (empty: valid), by XPath."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return [ErrorItem("/", f"document XML mal formé : {exc.msg}")]
    tree = root.getroottree()
    if tree.docinfo.doctype:
        return [ErrorItem("/", "DTD refusée")]
    schema = _schema()
    if schema.validate(tree):
        return []
    problems = []
    for entry in schema.error_log:
        found = tree.xpath(entry.path) if entry.path else []
        element = found[0] if isinstance(found, list) and found else root
        assert isinstance(element, etree._Element)
        problems.append(ErrorItem(readable_path(element), _xsd_message(entry)))
    return problems


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _L + tag, attrs)
    if text is not None:
        element.text = str(text)
    return element


def _write_formation(offres: etree._Element, f: dict[str, Any]) -> None:
    el = _sub(offres, "formation", numero=f["numero"])
    domain = _sub(el, "domaine-formation")
    for code in f.get("formacodes", []):
        _sub(domain, "code-FORMACODE", code)
    for code in f.get("nsf", []):
        _sub(domain, "code-NSF", code)
    _sub(el, "intitule-formation", f["intitule"])
    _sub(el, "objectif-formation", f["objectif"])
    _sub(el, "resultats-attendus", f["resultats_attendus"])
    _sub(el, "contenu-formation", f["contenu"])
    _sub(el, "certifiante", int(bool(f["certifiante"])))
    _write_coordinates(_sub(el, "contact-formation"), f.get("contact", {}))
    _sub(el, "parcours-de-formation", f.get("parcours", DEFAULTS["parcours"]))
    _sub(el, "code-niveau-entree", f["niveau_entree"])
    for cert in f.get("certifications", []):
        cert_el = _sub(el, "certification")
        if "rncp" in cert:
            _sub(cert_el, "code-RNCP", cert["rncp"])
        if "rs" in cert:
            _sub(cert_el, "code-RS", cert["rs"])
    for action in f["actions"]:
        _write_action(el, action)
    _write_responsable(_sub(el, "organisme-formation-responsable"), f["organisme_responsable"])
    if f.get("metiers"):
        extra = _extras(el)
        for trade in f["metiers"]:
            etree.SubElement(extra, _X + "metier").text = trade


def _write_action(parent: etree._Element, a: dict[str, Any]) -> None:
    el = _sub(parent, "action", numero=a["numero"])
    _sub(el, "rythme-formation", a.get("rythme", DEFAULTS["rythme"]))
    for code in a["public_vise"]:
        _sub(el, "code-public-vise", code)
    if a.get("info_public_vise"):
        _sub(el, "info-public-vise", a["info_public_vise"])
    flag = int(a.get("niveau_entree_obligatoire", DEFAULTS["niveau_entree_obligatoire"]))
    _sub(el, "niveau-entree-obligatoire", flag)
    alternance = a.get("modalites_alternance", DEFAULTS["modalites_alternance"])
    _sub(el, "modalites-alternance", alternance)
    _sub(el, "modalites-enseignement", a["modalites_enseignement"])
    conditions = a.get("conditions_specifiques", DEFAULTS["conditions_specifiques"])
    _sub(el, "conditions-specifiques", conditions)
    funding = a.get("prise_en_charge_frais_possible", DEFAULTS["prise_en_charge_frais_possible"])
    _sub(el, "prise-en-charge-frais-possible", int(funding))
    for place in a.get("lieux", []):
        _write_address(_sub(_sub(el, "lieu-de-formation"), "coordonnees"), place)
    permanent = a.get("entrees_sorties_permanentes", DEFAULTS["entrees_sorties_permanentes"])
    _sub(el, "modalites-entrees-sorties", int(permanent))
    for session in a["sessions"]:
        _write_session(el, session)
    if "prix_total_ttc" in a:
        _sub(el, "prix-total-TTC", _format_amount(a["prix_total_ttc"]))
    if "duree_heures" in a:
        _sub(el, "nombre-heures-total", a["duree_heures"])
    trainer = a.get("organisme_formateur")
    if trainer:
        t_el = _sub(el, "organisme-formateur")
        _sub(_sub(t_el, "SIRET-formateur"), "SIRET", trainer["siret"])
        _sub(t_el, "raison-sociale-formateur", trainer["raison_sociale"])
        if trainer.get("numero_activite") or trainer.get("qualiopi"):
            extra = _extras(t_el)
            if trainer.get("numero_activite"):
                etree.SubElement(extra, _X + "numero-activite").text = trainer["numero_activite"]
            if trainer.get("qualiopi"):
                q = trainer["qualiopi"]
                etree.SubElement(extra, _X + "qualiopi-reference").text = q["reference"]
                etree.SubElement(extra, _X + "qualiopi-expiration").text = q["expiration"]
    for funder in a.get("financeurs", []):
        f_el = _sub(el, "organisme-financeur")
        _sub(f_el, "code-financeur", funder["code"])
        if "places" in funder:
            _sub(f_el, "nb-places-financees", funder["places"])


def _write_session(parent: etree._Element, s: dict[str, Any]) -> None:
    el = _sub(parent, "session", numero=s["numero"])
    period = _sub(el, "periode")
    _sub(period, "debut", s["debut"])
    _sub(period, "fin", s["fin"])
    _write_address(_sub(el, "adresse-inscription"), s["adresse_inscription"])
    if "etat_recrutement" in s:
        _sub(el, "etat-recrutement", s["etat_recrutement"])
    pooling = s.get("mutualisation")
    if pooling is not None:
        extra = _extras(el)
        etree.SubElement(extra, _X + "places-offertes").text = str(pooling["places_offertes"])
        if "prix_membre" in pooling:
            price = _format_amount(pooling["prix_membre"])
            etree.SubElement(extra, _X + "prix-membre").text = price
        if "date_limite_inscription" in pooling:
            deadline = pooling["date_limite_inscription"]
            etree.SubElement(extra, _X + "date-limite-inscription").text = deadline


def _write_responsable(el: etree._Element, r: dict[str, Any]) -> None:
    _sub(el, "numero-activite", r["numero_activite"])
    _sub(_sub(el, "SIRET-organisme-formation"), "SIRET", r["siret"])
    _sub(el, "nom-organisme", r["nom"])
    _sub(el, "raison-sociale", r["raison_sociale"])
    coordinates = _sub(_sub(el, "coordonnees-organisme"), "coordonnees")
    if r.get("adresse"):
        _write_address(coordinates, r["adresse"])
    _write_coordinates(_sub(el, "contact-organisme"), r.get("contact", {}))


def _write_coordinates(parent: etree._Element, contact: dict[str, Any]) -> None:
    el = _sub(parent, "coordonnees")
    if contact.get("nom"):
        _sub(el, "nom", contact["nom"])
    if contact.get("prenom"):
        _sub(el, "prenom", contact["prenom"])
    if contact.get("telephone"):
        _sub(_sub(el, "telfixe"), "numtel", contact["telephone"])
    if contact.get("courriel"):
        _sub(el, "courriel", contact["courriel"])


def _write_address(parent: etree._Element, address: dict[str, Any]) -> None:
    el = _sub(parent, "adresse")
    if address.get("denomination"):
        _sub(el, "denomination", address["denomination"])
    for line in address["lignes"]:
        _sub(el, "ligne", line)
    _sub(el, "codepostal", address["code_postal"])
    _sub(el, "ville", address["ville"])
    if address.get("departement"):
        _sub(el, "departement", address["departement"])
    if address.get("region"):
        _sub(el, "region", address["region"])


def _extras(el: etree._Element) -> etree._Element:
    return _sub(_sub(el, "extras", info="cae-hub"), "extra", info="mutualisation")


def _format_amount(value: float | int) -> str:
    return f"{Decimal(repr(value)).quantize(Decimal('0.01'))}"
