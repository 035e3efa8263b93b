"""Payroll payloads are the one channel where personal data travels, always encrypted: the
personal-data guard still refuses any clear personal field in indicator and catalogue
documents, and a mandate carries no person at all."""

from __future__ import annotations

import pytest

from cae_contract.registry import get_registry
from connectors.sdk.base import Document
from connectors.sdk.errors import PersonalDataError
from connectors.sdk.guard import ensure_no_personal_data, personal_findings


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        (
            "indicator-report",
            {"period": "2026-S1", "cells": [], "nir": "285077512345678"},
        ),
        (
            "training-catalogue",
            {"formations": [{"intitule": "Enduits", "stagiaire": {"nom": "Durand"}}]},
        ),
    ],
)
def test_clear_personal_fields_are_still_refused(schema: str, body: dict[str, object]) -> None:
    with pytest.raises(PersonalDataError):
        ensure_no_personal_data(Document(schema, f"{schema}/x", "2026-S1", body))


def test_a_mandate_holds_no_personal_field() -> None:
    examples = get_registry().examples("payroll-mandate", "1.0.0")
    assert examples is not None
    for mandate in examples.valid:
        assert personal_findings(mandate) == [
            # a named sub-processor is a company: its denomination, never a person
            (path, kind)
            for path, kind in personal_findings(mandate)
            if ".sous_traitants[" in path
        ]
