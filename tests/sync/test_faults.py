"""A failing network or hub between the client and the hub: retries, waits, no duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from connectors.sync.errors import HubFailed, HubUnreachable
from connectors.sync.state import SyncState
from tests.served import free_port
from tests.sync.conftest import Cae
from tests.sync.connector import cells
from tests.sync.helpers import configure, configure_semester, statuses, sync
from tests.sync.proxy import FaultProxy


def test_a_503_after_the_hub_stored_the_report_ends_in_one_revision(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(503, after_hub=True)  # the hub stores it, the answer is lost on the way
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        report = sync(config, http)
        puts = proxy.requests("PUT")
    assert [p.status for p in puts] == [503, 200]
    assert puts[0].headers["Idempotency-Key"] == puts[1].headers["Idempotency-Key"]
    assert statuses(report) == {"2025-S1": "accepted"}
    assert report.outcomes[0].replayed is True
    assert report.outcomes[0].revision == 1
    assert [r["revision"] for r in cae.revisions("2025-S1")] == [1]


def test_503s_then_success_are_retried_with_backoff(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(503, times=2)
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        report = sync(config, http)
        puts = proxy.requests("PUT")
    assert [p.status for p in puts] == [503, 503, 200]
    # backoff = 0.05 s, doubling, with jitter between half and all of it.
    assert puts[1].at - puts[0].at >= 0.025
    assert puts[2].at - puts[1].at >= 0.05
    assert statuses(report) == {"2025-S1": "accepted"}
    assert len(cae.revisions("2025-S1")) == 1


def test_retry_after_is_honoured(cae: Cae, tmp_path: Path, http: requests.Session) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(429, headers={"Retry-After": "1"})
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        report = sync(config, http)
        puts = proxy.requests("PUT")
    assert [p.status for p in puts] == [429, 200]
    waited = puts[1].at - puts[0].at
    assert 1.0 <= waited < 2.5, waited  # Retry-After, not the 0.05 s backoff
    assert statuses(report) == {"2025-S1": "accepted"}


def test_a_retry_after_longer_than_allowed_stops_the_run_instead_of_blocking(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(503, headers={"Retry-After": "7200"})
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        with pytest.raises(HubFailed, match="demande d'attendre 7200 s"):
            sync(config, http)
        assert len(proxy.requests("PUT")) == 1


def test_a_hub_failing_every_attempt_stops_the_run_and_the_next_run_sends_once(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    reports = {"2024-S2": cells(4), "2025-S1": cells(5)}
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path,
            url=proxy.url,
            token=cae.token,
            reports=reports,
            periods=["2024-S2", "2025-S1"],
        )
        proxy.fail(502, path="/v1/indicators/reports/2025-S1", times=3, after_hub=True)
        with pytest.raises(HubFailed) as raised:
            sync(config, http)
        assert "après 3 essai(s)" in raised.value.message
        assert "HTTP 502" in raised.value.message
        with SyncState(config.data_dir) as state:
            assert [a.period for a in state.acknowledgements()] == ["2024-S2"]

        report = sync(config, http)
    assert statuses(report) == {"2024-S2": "up_to_date", "2025-S1": "accepted"}
    assert report.outcomes[1].replayed is True
    assert len(cae.revisions("2024-S2")) == 1
    assert len(cae.revisions("2025-S1")) == 1


def test_an_unreachable_hub_is_one_french_sentence(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    config = configure_semester(tmp_path, url=url, token=cae.token, total=2)
    with pytest.raises(HubUnreachable) as raised:
        sync(config, http)
    assert raised.value.message == (
        f"hub injoignable à {url} : connexion refusée après 3 essai(s) ; "
        "vérifiez hub.url, le réseau et que le hub est en service"
    )


def test_a_redirect_is_not_followed_but_reported(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(
            308, method="GET", path="/v1/me", headers={"Location": "https://ailleurs.example/v1/me"}
        )
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=2)
        with pytest.raises(HubFailed) as raised:
            sync(config, http)
        assert proxy.requests("PUT") == []
    assert raised.value.message == (
        "le hub renvoie vers une autre adresse (https://ailleurs.example/v1/me) ; "
        "corrigez hub.url en conséquence"
    )


IN_PROGRESS = (
    b'{"type":"https://cae-hub.fr/problems/in-progress","title":"D\\u00e9j\\u00e0 en cours",'
    b'"status":409,"detail":"Cette requ\\u00eate est d\\u00e9j\\u00e0 en cours de traitement."}'
)


def test_a_409_in_progress_is_retried_like_a_503_and_ends_in_one_revision(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    waits: list[float] = []
    with FaultProxy(cae.hub_url) as proxy:
        # The first attempt reaches the hub; the retries find it still being stored.
        proxy.fail(503, after_hub=True)
        proxy.fail(409, times=1, body=IN_PROGRESS, headers={"Retry-After": "4"})
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        report = sync(config, http, sleep=waits.append)
        puts = proxy.requests("PUT")
    assert [p.status for p in puts] == [503, 409, 200]
    assert len({p.headers["Idempotency-Key"] for p in puts}) == 1
    assert 4 <= waits[1] <= 4.5  # the hub's Retry-After, not the 0.05 s backoff
    assert statuses(report) == {"2025-S1": "accepted"}
    assert report.outcomes[0].replayed is True
    assert report.ok
    assert [r["revision"] for r in cae.revisions("2025-S1")] == [1]


def test_a_409_in_progress_every_time_stops_the_run_without_refusing_the_report(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(409, times=3, body=IN_PROGRESS)
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        with pytest.raises(HubFailed) as raised:
            sync(config, http, sleep=lambda _: None)
    assert "après 3 essai(s)" in raised.value.message
    assert "HTTP 409" in raised.value.message
    assert "relancez plus tard" in raised.value.message


def test_any_other_409_is_a_refusal_not_retried(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(409)  # type about:blank: the key served another content
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        report = sync(config, http, sleep=lambda _: None)
        assert [p.status for p in proxy.requests("PUT")] == [409]
    assert statuses(report) == {"2025-S1": "rejected"}
    assert report.outcomes[0].refused_by == "hub"
    assert not report.ok


def test_a_503_retry_after_is_the_wait(cae: Cae, tmp_path: Path, http: requests.Session) -> None:
    waits: list[float] = []
    with FaultProxy(cae.hub_url) as proxy:
        proxy.fail(503, times=2, headers={"Retry-After": "12"})
        config = configure_semester(tmp_path, url=proxy.url, token=cae.token, total=9)
        report = sync(config, http, sleep=waits.append)
        assert [p.status for p in proxy.requests("PUT")] == [503, 503, 200]
    assert len(waits) == 2
    assert all(12 <= wait <= 13 for wait in waits), waits
    assert statuses(report) == {"2025-S1": "accepted"}
