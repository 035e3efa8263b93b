"""The conformance suite catches what it promises to catch, and passes a sound connector."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import pytest

from cae_contract.periods import Period
from connectors.sdk import ConfigError, Connector, connector_test_suite, extractor
from connectors.sdk.testing import CHECKS, Conformance

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"count": {"type": "integer", "minimum": 0}},
    "required": ["count"],
}


class Sound(Connector):
    name = "sound"
    version = "1.0.0"
    title = "Connecteur sain"
    config_schema: ClassVar[dict[str, Any]] = SCHEMA

    def check(self) -> None:
        if self.config["count"] > 100:
            raise ConfigError("count : la source n'a que 100 lignes")

    def cells(self, period: Period) -> list[dict[str, Any]]:
        count = self.config["count"]
        return [
            {"indicator": "entrepreneurs", "dims": {}, "value": count},
            {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": count},
        ]

    @extractor("indicator-report")
    def report(self, period: Period) -> dict[str, Any]:
        return {"period": str(period), "cells": self.cells(period)}


class Inconsistent(Sound):
    def cells(self, period: Period) -> list[dict[str, Any]]:
        return [
            {"indicator": "entrepreneurs", "dims": {}, "value": 5},
            {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 4},
        ]


class OffSchema(Sound):
    def cells(self, period: Period) -> list[dict[str, Any]]:
        return [{"indicator": "entrepreneurs", "dims": {"colour": "bleu"}, "value": -1}]


class Leaky(Sound):
    @extractor("indicator-report")
    def report(self, period: Period) -> dict[str, Any]:
        body = super().report(period)
        body["contact"] = {"email": "marie.dupont@exemple.fr"}
        return body


_ticks = itertools.count()


class Drifting(Sound):
    def cells(self, period: Period) -> list[dict[str, Any]]:
        value = next(_ticks)
        return [{"indicator": "entrepreneurs", "dims": {}, "value": value}]


class BadSchema(Sound):
    version = "1.0"
    config_schema: ClassVar[dict[str, Any]] = {"type": "objet"}


class Silent(Sound):
    @extractor("indicator-report")
    def report(self, period: Period) -> dict[str, Any] | None:
        return None


class Crashing(Sound):
    @extractor("indicator-report")
    def report(self, period: Period) -> dict[str, Any]:
        raise KeyError("colonne")


def failures(connector: type[Connector], config: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    results = Conformance(connector, config, ["2025-S1", "2025-S2"]).results()
    assert [r.code for r in results] == list(CHECKS)
    return {r.code: r.problems for r in results if not r.ok}


def test_a_sound_connector_passes_every_check() -> None:
    results = Conformance(Sound, {"count": 3}, ["2025-S2"]).results()
    assert all(r.ok for r in results)
    assert results[0].line() == "[ok] identité du connecteur (nom, version, titre, extracteurs)"


def test_refused_configuration_and_failing_check() -> None:
    refused = failures(Sound, {"count": "trois"})
    assert refused["config"] == (
        "configuration du connecteur « sound » refusée : count : doit être un nombre entier",
    )
    assert refused["check"][0].startswith("non vérifié : configuration refusée")
    assert set(refused) == set(CHECKS) - {"identity", "config_schema"}
    failing = failures(Sound, {"count": 500})
    assert set(failing) == {"check"}
    assert failing["check"] == ("count : la source n'a que 100 lignes",)


def test_inconsistent_breakdowns_fail_the_hub_rules() -> None:
    problems = failures(Inconsistent, {"count": 1})
    assert set(problems) == {"consistency"}
    assert problems["consistency"][0] == (
        "indicator-report/2025-S1 : $.cells[0].value : entrepreneurs (total) : 5 déclaré, "
        "mais la ventilation par sex en donne 4"
    )


def test_documents_off_schema_fail() -> None:
    problems = failures(OffSchema, {"count": 1})
    assert set(problems) == {"schemas", "consistency"}
    assert (
        "indicator-report/2025-S1 : $.cells[0].dims.colour : dimension « colour » non admise"
        in (" ".join(problems["schemas"]))
    )


def test_personal_data_fails() -> None:
    problems = failures(Leaky, {"count": 1})
    assert problems["personal_data"] == (
        "indicator-report/2025-S1 : $.contact.email (adresse électronique)",
        "indicator-report/2025-S2 : $.contact.email (adresse électronique)",
    )


def test_two_runs_must_agree() -> None:
    problems = failures(Drifting, {"count": 1})
    assert set(problems) == {"deterministic"}
    assert problems["deterministic"] == (
        "indicator-report/2025-S1 : contenu différent à la seconde exécution",
        "indicator-report/2025-S2 : contenu différent à la seconde exécution",
    )


def test_identity_and_configuration_schema() -> None:
    problems = failures(BadSchema, {"count": 1})
    assert problems["identity"] == ("version « 1.0 » invalide (MAJEUR.MINEUR.CORRECTIF)",)
    assert problems["config_schema"][0].startswith("non conforme au méta-schéma 2020-12")


def test_no_document_and_crash_are_failures_not_tracebacks() -> None:
    assert failures(Silent, {"count": 1})["documents"] == (
        "aucun document produit pour 2025-S1, 2025-S2",
    )
    crashed = failures(Crashing, {"count": 1})
    assert crashed["documents"] == ("erreur inattendue (KeyError : 'colonne')",)


def test_result_line_shows_the_first_problem_and_how_many_more() -> None:
    (result,) = [r for r in Conformance(Leaky, {"count": 1}, ["2025-S1", "2025-S2"]).results()
                 if r.code == "personal_data"]  # fmt: skip
    assert result.line() == (
        "[échec] aucune donnée personnelle dans les documents : "
        "indicator-report/2025-S1 : $.contact.email (adresse électronique) (et 1 autre(s))"
    )


# The suite as a connector author uses it: one line builds a pytest class.
TestSound = connector_test_suite(Sound, config={"count": 2}, periods=["2025-S1", "2025-S2"])


def test_generated_class_runs_every_check_and_fails_loudly() -> None:
    assert {name for name in dir(TestSound) if name.startswith("test_")} == {
        f"test_{code}" for code in CHECKS
    }
    failing = connector_test_suite(Leaky, config={"count": 1}, periods=["2025-S2"])
    with pytest.raises(AssertionError, match=r"\$.contact.email \(adresse électronique\)"):
        failing().test_personal_data(request=None)
