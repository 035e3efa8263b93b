"""A revision that no longer sends an indicator or a breakdown the previous one had is flagged."""

from __future__ import annotations

from sqlmodel import Session

from cae_contract.continuity import (
    Loss,
    breakdown_words,
    breakdowns_of,
    lost_breakdown_warnings,
    lost_breakdowns,
)
from cae_contract.problems import ErrorItem
from hub.indicators.service import report_service
from tests.factories import create_member

BEFORE = {
    "entrepreneurs": ["", "contract", "contract,sex", "sex"],
    "revenue_eur": ["", "trade"],
    "support_staff_fte": [""],
    "training_hours": [""],
}


def test_nothing_lost_means_no_warning() -> None:
    assert lost_breakdown_warnings(BEFORE, BEFORE) == []
    more = {**BEFORE, "associates": [""], "entrepreneurs": [*BEFORE["entrepreneurs"], "trade"]}
    assert lost_breakdown_warnings(BEFORE, more) == []


def test_a_first_revision_has_nothing_to_lose() -> None:
    assert lost_breakdown_warnings(None, {"entrepreneurs": [""]}) == []
    assert lost_breakdown_warnings({}, {"entrepreneurs": [""]}) == []


def test_lost_indicators_and_breakdowns_are_listed_in_order() -> None:
    after = {"entrepreneurs": ["", "contract"], "revenue_eur": ["trade"]}
    assert lost_breakdowns(BEFORE, after) == [
        Loss("entrepreneurs", "contract,sex"),
        Loss("entrepreneurs", "sex"),
        Loss("revenue_eur", ""),
        Loss("support_staff_fte"),
        Loss("training_hours"),
    ]


def test_the_warnings_are_french_sentences_on_the_cells() -> None:
    after = {"entrepreneurs": ["", "contract", "contract,sex"], "revenue_eur": [""]}
    warnings = lost_breakdown_warnings(BEFORE, after)
    assert all(isinstance(w, ErrorItem) and w.path == "$.cells" for w in warnings)
    assert [w.message.split(" : ")[0] for w in warnings] == [
        "« entrepreneurs » n'est plus envoyé par sexe, la révision précédente l'avait",
        "« revenue_eur » n'est plus envoyé par métier, la révision précédente l'avait",
        "« support_staff_fte » n'est plus envoyé, la révision précédente l'avait",
        "« training_hours » n'est plus envoyé, la révision précédente l'avait",
    ]
    assert warnings[0].message.endswith("(colonne renommée, fichier manquant)")


def test_breakdowns_are_written_as_revisions_store_them() -> None:
    cells = [("entrepreneurs", []), ("entrepreneurs", ["sex", "contract"]), ("revenue_eur", [])]
    assert breakdowns_of(cells) == {"entrepreneurs": ["", "contract,sex"], "revenue_eur": [""]}
    assert breakdown_words("") == "au total"
    assert breakdown_words("contract,sex") == "par contrat × sexe"


def _document(cells: list[dict[str, object]]) -> dict[str, object]:
    return {"period": "2025-S2", "cells": cells}


FULL = [
    {"indicator": "entrepreneurs", "dims": {}, "value": 5},
    {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 2},
    {"indicator": "entrepreneurs", "dims": {"sex": "M"}, "value": 3},
    {"indicator": "revenue_eur", "dims": {}, "value": 1000.0},
    {"indicator": "training_hours", "dims": {}, "value": 12},
]


def test_the_import_summary_warns_of_what_the_new_revision_lost(session: Session) -> None:
    member = create_member(session)
    first = report_service.submit(session, member, "2025-S2", _document(FULL))
    assert first.warnings == []
    thinner = [FULL[0], {**FULL[0], "indicator": "associates", "value": 1}]
    checked = report_service.submit(session, member, "2025-S2", _document(thinner), dry_run=True)
    second = report_service.submit(session, member, "2025-S2", _document(thinner))
    for summary in (checked, second):
        messages = [w.message for w in summary.warnings if w.path == "$.cells"]
        assert [m.split(" : ")[0] for m in messages] == [
            "« entrepreneurs » n'est plus envoyé par sexe, la révision précédente l'avait",
            "« revenue_eur » n'est plus envoyé, la révision précédente l'avait",
            "« training_hours » n'est plus envoyé, la révision précédente l'avait",
        ]
    assert second.revision == 2
    # Compared with the current revision only: sending the thin one again loses nothing.
    third = report_service.submit(session, member, "2025-S2", _document([*thinner, FULL[3]]))
    assert [w for w in third.warnings if w.path == "$.cells"] == []
