"""The committed OpenAPI document is what the code produces, is valid OpenAPI with every
$ref resolving, and documents the errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from directory_api import create_app
from directory_api.web.openapi_text import openapi_text
from tests.conftest import REPO

COMMITTED = REPO / "openapi" / "openapi.json"


def test_committed_openapi_matches_code():
    produced = openapi_text(create_app({"DATABASE_URL": "sqlite://"}))
    assert COMMITTED.read_text(encoding="utf-8") == produced, (
        "openapi/openapi.json is out of date: run 'make openapi'"
    )


def refs(node: Any) -> Iterator[str]:
    """Every $ref in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(doc: dict[str, Any], ref: str) -> Any:
    """The node a local JSON pointer ('#/components/schemas/X') names; KeyError if none."""
    assert ref.startswith("#/"), f"not a local $ref: {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"unresolvable $ref {ref!r}: no {part!r}")
        node = node[part]
    return node


def test_committed_openapi_is_valid_and_every_ref_resolves():
    doc = json.loads(COMMITTED.read_text(encoding="utf-8"))
    validate(doc)  # openapi-spec-validator: OpenAPI 3.0 schema, following every $ref
    found = set(refs(doc))
    assert "#/components/schemas/ImportOptions" in found  # the JSON import body
    for ref in sorted(found):
        assert isinstance(resolve(doc, ref), dict)


def test_a_dangling_ref_is_caught():
    """As the document was before ImportOptions was registered (openapi-spec-validator
    alone let that pass)."""
    doc = json.loads(COMMITTED.read_text(encoding="utf-8"))
    del doc["components"]["schemas"]["ImportOptions"]
    with pytest.raises(KeyError, match="ImportOptions"):
        for ref in refs(doc):
            resolve(doc, ref)


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
