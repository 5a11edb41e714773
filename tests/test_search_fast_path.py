"""The lean /v1/search view answers exactly as the documented flask-smorest view would.

Plainly valid queries skip webargs and marshmallow (issue 5: the search must stay close to a
bare Flask route). These tests hold the shortcuts equal to the slow path they stand in for.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from directory_api.imports.pipeline import import_file
from directory_api.models import AGE_GROUPS, CARE_CODES, LANGUAGES, SCHEMES, Origin
from directory_api.web.views import search as search_view
from tests.conftest import needs_geodata

KEYS = ["care", "lat", "lon", "near", "limit", "scheme", "lang", "max_km", "x", "a b", "é"]
VALUES = st.one_of(
    st.sampled_from(["pharmacy", "52.1", "5.12", "3511 AB", "10", "", "a+b", "%41", "é", "=="]),
    st.text(max_size=8),
)


@st.composite
def raw_queries(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=6))
    escape = draw(st.booleans())
    parts = [f"{quote(k) if escape else k}={quote(v) if escape else v}" for k, v in pairs] + draw(
        st.lists(st.sampled_from(["", "care", "=x", "&"]), max_size=2)
    )
    return "&".join(draw(st.permutations(parts)))


@settings(max_examples=400, deadline=None)
@given(raw_queries())
def test_plain_query_equals_werkzeug(raw):
    plain = search_view.plain_query(raw)
    if plain is None:
        return
    args = EnvironBuilder(query_string=raw).get_request().args
    assert all(len(v) == 1 for v in args.listvalues())
    assert plain == args.to_dict()


def test_plain_query_takes_the_common_query_and_leaves_the_rest():
    assert search_view.plain_query("care=gp&lat=52.1&lon=5.1") == {
        "care": "gp",
        "lat": "52.1",
        "lon": "5.1",
    }
    for raw in ("", "near=3511%20AB", "near=3511+AB", "care=gp&care=gp", "care", "=x", "a=é"):
        assert search_view.plain_query(raw) is None


@settings(max_examples=300, deadline=None)
@given(
    care=st.sampled_from(CARE_CODES),
    scheme=st.sampled_from(SCHEMES),
    lang=st.sampled_from(LANGUAGES),
    limit=st.integers(1, 100),
    max_km=st.none() | st.floats(0.001, 1000),
    as_of=st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    kind=st.sampled_from(
        [("coordinates", "coordinates"), ("postcode", "postcode4"), ("place", "place")]
    ),
    label=st.none() | st.text(max_size=30),
    age_group=st.none() | st.sampled_from(AGE_GROUPS),
)
def test_query_json_is_the_query_as_understood(
    care, scheme, lang, limit, max_km, as_of, lat, lon, kind, label, age_group
):
    args = {"care": care, "scheme": scheme, "lang": lang, "limit": limit}
    if age_group is not None:
        args["age_group"] = age_group
    if max_km is not None:
        args["max_km"] = max_km
    if as_of is not None:
        args["as_of"] = as_of
    origin = Origin(lat, lon, kind[0], kind[1], label)
    assert json.loads(search_view.query_json(args, origin)) == {
        "care": care,
        "scheme": scheme,
        "lang": lang,
        "limit": limit,
        "max_km": max_km,
        "as_of": None if as_of is None else as_of.isoformat(),
        "age_group": age_group,
        "origin": {
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "resolved_from": kind[0],
            "precision": kind[1],
            "label": label,
        },
    }


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
    monkeypatch.setattr(search_view, "fast_search_args", lambda query: None)
    documented = loaded_client.get(f"/v1/search?{query}")
    assert fast.status_code == documented.status_code == 200
    assert fast.get_json() == documented.get_json()
    assert fast.headers.get("ETag") == documented.headers.get("ETag")
    assert fast.headers.get("X-Data-Version") == documented.headers.get("X-Data-Version")


@needs_geodata
def test_lean_view_resolves_postcodes_as_the_documented_view(loaded_client, monkeypatch):
    fast = loaded_client.get("/v1/search?care=gp&near=3511+AB")
    monkeypatch.setattr(search_view, "fast_search_args", lambda query: None)
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
