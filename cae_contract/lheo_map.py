"""One validated LHÉO ``<formation>`` as a ``training-catalogue`` formation.

Each element's children are indexed by local name once (``_kids``), and fields are read from
that index: a file of thousands of sessions is mapped in one walk of its elements rather than
one ``find`` per field, which is what kept reading far slower than parsing. Refused units (a
session, an action or the formation) are left out, each with its problem and XPath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree

from cae_contract.lheo_format import L, X
from cae_contract.problems import ErrorItem

__all__ = ["FormationMapper", "step"]

_EXTRAS = L + "extras"
_EXTRA = L + "extra"
Kids = dict[str, list[etree._Element]]


def step(name: str, index: int, count: int) -> str:
    """An XPath step: ``action`` alone, ``action[2]`` among several."""
    return f"/{name}[{index + 1}]" if count > 1 else f"/{name}"


def _kids(el: etree._Element) -> Kids:
    """The children of ``el`` by tag (``L + name`` for LHÉO's), in document order."""
    out: Kids = {}
    for child in el:
        found = out.get(child.tag)
        if found is None:
            out[child.tag] = [child]
        else:
            found.append(child)
    return out


def _text(kids: Kids, name: str) -> str:
    found = kids.get(L + name)
    return (found[0].text or "") if found else ""


def _opt(kids: Kids, name: str) -> str | None:
    found = kids.get(L + name)
    return found[0].text if found else None


def _texts(kids: Kids, name: str) -> list[str | None]:
    return [c.text for c in kids.get(L + name, ())]


def _one(kids: Kids, name: str) -> Kids | None:
    found = kids.get(L + name)
    return _kids(found[0]) if found else None


def _x(kids: Kids, name: str) -> str | None:
    """The text of the pooling extension's element ``name`` (our namespace)."""
    found = kids.get(X + name)
    return found[0].text if found else None


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", []):
        out[key] = value


def _amount(text: str) -> float | str:
    try:
        return float(Decimal(text.strip().replace(",", ".")))
    except ArithmeticError:
        return text  # the schema refuses it, naming the field


def _extra(kids: Kids) -> Kids | None:
    """Our extension's elements in the first ``<extras><extra>`` that holds any."""
    for extras in kids.get(_EXTRAS, ()):
        for extra in extras:
            if extra.tag == _EXTRA:
                found = _kids(extra)
                if any(isinstance(tag, str) and tag.startswith(X) for tag in found):
                    return found
    return None


def _address(kids: Kids | None) -> dict[str, Any]:
    if kids is None:
        return {}
    out: dict[str, Any] = {}
    _put(out, "denomination", _opt(kids, "denomination"))
    out["lignes"] = _texts(kids, "ligne")
    out["code_postal"] = _opt(kids, "codepostal")
    out["ville"] = _opt(kids, "ville")
    _put(out, "departement", _opt(kids, "departement"))
    _put(out, "region", _opt(kids, "region"))
    return out


def _address_in(kids: Kids | None) -> dict[str, Any]:
    return _address(_one(kids, "adresse") if kids is not None else None)


def _contact(coordinates: Kids | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if coordinates is None:
        return out
    _put(out, "nom", _opt(coordinates, "nom"))
    _put(out, "prenom", _opt(coordinates, "prenom"))
    phone = _one(coordinates, "telfixe")
    if phone is not None:
        _put(out, "telephone", _opt(phone, "numtel"))
    _put(out, "courriel", _opt(coordinates, "courriel"))
    return out


def _coordinates_in(kids: Kids | None) -> Kids | None:
    return _one(kids, "coordonnees") if kids is not None else None


def _responsable(kids: Kids | None) -> dict[str, Any]:
    if kids is None:
        return {}
    siret = _one(kids, "SIRET-organisme-formation")
    out: dict[str, Any] = {
        "numero_activite": _opt(kids, "numero-activite"),
        "siret": _opt(siret, "SIRET") if siret is not None else None,
        "nom": _opt(kids, "nom-organisme"),
        "raison_sociale": _opt(kids, "raison-sociale"),
    }
    coordinates = _coordinates_in(_one(kids, "coordonnees-organisme"))
    if coordinates is not None and L + "adresse" in coordinates:
        out["adresse"] = _address_in(coordinates)
    contact = _contact(_coordinates_in(_one(kids, "contact-organisme")))
    _put(out, "contact", contact or None)
    return out


def _trainer(kids: Kids) -> dict[str, Any]:
    siret = _one(kids, "SIRET-formateur")
    out: dict[str, Any] = {
        "siret": _opt(siret, "SIRET") if siret is not None else None,
        "raison_sociale": _opt(kids, "raison-sociale-formateur") or "",
    }
    extra = _extra(kids)
    if extra is not None:
        _put(out, "numero_activite", _x(extra, "numero-activite"))
        reference = _x(extra, "qualiopi-reference")
        if reference:
            out["qualiopi"] = {
                "reference": reference,
                "expiration": _x(extra, "qualiopi-expiration") or "",
            }
    return out


@dataclass
class FormationMapper:
    """Maps the formations of one file, one at a time; ``paths`` keeps the XPath of every
    unit kept, by its JSON path (to name what the JSON Schema refuses afterwards)."""

    problems: list[ErrorItem]
    paths: dict[str, str] = field(default_factory=dict)

    def formation(
        self, el: etree._Element, json_path: str, xpath: str, refused: set[etree._Element]
    ) -> dict[str, Any] | None:
        if not self._kept(el, json_path, xpath, refused):
            return None
        kids = _kids(el)
        actions: list[dict[str, Any]] = []
        action_els = kids.get(L + "action", [])
        for j, action_el in enumerate(action_els):
            action = self.action(
                action_el,
                f"{json_path}.actions[{len(actions)}]",
                xpath + step("action", j, len(action_els)),
                refused,
            )
            if action is not None:
                actions.append(action)
        if not actions:
            self.problems.append(ErrorItem(xpath, "formation écartée : aucune action n'a été lue"))
            return None
        out: dict[str, Any] = {"numero": el.get("numero")}
        out["intitule"] = _text(kids, "intitule-formation")
        out["objectif"] = _text(kids, "objectif-formation")
        out["resultats_attendus"] = _text(kids, "resultats-attendus")
        out["contenu"] = _text(kids, "contenu-formation")
        domain = _one(kids, "domaine-formation")
        if domain is not None:
            _put(out, "formacodes", _texts(domain, "code-FORMACODE"))
            _put(out, "nsf", _texts(domain, "code-NSF"))
        out["certifiante"] = _text(kids, "certifiante") == "1"
        certifications = []
        for cert_el in kids.get(L + "certification", ()):
            cert = _kids(cert_el)
            item = {
                key: _opt(cert, tag)
                for key, tag in (("rncp", "code-RNCP"), ("rs", "code-RS"))
                if _opt(cert, tag)
            }
            if item:
                certifications.append(item)
        _put(out, "certifications", certifications)
        out["niveau_entree"] = int(_text(kids, "code-niveau-entree"))
        out["parcours"] = int(_text(kids, "parcours-de-formation"))
        out["contact"] = _contact(_coordinates_in(_one(kids, "contact-formation")))
        out["organisme_responsable"] = _responsable(_one(kids, "organisme-formation-responsable"))
        extra = _extra(kids)
        if extra is not None:
            _put(out, "metiers", [c.text for c in extra.get(X + "metier", ())])
        out["actions"] = actions
        return out

    def action(
        self, el: etree._Element, json_path: str, xpath: str, refused: set[etree._Element]
    ) -> dict[str, Any] | None:
        if not self._kept(el, json_path, xpath, refused):
            return None
        kids = _kids(el)
        sessions: list[dict[str, Any]] = []
        session_els = kids.get(L + "session", [])
        for k, session_el in enumerate(session_els):
            session = self.session(
                session_el,
                f"{json_path}.sessions[{len(sessions)}]",
                xpath + step("session", k, len(session_els)),
                refused,
            )
            if session is not None:
                sessions.append(session)
        if not sessions:
            self.problems.append(
                ErrorItem(xpath, "action écartée : aucune de ses sessions n'a été lue")
            )
            return None
        out: dict[str, Any] = {"numero": el.get("numero")}
        out["public_vise"] = _texts(kids, "code-public-vise")
        _put(out, "info_public_vise", _opt(kids, "info-public-vise"))
        out["rythme"] = _text(kids, "rythme-formation")
        out["niveau_entree_obligatoire"] = _text(kids, "niveau-entree-obligatoire") == "1"
        out["modalites_alternance"] = _text(kids, "modalites-alternance")
        out["modalites_enseignement"] = int(_text(kids, "modalites-enseignement"))
        out["conditions_specifiques"] = _text(kids, "conditions-specifiques")
        out["prise_en_charge_frais_possible"] = _text(kids, "prise-en-charge-frais-possible") == "1"
        out["entrees_sorties_permanentes"] = _text(kids, "modalites-entrees-sorties") == "1"
        places = []
        for place in kids.get(L + "lieu-de-formation", ()):
            for coordinates in _kids(place).get(L + "coordonnees", ()):
                places += [_address(_kids(a)) for a in _kids(coordinates).get(L + "adresse", ())]
        _put(out, "lieux", places)
        hours = _opt(kids, "nombre-heures-total")
        if hours:
            out["duree_heures"] = int(hours)
        price = _opt(kids, "prix-total-TTC")
        if price:
            _put(out, "prix_total_ttc", _amount(price))
        trainer = _one(kids, "organisme-formateur")
        if trainer is not None:
            out["organisme_formateur"] = _trainer(trainer)
        funders = []
        for funder_el in kids.get(L + "organisme-financeur", ()):
            funder = _kids(funder_el)
            item: dict[str, Any] = {"code": _opt(funder, "code-financeur")}
            seats = _opt(funder, "nb-places-financees")
            if seats:
                item["places"] = int(seats)
            funders.append(item)
        _put(out, "financeurs", funders)
        out["sessions"] = sessions
        return out

    def session(
        self, el: etree._Element, json_path: str, xpath: str, refused: set[etree._Element]
    ) -> dict[str, Any] | None:
        if not self._kept(el, json_path, xpath, refused):
            return None
        kids = _kids(el)
        out: dict[str, Any] = {"numero": el.get("numero")}
        period = _one(kids, "periode") or {}
        out["debut"] = _text(period, "debut")
        out["fin"] = _text(period, "fin")
        out["adresse_inscription"] = _address_in(_one(kids, "adresse-inscription"))
        state = _opt(kids, "etat-recrutement")
        if state:
            out["etat_recrutement"] = int(state)
        extra = _extra(kids)
        if extra is not None and X + "places-offertes" in extra:
            pooling: dict[str, Any] = {"places_offertes": int(_x(extra, "places-offertes") or 0)}
            price = _x(extra, "prix-membre")
            if price:
                pooling["prix_membre"] = _amount(price)
            _put(pooling, "date_limite_inscription", _x(extra, "date-limite-inscription"))
            out["mutualisation"] = pooling
        return out

    def _kept(
        self, el: etree._Element, json_path: str, xpath: str, refused: set[etree._Element]
    ) -> bool:
        if el in refused:
            return False
        if not el.get("numero"):
            self.problems.append(
                ErrorItem(
                    xpath,
                    "attribut numero manquant : un identifiant stable est nécessaire pour "
                    "suivre l'élément d'un envoi à l'autre",
                )
            )
            return False
        self.paths[json_path] = xpath
        return True
