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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
    parser,
    readable_path,
    validate_lheo,
    with_defaults,
    xsd,
    xsd_message,
)
from cae_contract.lheo_format import L as _L
from cae_contract.lheo_format import X as _X
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
        root = etree.fromstring(data, parser())
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
    schema = xsd()
    problems: list[ErrorItem] = []
    refused: set[etree._Element] = set()
    if not schema.validate(tree):
        for entry in schema.error_log:
            found = tree.xpath(entry.path) if entry.path else []
            element = found[0] if isinstance(found, list) and found else root
            assert isinstance(element, etree._Element)
            problems.append(ErrorItem(readable_path(element), xsd_message(entry)))
            unit = enclosing_unit(element)
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
