"""GeoJSON answers (RFC 7946) of /v1/search and /v1/providers, checked with the `geojson`
library (not the project's): a valid FeatureCollection, points at [lon, lat], properties =
the JSON results."""

from __future__ import annotations

import geojson
import pytest

from directory_api.imports.pipeline import import_file

CSV = b"""naam;categorie;gecontracteerd;straat;huisnummer;postcode;plaats;telefoon;lat;lon
Apotheek Domplein;apotheek;ja;Domplein;1;3512 JE;Utrecht;+31 30 123 4567;52,0908;5,1215
Apotheek Oost;apotheek;ja;Weg;3;3581 AB;Utrecht;;52,0850;5,1400
Ziekenhuis West;ziekenhuis;ja;Hof;5;3543 AZ;Utrecht;;52,1000;5,0500
"""
GEO = "application/geo+json"


@pytest.fixture
def loaded(services):
    import_file(services, CSV, source_name="GeoJSON test list")
    return services


def valid_collection(response) -> geojson.FeatureCollection:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == GEO
    collection = geojson.loads(response.get_data(as_text=True))
    assert isinstance(collection, geojson.FeatureCollection)
    assert collection.is_valid, collection.errors()
    for feature in collection["features"]:
        assert isinstance(feature, geojson.Feature) and feature.is_valid
        assert feature["geometry"]["type"] == "Point"
    return collection


@pytest.mark.parametrize("how", ["format", "accept"])
def test_search_as_geojson_holds_the_json_results(client, loaded, how):
    query = {"care": "pharmacy", "lat": 52.09, "lon": 5.12}
    plain = client.get("/v1/search", query_string=query).get_json()
    if how == "format":
        r = client.get("/v1/search", query_string={**query, "format": "geojson"})
    else:
        r = client.get("/v1/search", query_string=query, headers={"Accept": GEO})
    collection = valid_collection(r)
    assert [f["properties"] for f in collection["features"]] == plain["results"]
    first = collection["features"][0]
    provider = first["properties"]["provider"]
    assert first["geometry"]["coordinates"] == [provider["lon"], provider["lat"]]  # [lon, lat]
    assert first["id"] == provider["id"]
    assert collection["data_version"] == plain["data_version"]
    assert collection["advice"] == plain["advice"]
    assert "Accept" in r.headers["Vary"]


def test_slow_path_also_takes_format(client, loaded):
    # '+' in the query sends it through webargs and SearchArgsSchema
    r = client.get("/v1/search?care=pharmacy&near=52.09,+5.12&format=geojson")
    assert r.status_code in (200, 503)  # 503 only without geodata (near needs the gazetteer)
    if r.status_code == 200:
        valid_collection(r)


def test_json_stays_the_default(client, loaded):
    for accept in (None, "*/*", "application/json", f"application/json, {GEO};q=0.5"):
        headers = {"Accept": accept} if accept else {}
        r = client.get("/v1/search?care=pharmacy&lat=52.09&lon=5.12", headers=headers)
        assert r.mimetype == "application/json", accept
    r = client.get(
        "/v1/search?care=pharmacy&lat=52.09&lon=5.12&format=json", headers={"Accept": GEO}
    )
    assert r.mimetype == "application/json"


def test_bad_format_is_a_422_naming_format(client, loaded):
    r = client.get("/v1/search?care=pharmacy&lat=52.09&lon=5.12&format=kml")
    assert r.status_code == 422
    assert "format" in r.get_json()["errors"]
    r = client.get("/v1/providers?format=kml")
    assert r.status_code == 422
    assert "format" in r.get_json()["errors"]


def test_providers_page_as_geojson(client, loaded):
    plain = client.get("/v1/providers?category=pharmacy").get_json()
    for r in (
        client.get("/v1/providers?category=pharmacy&format=geojson"),
        client.get("/v1/providers?category=pharmacy", headers={"Accept": GEO}),
    ):
        collection = valid_collection(r)
        assert [f["properties"] for f in collection["features"]] == plain["items"]
        assert collection["total"] == plain["total"] == 2
        for feature in collection["features"]:
            props = feature["properties"]
            assert feature["geometry"]["coordinates"] == [props["lon"], props["lat"]]


def test_openapi_shows_both_media_types(client):
    doc = client.get("/openapi.json").get_json()
    for path in ("/v1/search", "/v1/providers"):
        content = doc["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) >= {"application/json", GEO}, path
    assert GEO in doc["paths"]["/v1/providers.geojson"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in doc["paths"]["/v1/providers.csv"]["get"]["responses"]["200"]["content"]
