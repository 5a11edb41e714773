"""The committed OpenAPI document is what the code produces, and it documents the errors."""

from __future__ import annotations

import json

from directory_api import create_app
from directory_api.cli import openapi_text
from tests.conftest import REPO

COMMITTED = REPO / "openapi" / "openapi.json"


def test_committed_openapi_matches_code():
    produced = openapi_text(create_app({"DATABASE_URL": "sqlite://"}))
    assert COMMITTED.read_text(encoding="utf-8") == produced, (
        "openapi/openapi.json is out of date: run 'make openapi'"
    )


def test_openapi_documents_error_shape_and_search():
    doc = json.loads(COMMITTED.read_text(encoding="utf-8"))
    error = doc["components"]["schemas"]["Error"]
    assert {"code", "status", "message", "errors"} <= set(error["properties"])
    search = doc["paths"]["/v1/search"]["get"]
    assert "422" in search["responses"] and "200" in search["responses"]
    names = {p["name"] for p in search["parameters"]}
    assert {"care", "near", "lat", "lon", "scheme", "limit", "max_km", "lang"} <= names
    assert "GeoNames" in doc["info"]["description"]


def test_served_openapi_and_docs_page(client):
    assert client.get("/openapi.json").get_json()["paths"]
    page = client.get("/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/static/swagger-ui/" in text and "cdn" not in text.lower()
    with client.get("/static/swagger-ui/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
