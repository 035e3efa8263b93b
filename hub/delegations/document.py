"""The mandate as a document both CAEs sign or keep: French HTML generated from the mandate's
data, naming its version and the SHA-256 of its content."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from cae_contract.payroll import MANDATE_SCHEMA
from cae_contract.registry import get_registry
from hub.delegations.models import MandateVersion
from hub.members.models import Member

END_LABELS = {
    "restitution": "restitution de toutes les données à la délégante",
    "suppression": "suppression de toutes les données par la délégataire",
    "restitution_puis_suppression": (
        "restitution de toutes les données à la délégante, puis suppression de toutes les "
        "copies par la délégataire"
    ),
}


def french_day(text: str) -> str:
    """AAAA-MM-JJ written JJ/MM/AAAA."""
    year, month, day = text.split("-")
    return f"{day}/{month}/{year}"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("hub.delegations", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    environment.filters["jour"] = french_day
    return environment


def _labels(definition: str) -> dict[str, str]:
    schema = get_registry().get(MANDATE_SCHEMA, "1.0.0").document
    return {b["const"]: b["title"] for b in schema["$defs"][definition]["anyOf"]}


def mandate_html(
    version: MandateVersion, delegante: Member, delegataire: Member, *, uid: str
) -> str:
    """The contract of ``version`` as a standalone French HTML page."""
    d: dict[str, Any] = version.document
    tasks = get_registry().code_list("code-payroll-task")
    data, persons = _labels("categorie-donnees"), _labels("categorie-personnes")
    duration = (
        f"du {french_day(d['debut'])} au {french_day(d['fin'])}"
        if "fin" in d
        else f"à compter du {french_day(d['debut'])}, pour une durée indéterminée"
    )
    return (
        _environment()
        .get_template("mandate.html")
        .render(
            uid=uid,
            version=version,
            d=d,
            delegante=delegante,
            delegataire=delegataire,
            duration=duration,
            tasks=[tasks.get(t, t) for t in d["taches"]],
            data=[data.get(c, c) for c in d["categories_donnees"]],
            persons=[persons.get(c, c) for c in d["categories_personnes"]],
            end=END_LABELS[d["fin_de_contrat"]],
        )
    )
