"""The access log has one line for every answer, errors that escape every handler included."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hub.main import create_app
from tests.databases import settings_for


def test_an_unexpected_error_is_a_500_in_the_access_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(settings_for("sqlite://").model_copy(update={"log_level": "INFO"}))

    def broken() -> None:
        raise RuntimeError("panne simulée")

    app.add_api_route("/essai-panne", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/essai-panne", headers={"X-Request-ID": "demande-42"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    lines = [line for line in capsys.readouterr().err.splitlines() if "demande-42" in line]
    access = [line for line in lines if "path=/essai-panne" in line and "status=500" in line]
    assert len(access) == 1, lines


def test_every_answer_has_a_request_id_and_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(settings_for("sqlite://").model_copy(update={"log_level": "INFO"}))
    with TestClient(app) as client:
        refused = client.get("/v1/schemas?x=%00", headers={"X-Request-ID": "demande-43"})
    assert refused.status_code == 400
    assert refused.headers["x-request-id"] == "demande-43"
    err = capsys.readouterr().err
    assert any("demande-43" in line and "status=400" in line for line in err.splitlines())
