"""The connector base class and the error tree: what a connector author relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from cae_contract.periods import Period
from connectors.sdk import (
    ConfigError,
    Connector,
    ConnectorError,
    Document,
    FatalSyncError,
    PersonalDataError,
    RetriableSyncError,
    SkippableRecordError,
    Skipped,
    extractor,
)
from connectors.sdk import errors as errors_module


class Counter(Connector):
    """A small declarative connector: a fixed number of entrepreneurs per period."""

    name = "counter"
    version = "1.2.3"
    title = "Compteur"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["count"],
        "additionalProperties": False,
        "properties": {"count": {"type": "integer", "minimum": 0}, "file": {"type": "string"}},
    }

    def check(self) -> None:
        if self.config["count"] > 1000:
            raise ConfigError("count : plus de 1000 entrepreneurs, vérifiez la valeur")

    @extractor("indicator-report")
    def report(self, period: Period) -> dict[str, Any] | None:
        if period.year < 2020:
            return None
        if self.config["count"] == 13:
            self.skip(SkippableRecordError("ligne 13 : illisible", source="ligne 13"))
        return {
            "period": str(period),
            "cells": [{"indicator": "entrepreneurs", "dims": {}, "value": self.config["count"]}],
        }


def test_a_connector_is_a_declarative_class() -> None:
    assert Counter.extractors == {"indicator-report": "report"}
    connector = Counter({"count": 4})
    connector.check()
    documents = list(connector.documents(["2025-S1", Period(2025, 2), "2019"]))
    assert documents == [
        Document(
            "indicator-report",
            "indicator-report/2025-S1",
            "2025-S1",
            {
                "period": "2025-S1",
                "cells": [{"indicator": "entrepreneurs", "dims": {}, "value": 4}],
            },
        ),
        Document(
            "indicator-report",
            "indicator-report/2025-S2",
            "2025-S2",
            {
                "period": "2025-S2",
                "cells": [{"indicator": "entrepreneurs", "dims": {}, "value": 4}],
            },
        ),
    ]
    assert connector.label == "counter/1.2.3"


def test_configuration_is_checked_against_its_schema_in_french() -> None:
    with pytest.raises(ConfigError) as caught:
        Counter({"count": -1, "colour": "bleu"})
    message = caught.value.message
    assert message.startswith("configuration du connecteur « counter » refusée : ")
    assert "count : doit être supérieur ou égal à 0" in message
    assert "colour : champ non admis" in message
    with pytest.raises(ConfigError, match="count : champ obligatoire"):
        Counter({})
    with pytest.raises(ConfigError, match="configuration : doit être un objet"):
        Counter([])  # type: ignore[arg-type]


def test_configuration_is_copied_and_paths_resolve_against_base_dir(tmp_path: Path) -> None:
    given = {"count": 1, "file": "data/registre.csv"}
    connector = Counter(given, base_dir=tmp_path)
    given["count"] = 99
    assert connector.config["count"] == 1
    assert connector.path(connector.config["file"]) == tmp_path.resolve() / "data/registre.csv"
    assert connector.path("/srv/x.csv") == Path("/srv/x.csv")


def test_check_says_what_is_wrong() -> None:
    with pytest.raises(ConfigError, match="plus de 1000 entrepreneurs"):
        Counter({"count": 5000}).check()


def test_skipped_records_are_kept_once_and_reset_on_each_run() -> None:
    connector = Counter({"count": 13})
    list(connector.documents(["2025-S1", "2025-S2"]))
    assert connector.skipped == [Skipped("ligne 13", "ligne 13 : illisible")]
    connector.config["count"] = 2
    list(connector.documents(["2025-S1"]))
    assert connector.skipped == []


def test_bad_period_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="« 2025-S3 » n'est pas une période"):
        list(Counter({"count": 1}).documents(["2025-S3"]))


def test_extractor_must_return_a_dict() -> None:
    class Broken(Counter):
        @extractor("indicator-report")
        def report(self, period: Period) -> Any:
            return ["not", "a", "document"]

    with pytest.raises(FatalSyncError, match="document indicator-report illisible pour 2025-S1"):
        list(Broken({"count": 1}).documents(["2025-S1"]))


def test_an_override_without_decorator_withdraws_the_extractor() -> None:
    class Quiet(Counter):
        def report(self, period: Period) -> dict[str, Any] | None:
            return None

    assert Quiet.extractors == {}


def test_two_extractors_for_one_schema_are_refused() -> None:
    with pytest.raises(TypeError, match="two extractors for 'indicator-report'"):

        class Twice(Counter):
            @extractor("indicator-report")
            def other(self, period: Period) -> dict[str, Any]:
                return {}


def test_error_tree_matches_what_the_runner_does() -> None:
    for kind in (ConfigError, FatalSyncError, RetriableSyncError, SkippableRecordError):
        assert issubclass(kind, ConnectorError)
    assert issubclass(PersonalDataError, FatalSyncError)
    for kind in (ConfigError, FatalSyncError, RetriableSyncError, SkippableRecordError):
        assert kind.__name__ in (errors_module.__doc__ or "")
    error = RetriableSyncError("source occupée", detail="HTTP 503", retry_after=30)
    assert str(error) == "source occupée" and error.detail == "HTTP 503"
    assert error.retry_after == 30
    skipped = SkippableRecordError("ligne 4 : date illisible", source="f.csv ligne 4")
    assert skipped.source == "f.csv ligne 4" and skipped.detail is None
    leak = PersonalDataError("refusé", paths=["$.cells[0].dims.email"])
    assert leak.paths == ("$.cells[0].dims.email",)
