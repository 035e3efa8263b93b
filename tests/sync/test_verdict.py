"""A sync never drops data silently: skipped records, what each indicator carried, and a new
revision that loses what the previous one had."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.sync.conftest import Cae, write_config
from tests.sync.connector import cells, write_reports
from tests.sync.helpers import configure, statuses, sync
from tests.sync.proxy import FaultProxy
from tests.sync.running import run_sync_command

SKIPPED = [
    {"source": "entrepreneurs.csv ligne 4", "message": "date d'entrée illisible « 13/13/2025 »"},
    {"source": "entrepreneurs.csv ligne 9", "message": "contrat inconnu « CDD »"},
]


def _full(total: int = 12) -> list[dict[str, Any]]:
    """A report with contracts, sexes, associates, revenue by trade and training hours."""
    return [
        *cells(total, cesa=8, revenue=182450.5),
        {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 5},
        {"indicator": "entrepreneurs", "dims": {"sex": "M"}, "value": total - 5},
        {"indicator": "associates", "dims": {}, "value": 4},
        {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": 182450.5},
        {"indicator": "training_hours", "dims": {}, "value": 35},
    ]


def test_skipped_records_fail_the_run_unless_accepted(cae: Cae, tmp_path: Path) -> None:
    write_reports(tmp_path / "reports.json", {"2025-S1": cells(6), "_skipped": SKIPPED})
    write_config(tmp_path, url=cae.hub_url, token=cae.token, periods=["2025-S1"])

    done = run_sync_command(tmp_path, "--config", "sync.toml", "--once")

    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "enregistrements ignorés par le connecteur : 2" in done.stdout
    assert "- entrepreneurs.csv ligne 4 : date d'entrée illisible « 13/13/2025 »" in done.stdout
    assert "- entrepreneurs.csv ligne 9 : contrat inconnu « CDD »" in done.stdout
    assert done.stdout.rstrip().endswith(
        "2 enregistrement(s) ignoré(s) par le connecteur, donc absent(s) des chiffres envoyés "
        "(le reste est sur le hub) : corrigez-les dans la source, ou relancez avec "
        "--accept-skipped pour les laisser de côté en connaissance de cause"
    )
    assert len(cae.revisions("2025-S1")) == 1  # what could be read was sent

    again = run_sync_command(tmp_path, "--config", "sync.toml", "--once")
    assert again.returncode == 2  # still skipped: still said

    accepted = run_sync_command(tmp_path, "--config", "sync.toml", "--once", "--accept-skipped")
    assert accepted.returncode == 0, (accepted.stdout, accepted.stderr)
    assert "- entrepreneurs.csv ligne 4 : date d'entrée illisible" in accepted.stdout
    assert accepted.stdout.rstrip().endswith(
        "tout est à jour sur le hub ; 2 enregistrement(s) ignoré(s) laissé(s) de côté "
        "(--accept-skipped)"
    )


def test_the_report_says_per_indicator_what_was_sent(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    config = configure(
        tmp_path,
        url=cae.hub_url,
        token=cae.token,
        reports={"2025-S1": _full()},
        periods=["2025-S1"],
    )
    report = sync(config, http)
    assert statuses(report) == {"2025-S1": "accepted"}
    text = report.render()
    assert "  ce que le hub a reçu, par indicateur :\n    - indicator-report/2025-S1 : " in text
    assert (
        "indicator-report/2025-S1 : 12 entrepreneurs (par contrat, sexe), 4 associés, "
        "entrées : non envoyé, sorties : non envoyé, CA : 182\u202f450,50 € (par métier), "
        "masse salariale : non envoyé, équipe d'appui : non envoyé, formation : 35 h"
    ) in text
    assert report.as_dict()["documents"][0]["contents"].startswith("12 entrepreneurs")


def test_dry_run_shows_the_same_before_anything_is_stored(cae: Cae, tmp_path: Path) -> None:
    write_reports(tmp_path / "reports.json", {"2025-S1": cells(6)})
    write_config(tmp_path, url=cae.hub_url, token=cae.token, periods=["2025-S1"])

    done = run_sync_command(tmp_path, "--config", "sync.toml", "--dry-run")

    assert done.returncode == 0, (done.stdout, done.stderr)
    expected = "indicator-report/2025-S1 : 6 entrepreneurs (par contrat), associés : non envoyé"
    assert "  ce qui serait envoyé, par indicateur :\n    - " + expected in done.stdout
    # Logged before the hub is asked to check anything.
    stderr = done.stderr
    assert "indicator-report/2025-S1 contient : 6 entrepreneurs (par contrat)" in stderr
    assert stderr.index("contient :") < stderr.index("[1/1]")
    assert cae.revisions("2025-S1") == []


def test_a_revision_losing_an_indicator_is_refused_before_sending_unless_configured(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    full = _full()
    thin = [c for c in full if c["indicator"] not in {"revenue_eur", "training_hours"}]
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path, url=proxy.url, token=cae.token, reports={"2025-S1": full}, periods=["2025-S1"]
        )
        assert statuses(sync(config, http)) == {"2025-S1": "accepted"}

        write_reports(tmp_path / "reports.json", {"2025-S1": thin})
        for dry_run in (True, False):
            refused = sync(config, http, dry_run=dry_run)
            assert statuses(refused) == {"2025-S1": "rejected"}
        assert len(proxy.requests("PUT")) == 1  # flagged before anything left
    [outcome] = refused.outcomes
    assert outcome.refused_by == "client"
    assert outcome.detail == (
        "n'envoie plus CA, formation (la révision 1 les envoyait) ; vérifiez la source (colonne "
        "renommée, fichier manquant) ou, si c'est voulu, ajoutez « revenue_eur », "
        "« training_hours » à sync.no_longer_sent"
    )
    assert outcome.errors == (
        ("$.cells", "« revenue_eur » n'est plus envoyé, la révision précédente l'avait"),
        ("$.cells", "« training_hours » n'est plus envoyé, la révision précédente l'avait"),
    )
    assert not refused.ok
    assert [r["revision"] for r in cae.revisions("2025-S1")] == [1]

    # Said on purpose: sent, and the hub's import summary warns of it too.
    config = configure(
        tmp_path,
        url=cae.hub_url,
        token=cae.token,
        reports={"2025-S1": thin},
        periods=["2025-S1"],
        sync_extra='no_longer_sent = ["revenue_eur", "training_hours"]',
    )
    sent = sync(config, http)
    assert statuses(sent) == {"2025-S1": "accepted"}
    assert sent.outcomes[0].revision == 2
    hub_warnings = [m for p, m in sent.outcomes[0].warnings if p == "$.cells"]
    assert [m.split(" : ")[0] for m in hub_warnings] == [
        "« revenue_eur » n'est plus envoyé, la révision précédente l'avait",
        "« training_hours » n'est plus envoyé, la révision précédente l'avait",
    ]
    assert "avertissements du hub pour indicator-report/2025-S1" in sent.render()


def test_a_lost_breakdown_is_refused_and_can_be_declared(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    full = _full()
    no_sex = [c for c in full if "sex" not in c["dims"]]
    config = configure(
        tmp_path, url=cae.hub_url, token=cae.token, reports={"2025-S1": full}, periods=["2025-S1"]
    )
    sync(config, http)
    write_reports(tmp_path / "reports.json", {"2025-S1": no_sex})
    refused = sync(config, http)
    assert statuses(refused) == {"2025-S1": "rejected"}
    assert refused.outcomes[0].detail is not None
    assert refused.outcomes[0].detail.startswith(
        "n'envoie plus entrepreneurs par sexe (la révision 1 l'envoyait)"
    )
    assert "ajoutez « entrepreneurs.sex » à sync.no_longer_sent" in refused.outcomes[0].detail

    config = configure(
        tmp_path,
        url=cae.hub_url,
        token=cae.token,
        reports={"2025-S1": no_sex},
        periods=["2025-S1"],
        sync_extra='no_longer_sent = ["entrepreneurs.sex"]',
    )
    assert statuses(sync(config, http)) == {"2025-S1": "accepted"}
