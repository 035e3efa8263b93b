"""Catalogue documents written as LHÉO 2.3, valid against the official XSD; the pooling
extension goes in ``<extras>`` under our namespace (``EXTRA_NS``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from lxml import etree

from cae_contract.lheo_format import DEFAULTS, EXTRA_NS, LHEO_NS
from cae_contract.lheo_format import L as _L
from cae_contract.lheo_format import X as _X

__all__ = ["write_lheo"]


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
