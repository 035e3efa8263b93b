"""How the enDI connector reads the CAE's labels: stages, exit reasons, sexes, postcodes,
trades, and the unit of invoice amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cae_contract.registry import get_registry
from connectors.endi.money import unit_warning
from connectors.endi.vocabulary import TradeMap, departement, exit_reason, sex, stage_kind

DEPARTEMENTS = frozenset(get_registry().code_list("code-departement"))
TRADES = frozenset(get_registry().code_list("code-trade"))


@pytest.mark.parametrize(
    ("zipcode", "expected"),
    [
        ("33000", "33"),
        ("33 700", "33"),
        ("1000", "01"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20090", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("2A004", "2A"),
        ("97200", "972"),
        ("97400", "974"),
        ("97600", "976"),
        ("97500", None),  # Saint-Pierre-et-Miquelon is not a département
        ("98000", None),  # Monaco
        ("75011", "75"),
        ("ABCDE", None),
        ("123", None),
        (None, None),
        ("", None),
    ],
)
def test_departement_of_a_postcode(zipcode: str | None, expected: str | None) -> None:
    assert departement(zipcode, DEPARTEMENTS) == expected


@pytest.mark.parametrize(
    ("stated", "civility", "expected"),
    [
        ("F", None, "F"),
        ("Femme", "Monsieur", "F"),
        ("M", None, "M"),
        ("H", None, "M"),
        (None, "Madame", "F"),
        (None, "Mme", "F"),
        (None, "M.", "M"),
        ("Non renseigné", "Madame", "F"),
        ("Autre", None, "X"),
        (None, "Maître", "X"),
        (None, None, None),
    ],
)
def test_sex(stated: str | None, civility: str | None, expected: str | None) -> None:
    assert sex(stated, civility) == expected


@pytest.mark.parametrize(
    ("stage", "nature", "contract", "expected"),
    [
        ("Contrat CAPE", None, None, "cape"),
        ("Renouvellement du CAPE", None, None, "cape"),
        ("Contrat d'appui au projet d'entreprise", None, None, "cape"),
        ("Contrat CESA", None, None, "cesa"),
        ("Contrat d'entrepreneur salarié associé", None, None, "cesa"),
        ("Avenant CESA", None, None, "ignore"),
        ("Signature", "Avenant contrat de travail", None, "ignore"),
        ("Fin", "Sortie CAE", None, "exit"),
        ("Sortie", None, None, "exit"),
        ("Diagnostic", "Entrée CAE", None, "ignore"),
        ("Réunion d'information collective", None, None, "ignore"),
        ("Contrat", "Contrat de travail", "CESA", "cesa"),
        ("Escapade", None, None, None),  # « cape » inside a word is not a CAPE
        ("Convention", None, None, None),
    ],
)
def test_stage_kind(
    stage: str, nature: str | None, contract: str | None, expected: str | None
) -> None:
    assert stage_kind(stage, nature, contract, {}) == expected


def test_declared_stages_come_first() -> None:
    assert stage_kind("Contrat CAPE", None, None, {"contratcape": "ignore"}) == "ignore"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("Création d'entreprise", None), "company_creation"),
        (("A créé son entreprise", None), "company_creation"),
        (("Installation à son compte", None), "company_creation"),
        (("CDI", "Sortie positive"), "employment"),
        (("Emploi salarié", None), "employment"),
        (("Formation qualifiante", None), "training"),
        (("Démission", None), "other"),
        ((None, None), "other"),
        ((None, "Sortie positive"), None),
        (("Projet abandonné", None), None),
    ],
)
def test_exit_reason(labels: tuple[str | None, str | None], expected: str | None) -> None:
    assert exit_reason(labels, {}) == expected


def test_declared_exit_reasons_come_first_reason_before_type() -> None:
    declared = {"sortiepositive": "employment", "projetabandonne": "other"}
    assert exit_reason((None, "Sortie positive"), declared) == "employment"
    assert exit_reason(("Projet abandonné", "Sortie positive"), declared) == "other"


def test_trade_map() -> None:
    trades = TradeMap({"Électricité": "43.21A", "Conseil": None}, TRADES)
    assert trades.resolve("ELECTRICITE") == (True, "43.21A")
    assert trades.resolve("Conseil") == (True, None)
    assert trades.resolve("43.91B") == (True, "43.91B")
    assert trades.resolve("4391b") == (True, "43.91B")
    assert trades.resolve("47.11A") == (False, None)
    assert trades.resolve("Plomberie") == (False, None)
    assert trades.resolve(None) == (True, None)


def amounts(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


def test_plausible_amounts_raise_no_remark() -> None:
    assert unit_warning(amounts("1234.56", "-200", "15000"), unit="euros", label="f") is None
    assert unit_warning(amounts("123456", "20000"), unit="centimes", label="f") is None
    assert unit_warning(amounts("123456000", "2000000000"), unit="x100000", label="f") is None
    assert unit_warning([], unit="euros", label="f") is None


def test_amounts_off_by_a_unit_factor_are_flagged_with_the_likely_unit() -> None:
    remark = unit_warning(amounts("123456000", "50000000", "80000000"), unit="euros", label="f")
    assert remark is not None
    assert "facture médiane vaudrait 80\u202f000\u202f000,00 €" in remark
    assert "avec « x100000 », elle serait de 800,00 €" in remark
    remark = unit_warning(amounts("1234", "500"), unit="x100000", label="f")
    assert remark is not None and "semblent ne pas être en cent-millièmes" in remark
    remark = unit_warning(amounts("12.5"), unit="x100000", label="f")
    assert remark is not None and "ont des décimales" in remark
