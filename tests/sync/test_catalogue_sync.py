"""``cae-hub sync`` with the lheo connector, over a real socket: the catalogue is sent, found
by the hub's search, not sent again when unchanged, and a session left out is withdrawn."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import requests

from cae_contract.lheo import write_lheo
from connectors.sync.config import load_config
from connectors.sync.runner import run_sync
from tests.served import RunningHub
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


def _wipe_catalogue(hub: RunningHub, siren: str) -> None:
    """The hub loses the member's catalogue (its rows of the catalogue tables deleted, as a
    restore from a backup older than the catalogue would)."""
    member = "SELECT id FROM member WHERE siren = ?"
    sessions = f"SELECT id FROM training_session WHERE member_id IN ({member})"  # noqa: S608
    with sqlite3.connect(hub.database) as db:
        db.execute(f"DELETE FROM training_session_tag WHERE session_id IN ({sessions})", (siren,))  # noqa: S608
        db.execute(f"DELETE FROM training_session WHERE member_id IN ({member})", (siren,))  # noqa: S608
        db.execute(f"DELETE FROM training_catalogue WHERE member_id IN ({member})", (siren,))  # noqa: S608
    db.close()


def test_a_hub_that_lost_the_catalogue_is_sent_it_again_without_force(
    tmp_path: Path, hub: RunningHub, cae: Cae, http: requests.Session
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
    assert [str(o.status) for o in first.outcomes] == ["accepted"]
    held = cae.get("/v1/trainings/catalogue/held").json()["catalogues"]
    assert [(c["revision"], c["sessions"]) for c in held] == [(1, 2)]
    assert held[0]["content_hash"] == cae.get("/v1/trainings/catalogue").json()["content_hash"]
    # Held: nothing is sent again.
    assert [str(o.status) for o in run_sync(config, session=http).outcomes] == ["up_to_date"]

    _wipe_catalogue(hub, cae.siren)
    assert cae.get("/v1/trainings/catalogue/held").json()["catalogues"] == []

    refill = run_sync(config, session=http)

    assert refill.ok, refill
    assert [str(o.status) for o in refill.outcomes] == ["accepted"]
    assert "base restaurée" in refill.render()
    again = cae.get("/v1/trainings/catalogue/held").json()["catalogues"]
    assert [(c["sessions"], c["content_hash"]) for c in again] == [(2, held[0]["content_hash"])]
