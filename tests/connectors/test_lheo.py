"""The lheo connector: one catalogue document per run, refused elements as skipped records,
unreadable files stopping the run with a French message."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from cae_contract.lheo import with_defaults, write_lheo
from cae_contract.registry import get_registry
from connectors.lheo import LheoConnector
from connectors.sdk import ensure_no_personal_data
from connectors.sdk.errors import ConfigError, FatalSyncError, PersonalDataError


def catalogue() -> dict[str, Any]:
    examples = get_registry().examples("training-catalogue", "1.0.0")
    assert examples is not None
    return copy.deepcopy(examples.valid[0])


def connector_for(path: Path) -> LheoConnector:
    return LheoConnector({"file": path.name}, base_dir=path.parent)


def test_one_catalogue_document_for_the_run_whatever_the_periods(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(write_lheo([catalogue()]))

    documents = list(connector_for(path).documents(["2026-S1", "2026-S2"]))

    assert [(d.schema, d.key, d.period) for d in documents] == [
        ("training-catalogue", "training-catalogue", "2026-S2")
    ]
    assert documents[0].body == with_defaults(catalogue())


def test_the_guard_lets_public_contact_points_through_but_not_a_trainee(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(write_lheo([catalogue()]))
    (document,) = connector_for(path).documents(["2026-S2"])
    ensure_no_personal_data(document)  # venues, registration address, the training service

    leaked = copy.deepcopy(document.body)
    leaked["formations"][0]["contenu"] = "Stagiaire inscrit : jean.dupont@example.org"
    with pytest.raises(PersonalDataError, match=r"formations\[0\]\.contenu"):
        ensure_no_personal_data(type(document)(**{**document.__dict__, "body": leaked}))


def test_a_refused_session_is_a_skipped_record_named_by_xpath(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(
        write_lheo([catalogue()]).replace(b"<debut>20270118</debut>", b"<debut>x</debut>")
    )
    connector = connector_for(path)

    (document,) = connector.documents(["2026-S2"])

    sessions = document.body["formations"][0]["actions"][0]["sessions"]
    assert [s["numero"] for s in sessions] == ["S-TOIT-2027-02"]
    assert connector.skipped
    assert connector.skipped[0].source == (
        "catalogue.xml /lheo/offres/formation/action/session[1]/periode/debut"
    )


def test_a_hostile_file_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&x;</offres></lheo>'
    )

    with pytest.raises(FatalSyncError, match="DTD"):
        connector_for(path).check()


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        connector_for(tmp_path / "absent.xml").check()


def test_public_contact_points_are_only_public_in_a_catalogue(tmp_path: Path) -> None:
    from connectors.sdk.guard import personal_findings

    body = with_defaults(catalogue())

    assert personal_findings(body, schema="training-catalogue") == []
    assert personal_findings(body)  # the same fields in any other document are findings
