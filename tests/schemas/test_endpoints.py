"""``/v1/schemas``: the registry over HTTP, with ETags."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from cae_contract.registry import SCHEMAS_DIR


def test_list_names_every_schema(client: TestClient) -> None:
    response = client.get("/v1/schemas")
    assert response.status_code == 200
    by_name = {s["name"]: s for s in response.json()}
    assert by_name["indicator-report"]["latest"] == "1.0.0"
    assert by_name["indicator-report"]["title"] == "Rapport d'indicateurs"
    assert response.headers["etag"].startswith('"')


def test_one_version_is_served_byte_for_byte(client: TestClient) -> None:
    response = client.get("/v1/schemas/indicator-report/1.0.0")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    assert response.content == (SCHEMAS_DIR / "indicator-report/1.0.0.json").read_bytes()
    assert "immutable" in response.headers["cache-control"]


def test_relative_references_resolve_against_the_api(client: TestClient) -> None:
    document = client.get("/v1/schemas/member-profile/1.0.0").json()
    ref = document["properties"]["region"]["$ref"]
    assert ref == "../code-region/1.0.0.json"
    target = client.get("/v1/schemas/code-region/1.0.0.json")
    assert target.status_code == 200
    assert json.loads(target.content)["$id"].endswith("code-region/1.0.0.json")


def test_etag_gives_304_and_a_stale_etag_gives_the_document(client: TestClient) -> None:
    first = client.get("/v1/schemas/code-trade/1.0.0")
    etag = first.headers["etag"]
    again = client.get("/v1/schemas/code-trade/1.0.0", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = client.get("/v1/schemas/code-trade/1.0.0", headers={"If-None-Match": '"autre"'})
    assert stale.status_code == 200
    listing = client.get("/v1/schemas")
    assert (
        client.get("/v1/schemas", headers={"If-None-Match": listing.headers["etag"]}).status_code
        == 304
    )


def test_detail_lists_versions(client: TestClient) -> None:
    response = client.get("/v1/schemas/code-sex")
    assert response.status_code == 200
    body = response.json()
    assert body["versions"] == ["1.0.0"]
    assert body["published"][0]["url"] == "/v1/schemas/code-sex/1.0.0"
    cached = client.get("/v1/schemas/code-sex", headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304


def test_latest_is_not_cached_for_long(client: TestClient) -> None:
    response = client.get("/v1/schemas/code-sex/latest")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


def test_unknown_schema_or_version_is_404(client: TestClient) -> None:
    assert client.get("/v1/schemas/inconnu").status_code == 404
    missing = client.get("/v1/schemas/code-sex/9.9.9")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Le schéma « code-sex » n'a pas de version 9.9.9."


def test_malformed_version_names_the_parameter(client: TestClient) -> None:
    response = client.get("/v1/schemas/code-sex/v1")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "path.version"
