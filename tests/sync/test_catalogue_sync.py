"""``cae-hub sync`` with the lheo connector, over a real socket: the catalogue is sent, found
by the hub's search, not sent again when unchanged, and a session left out is withdrawn."""

from __future__ import annotations

from pathlib import Path

import requests

from cae_contract.lheo import write_lheo
from connectors.sync.config import load_config
from connectors.sync.runner import run_sync
from tests.sync.conftest import Cae, write_config
from tests.trainings.catalogues import example


def test_a_lheo_catalogue_is_synced_once_then_its_changes(
    tmp_path: Path, cae: Cae, http: requests.Session
) -> None:
    catalogue = tmp_path / "catalogue.xml"
    catalogue.write_bytes(write_lheo([example()]))
    config = load_config(
        write_config(
            tmp_path,
            url=cae.hub_url,
            token=cae.token,
            connector="lheo",
            connector_config='file = "catalogue.xml"',
            periods=["2026-S2"],
        )
    )

    first = run_sync(config, session=http)

    assert first.ok, first
    assert [str(o.status) for o in first.outcomes] == ["accepted"]
    found = cae.get("/v1/trainings/sessions").json()
    assert sorted(i["numero"] for i in found["items"]) == ["S-TOIT-2027-01", "S-TOIT-2027-02"]

    second = run_sync(config, session=http)

    assert [str(o.status) for o in second.outcomes] == ["up_to_date"]  # nothing sent

    shorter = example()
    shorter["formations"][0]["actions"][0]["sessions"].pop()
    catalogue.write_bytes(write_lheo([shorter]))

    third = run_sync(config, session=http)

    assert [str(o.status) for o in third.outcomes] == ["accepted"]
    found = cae.get("/v1/trainings/sessions").json()
    assert [i["numero"] for i in found["items"]] == ["S-TOIT-2027-01"]
