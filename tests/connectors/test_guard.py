"""The personal-data guard: real-looking identifiers are caught, normal reports pass."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bench.federation import generate_federation, large_report, report_for
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from connectors.sdk import (
    Document,
    EntrepreneurRecord,
    FatalSyncError,
    PersonalDataError,
    build_report,
    ensure_no_personal_data,
    find_personal_fields,
)
from connectors.sdk.guard import personal_findings

# Check digits computed as the real schemes do (NIR: 97 - n mod 97; IBAN: ISO 13616).
NIRS = ["1 85 05 78 006 084 91", "269029934173285", "1 85 05 2A 015 123 17", "2930633063117"]
IBANS = ["FR76 3000 6000 0112 3456 7890 189", "DE89370400440532013000", "be68 5390 0754 7034"]
EMAILS = ["marie.dupont@exemple.fr", "contact+paie@cae-gironde.coop"]
PHONES = ["06 12 34 56 78", "+33 6 12 34 56 78", "05.56.00.00.00", "0033556000000", "0612345678"]


def report(**dims: Any) -> dict[str, Any]:
    return {
        "period": "2025-S2",
        "cells": [{"indicator": "entrepreneurs", "dims": dims, "value": 1}],
    }


@pytest.mark.parametrize(
    ("value", "kind"),
    [*((v, "NIR") for v in NIRS), *((v, "IBAN") for v in IBANS),
     *((v, "adresse électronique") for v in EMAILS), *((v, "téléphone") for v in PHONES),
     ("1985-05-12", "date de naissance"), ("12/05/1985", "date de naissance"),
     (f"salarié n° {NIRS[0]} sorti", "NIR"), (f"virement {IBANS[0]} SUITE", "IBAN")],
)  # fmt: skip
def test_personal_values_are_found_wherever_they_hide(value: str, kind: str) -> None:
    body = report(trade=value)
    assert personal_findings(body, on=date(2025, 11, 1)) == [("$.cells[0].dims.trade", kind)]


@pytest.mark.parametrize(
    "key",
    ["nom", "Prénom", "firstName", "last_name", "NIR", "numSecu", "num_secu", "date_naissance",
     "birthDate", "dob", "adresse", "street", "codePostal", "code_postal", "zipcode",
     "contact_email", "e-mail", "courriel", "telephone", "tel", "mobile", "IBAN", "bic", "rib"],
)  # fmt: skip
def test_personal_keys_are_found(key: str) -> None:
    body = {"period": "2025-S2", "cells": [], "extra": {key: "x"}}
    assert find_personal_fields(body) == [f"$.extra.{key}"]


@pytest.mark.parametrize(
    "key", ["nombre", "nomenclature", "denomination", "hotel", "intelligence", "telework",
            "indicator", "dims", "value", "period", "trade", "departement", "age_band"],
)  # fmt: skip
def test_ordinary_keys_are_not_personal(key: str) -> None:
    assert find_personal_fields({key: "x"}) == []


@pytest.mark.parametrize(
    "value",
    ["43.21A", "71.11Z", "2025-S2", "2026", "2A", "971", "<26", "26-35", ">55", "cesa",
     "company_creation", "2025-12-31", "01/07/2025", "FR7630006000011234567890188",
     "2 85 05 33 063 042 00", "1234567890123", "12 345,67", "0,85", "SIREN 812345678"],
)  # fmt: skip
def test_codes_recent_dates_and_bad_checksums_are_not_personal(value: str) -> None:
    assert personal_findings(report(trade=value), on=date(2025, 11, 1)) == []


def test_real_reports_pass() -> None:
    people = [
        EntrepreneurRecord("l1", date(2020, 1, 1), cesa_date=date(2020, 6, 1), trade="43.21A",
                           sex="F", birth_date=date(1985, 5, 12), departement="2A"),
        EntrepreneurRecord("l2", date(2025, 9, 1), trade="43.99C", sex="M",
                           birth_date=date(1970, 1, 1), departement="971"),
    ]  # fmt: skip
    assert find_personal_fields(build_report(Period(2025, 2), people)) == []
    assert find_personal_fields(large_report(cells=3000)) == []
    federation = generate_federation(caes=3, semesters=2, seed=5)
    for cae in federation.caes:
        for period in federation.periods:
            assert find_personal_fields(report_for(cae, period)) == []


def test_every_code_of_every_list_is_clean() -> None:
    registry = get_registry()
    codes = [
        {"code": code, "label": label}
        for name in registry.names()
        if name.startswith("code-")
        for code, label in registry.code_list(name).items()
    ]
    assert find_personal_fields({"codes": codes}) == []


def test_guard_refuses_the_document_without_quoting_the_value() -> None:
    document = Document(
        "indicator-report",
        "indicator-report/2025-S2",
        "2025-S2",
        {**report(trade="43.21A"), "contact": {"email": EMAILS[0], "note": NIRS[1]}},
    )
    with pytest.raises(PersonalDataError) as caught:
        ensure_no_personal_data(document)
    error = caught.value
    assert isinstance(error, FatalSyncError)
    assert error.paths == ("$.contact.email", "$.contact.note")
    assert error.message == (
        "indicator-report/2025-S2 n'est pas envoyé : il contient des données personnelles à "
        "$.contact.email (adresse électronique), $.contact.note (NIR)"
    )
    assert EMAILS[0] not in str(error) and NIRS[1] not in str(error)
    ensure_no_personal_data(report(trade="43.21A"))


def test_empty_personal_keys_and_numbers_are_not_flagged() -> None:
    assert find_personal_fields({"nom": None, "email": "", "cells": [{"value": 612345678}]}) == []
