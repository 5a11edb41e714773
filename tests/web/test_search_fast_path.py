"""The lean /v1/search view answers exactly as the documented flask-smorest view would.

Plainly valid queries skip webargs and marshmallow (issue 5: the search must stay close to a
bare Flask route; web/search_query.py). These tests hold the view's shortcut equal to the
documented path it stands in for, over HTTP.
"""

from __future__ import annotations

import json

import pytest

from directory_api.imports.pipeline import import_file
from directory_api.web import search_query
from tests.conftest import needs_geodata

CSV = b"""naam;categorie;gecontracteerd;postcode;plaats;lat;lon
Apotheek Domplein;apotheek;ja;3512 JE;Utrecht;52,0908;5,1215
Apotheek Zuid;apotheek;nee;3521 AB;Utrecht;52,0800;5,1100
\xc3\x89\xc3\xa9n Apotheek;apotheek;ja;1012 JS;Amsterdam;52,3731;4,8922
Ziekenhuis West;ziekenhuis;;3543 AZ;Utrecht;52,1000;5,0500
Huisarts \xe2\x80\x9cDe Brug\xe2\x80\x9d;huisarts;;3511 AB;Utrecht;52,0900;5,1150
"""

QUERIES = [
    "care=pharmacy&lat=52.09&lon=5.12",
    "care=pharmacy&lat=52.09&lon=5.12&limit=1&lang=en",
    "care=hospital&scheme=uninsured_resident&lat=52.0&lon=5.0&max_km=30",
    "care=gp&lat=52.09&lon=5.12&as_of=2030-01-01",
    "care=pharmacy&lat=52.09&lon=5.12&max_km=0.5",
]


@pytest.fixture
def loaded_client(app, services):
    import_file(services, CSV, source_name="Fast path test")
    return app.test_client()


@pytest.mark.parametrize("query", QUERIES + ["care=gp&near=52.09%2C5.12"])
def test_lean_view_answers_as_the_documented_view(loaded_client, monkeypatch, query):
    fast = loaded_client.get(f"/v1/search?{query}")
    monkeypatch.setattr(search_query, "fast_search_args", lambda query: None)
    documented = loaded_client.get(f"/v1/search?{query}")
    assert fast.status_code == documented.status_code == 200
    assert fast.get_json() == documented.get_json()
    assert fast.headers.get("ETag") == documented.headers.get("ETag")
    assert fast.headers.get("X-Data-Version") == documented.headers.get("X-Data-Version")


@needs_geodata
def test_lean_view_resolves_postcodes_as_the_documented_view(loaded_client, monkeypatch):
    fast = loaded_client.get("/v1/search?care=gp&near=3511+AB")
    monkeypatch.setattr(search_query, "fast_search_args", lambda query: None)
    documented = loaded_client.get("/v1/search?care=gp&near=3511+AB")
    assert fast.status_code == 200
    assert fast.get_json() == documented.get_json()


@pytest.mark.parametrize(
    "query, field",
    [
        ("care=pharmacy&lat=52.09", "lon"),
        ("care=nope&lat=52&lon=5", "care"),
        ("care=pharmacy&lat=52&lon=5&limit=0", "limit"),
        ("care=pharmacy&lat=north&lon=5", "lat"),
        ("care=pharmacy&lat=52&lon=5&colour=red", "colour"),
    ],
)
def test_anything_unusual_gets_the_documented_errors(loaded_client, query, field):
    r = loaded_client.get(f"/v1/search?{query}")
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == 422
    assert field in json.dumps(body["errors"])


def test_a_plain_query_skips_webargs_and_an_unusual_one_does_not(loaded_client, monkeypatch):
    """/v1/search is the registered flask-smorest view; its get() tries the fast parse first."""
    from directory_api.web.views import search as search_view

    loads: list[object] = []
    original = search_view.SEARCH_ARGS.load

    def counting_load(*args, **kwargs):
        loads.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(search_view.SEARCH_ARGS, "load", counting_load)
    assert loaded_client.get("/v1/search?care=pharmacy&lat=52.09&lon=5.12").status_code == 200
    assert loads == []
    unusual = loaded_client.get("/v1/search?care=pharmacy&lat=52.09&lon=5.12&colour=red")
    assert unusual.status_code == 422 and "colour" in unusual.get_json()["errors"]
    assert len(loads) == 1
    view = loaded_client.application.view_functions["search.Search"]
    assert view.view_class is search_view.Search
