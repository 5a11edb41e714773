"""Issue 11 over HTTP: example data never passes for real, sources can be taken out, a
re-import reuses a source's defaults, and an empty answer says why."""

from __future__ import annotations

import io

import pytest

from directory_api.imports.pipeline import import_file
from directory_api.web.auth import token_hash
from tests.helpers import assert_error_shape

TOKEN = "referrer-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UTRECHT = {"lat": 52.0907, "lon": 5.1214}

EXAMPLES = (
    b"name,category,cak_contracted,postcode,city,lat,lon\n"
    b"Voorbeeldapotheek (example),pharmacy,true,3511 AB,Utrecht,52.0910,5.1210\n"
    b"Voorbeeldtandarts (example),dentist,,3511 AB,Utrecht,52.0911,5.1211\n"
)
REAL = (
    b"name,postcode,city,lat,lon\n"
    b"Apotheek Echt,3512 JE,Utrecht,52.0950,5.1300\n"
    b"Apotheek Twee,3512 JE,Utrecht,52.0960,5.1310\n"
    b"Apotheek Drie,3512 JE,Utrecht,52.0970,5.1320\n"
)


@pytest.fixture
def app(make_app):
    return make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN))


def seed_examples(services) -> None:
    import_file(services, EXAMPLES, source_name="Voorbeelden", example=True)


def real_pharmacies(services, **flags) -> None:
    import_file(
        services,
        REAL,
        source_name="CAK apotheken",
        **({"category": "pharmacy", "contracted": True} | flags),
    )


def names(body) -> list[str]:
    return [r["provider"]["name"] for r in body["results"]]


def test_every_provider_says_whether_it_is_example_data(client, services):
    seed_examples(services)
    real_pharmacies(services)
    body = client.get("/v1/search", query_string={"care": "dental", **UTRECHT}).get_json()
    assert [r["provider"]["example"] for r in body["results"]] == [True]
    body = client.get("/v1/search", query_string={"care": "pharmacy", **UTRECHT}).get_json()
    assert {r["provider"]["example"] for r in body["results"]} == {False}
    listed = client.get("/v1/providers").get_json()["items"]
    assert {p["name"]: p["example"] for p in listed} == {
        "Apotheek Drie": False,
        "Apotheek Echt": False,
        "Apotheek Twee": False,
        "Voorbeeldtandarts (example)": True,
    }
    one = client.get(f"/v1/providers/{listed[-1]['id']}").get_json()
    assert one["example"] is True
    sources = {s["slug"]: s["example"] for s in client.get("/v1/sources").get_json()["sources"]}
    assert sources == {"cak-apotheken": False, "voorbeelden": True}


def test_examples_leave_a_category_once_a_real_list_holds_it(client, services):
    seed_examples(services)
    query = {"care": "pharmacy", **UTRECHT}
    assert names(client.get("/v1/search", query_string=query).get_json()) == [
        "Voorbeeldapotheek (example)"
    ]
    real_pharmacies(services)
    found = names(client.get("/v1/search", query_string=query).get_json())
    assert found == ["Apotheek Echt", "Apotheek Twee", "Apotheek Drie"]
    listed = client.get("/v1/providers", query_string={"category": "pharmacy"}).get_json()
    assert all(not p["example"] for p in listed["items"]) and listed["total"] == 3


def test_example_data_off_leaves_them_out_entirely(make_app):
    app = make_app(DIRECTORY_EXAMPLE_DATA="off")
    seed_examples(app.extensions["directory"])
    client = app.test_client()
    body = client.get("/v1/search", query_string={"care": "dental", **UTRECHT}).get_json()
    assert body["results"] == [] and body["notice"]["code"] == "no_list_loaded"
    assert client.get("/v1/providers").get_json()["total"] == 0


def test_delete_takes_a_source_out_and_an_import_brings_it_back(client, services):
    real_pharmacies(services)
    before = client.get("/v1/sources").get_json()["data_version"]
    assert_error_shape(client.delete("/v1/sources/cak-apotheken"), 401)
    assert_error_shape(client.delete("/v1/sources/geen-lijst", headers=AUTH), 404, "source")
    r = client.delete("/v1/sources/cak-apotheken", headers=AUTH)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"source": "cak-apotheken", "data_version": before + 1, "versions": 1}
    assert client.get("/v1/providers").get_json()["total"] == 0
    listed = client.get("/v1/sources").get_json()["sources"]
    assert [(s["slug"], s["version"], s["versions"]) for s in listed] == [
        ("cak-apotheken", None, 1)
    ]
    # A re-import without flags brings it back, with the defaults and ids it had.
    upload = {"file": (io.BytesIO(REAL), "apotheken.csv")}
    r = client.post("/v1/sources/cak-apotheken/imports", data=upload, headers=AUTH)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["diff"]["unchanged"] == 3
    body = client.get("/v1/search", query_string={"care": "pharmacy", **UTRECHT}).get_json()
    assert len(body["results"]) == 3


def test_http_reimport_reuses_the_defaults_and_warns_about_contract_flips(client, services):
    real_pharmacies(services)
    upload = {"file": (io.BytesIO(REAL), "apotheken.csv"), "dry_run": "true"}
    r = client.post("/v1/sources/cak-apotheken/imports", data=upload, headers=AUTH)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["diff"]["unchanged"] == 3 and r.get_json()["warnings"] == []
    upload = {
        "file": (io.BytesIO(REAL), "apotheken.csv"),
        "dry_run": "true",
        "contracted": "false",
    }
    body = client.post("/v1/sources/cak-apotheken/imports", data=upload, headers=AUTH).get_json()
    assert body["warnings"][0].startswith("WARNING: CONTRACT STATUS CHANGES FOR 3 OF 3 ROWS")


def test_http_errors_name_http_fields_and_keep_the_warnings(client):
    bad = b"name,postcode,kleur\nApotheek,3511 AB,rood\n"
    upload = {"file": (io.BytesIO(bad), "lijst.csv")}
    r = client.post("/v1/sources/nieuwe-lijst/imports", data=upload, headers=AUTH)
    body = assert_error_shape(r, 422)
    text = r.get_data(as_text=True)
    assert "--" not in text, text  # no CLI flag
    assert "the category field" in text and "skip_invalid=true" in text
    assert any("kleur" in w for w in body["warnings"])


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ({"care": "long_term_care"}, "no_list_loaded", "0800-5028"),
        ({"care": "pharmacy", "max_km": 0.1}, "none_within_max_km", "0.1 km"),
        ({"care": "long_term_care", "lang": "en"}, "no_list_loaded", "Import the CAK list"),
    ],
)
def test_an_empty_answer_says_why(client, services, query, code, words):
    real_pharmacies(services)
    lat, lon = 52.37, 4.89  # Amsterdam: the Utrecht pharmacies are ~35 km away
    body = client.get("/v1/search", query_string={**query, "lat": lat, "lon": lon}).get_json()
    assert body["results"] == []
    assert body["notice"]["code"] == code and words in body["notice"]["message"]
    assert "000_9953ec890d00b27c.txt" in body["notice"]["message"] or code != "no_list_loaded"


def test_results_carry_a_null_notice(client, services):
    real_pharmacies(services)
    body = client.get("/v1/search", query_string={"care": "pharmacy", **UTRECHT}).get_json()
    assert body["results"] and body["notice"] is None
