"""What the report says each indicator report carries, read from the document alone."""

from __future__ import annotations

from typing import Any

from connectors.sdk.base import Document
from connectors.sync.contents import describe, document_breakdowns


def _report(cells: list[dict[str, Any]]) -> Document:
    return Document("indicator-report", "indicator-report/2025-S1", "2025-S1", {"cells": cells})


def test_without_a_total_the_first_single_breakdown_is_summed() -> None:
    document = _report(
        [
            {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 1},
            {"indicator": "entrepreneurs", "dims": {"sex": "M"}, "value": 0},
            {"indicator": "entrepreneurs", "dims": {"contract": "cesa", "sex": "F"}, "value": 1},
            {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": 1000.0},
            {"indicator": "revenue_eur", "dims": {"trade": "43.22A"}, "value": 234567},
            {"indicator": "gross_payroll_eur", "dims": {}, "value": 12.3},
        ]
    )
    text = describe(document)
    assert text is not None
    assert text.startswith("1 entrepreneur (par contrat, sexe), associés : non envoyé, ")
    assert "CA : 235\u202f567 € (par métier)" in text
    assert "masse salariale : 12,30 €" in text
    assert document_breakdowns(document) == {
        "entrepreneurs": ["contract,sex", "sex"],
        "gross_payroll_eur": [""],
        "revenue_eur": ["trade"],
    }


def test_an_indicator_this_client_does_not_know_is_shown_by_its_code() -> None:
    text = describe(_report([{"indicator": "new_thing", "dims": {}, "value": 7}]))
    assert text is not None and text.endswith(", formation : non envoyé, new_thing : 7")


def test_other_kinds_of_documents_are_not_described() -> None:
    other = Document("training-catalogue", "training-catalogue/2025", "2025", {"items": []})
    assert describe(other) is None
    assert document_breakdowns(other) is None
