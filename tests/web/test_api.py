"""The HTTP API as clients use it: search, providers, care types, sources, errors."""

from __future__ import annotations

import pytest

from directory_api.imports.pipeline import import_file
from tests.conftest import needs_geodata
from tests.helpers import assert_error_shape

CSV = b"""naam;categorie;gecontracteerd;straat;huisnummer;postcode;plaats;telefoon;lat;lon
Apotheek Domplein;apotheek;ja;Domplein;1;3512 JE;Utrecht;030 123 4567;52,0908;5,1215
Apotheek Zuid;apotheek;nee;Laan;2;3521 AB;Utrecht;;52,0800;5,1100
Apotheek Oost;apotheek;ja;Weg;3;3581 AB;Utrecht;;52,0850;5,1400
Ziekenhuis Noord;ziekenhuis;;Hof;4;3584 CX;Utrecht;;52,0870;5,1790
Ziekenhuis West;ziekenhuis;ja;Hof;5;3543 AZ;Utrecht;;52,1000;5,0500
\xc3\x89\xc3\xa9n Apotheek Amsterdam;pharmacy;true;Dam;1;1012 JS;Amsterdam;;52,3731;4,8922
"""


@pytest.fixture
def loaded(services):
    import_file(services, CSV, source_name="CAK apotheken test", list_date=None)
    return services


def search(client, **params):
    return client.get("/v1/search", query_string=params)


def test_pharmacy_returns_contracted_only_nearest_first(client, loaded):
    r = search(client, care="pharmacy", lat=52.09, lon=5.12)
    assert r.status_code == 200
    body = r.get_json()
    names = [x["provider"]["name"] for x in body["results"]]
    assert names == ["Apotheek Domplein", "Apotheek Oost", "Één Apotheek Amsterdam"]
    first = body["results"][0]
    assert first["provider"]["cak_contracted"] is True
    assert first["provider"]["source"] == "cak-apotheken-test"
    assert first["reimbursement"]["basis"] == "cak_contract"
    assert first["reimbursement"]["patient_contribution"]
    assert body["query"]["origin"] == {
        "lat": 52.09,
        "lon": 5.12,
        "resolved_from": "coordinates",
        "precision": "coordinates",
        "label": None,
    }
    assert body["advice"] and body["referral"]
    distances = [x["distance_km"] for x in body["results"]]
    assert distances == sorted(distances)


def test_emergency_every_hospital_with_shares(client, loaded):
    body = search(client, care="emergency", lat=52.09, lon=5.12, lang="en").get_json()
    shares = {x["provider"]["name"]: x["reimbursement"]["share_percent"] for x in body["results"]}
    # Noord's contract status is unknown: full if contracted, 80% if not (seed 000), so no
    # single share is promised and the terms say both.
    assert shares == {"Ziekenhuis Noord": None, "Ziekenhuis West": 100}
    noord = next(x for x in body["results"] if x["provider"]["name"] == "Ziekenhuis Noord")
    terms = " ".join(noord["reimbursement"]["conditions"])
    assert "in full if the hospital is contracted, 80% if it is not" in terms


def test_hospital_contracted_only(client, loaded):
    body = search(client, care="hospital", lat=52.09, lon=5.12).get_json()
    assert [x["provider"]["name"] for x in body["results"]] == ["Ziekenhuis West"]
    assert body["results"][0]["reimbursement"]["share_percent"] == 100


def test_limit_and_max_km(client, loaded):
    body = search(client, care="pharmacy", lat=52.09, lon=5.12, limit=1).get_json()
    assert len(body["results"]) == 1
    body = search(client, care="pharmacy", lat=52.09, lon=5.12, max_km=5).get_json()
    assert {x["provider"]["name"] for x in body["results"]} == {
        "Apotheek Domplein",
        "Apotheek Oost",
    }


def test_language_switches_advice(client, loaded):
    nl = search(client, care="pharmacy", lat=52.09, lon=5.12, lang="nl").get_json()
    en = search(client, care="pharmacy", lat=52.09, lon=5.12, lang="en").get_json()
    assert nl["advice"] != en["advice"]
    assert (
        nl["results"][0]["reimbursement"]["patient_contribution"]
        != (en["results"][0]["reimbursement"]["patient_contribution"])
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"care": "nope", "lat": 52, "lon": 5}, "care"),
        ({"lat": 52, "lon": 5}, "care"),
        ({"care": "pharmacy"}, "near"),
        ({"care": "pharmacy", "lat": 91, "lon": 5}, "lat"),
        ({"care": "pharmacy", "lat": 52, "lon": 181}, "lon"),
        ({"care": "pharmacy", "lat": 52}, "lon"),
        ({"care": "pharmacy", "lat": "x", "lon": 5}, "lat"),
        ({"care": "pharmacy", "lat": 52, "lon": 5, "limit": 0}, "limit"),
        ({"care": "pharmacy", "lat": 52, "lon": 5, "limit": 101}, "limit"),
        ({"care": "pharmacy", "lat": 52, "lon": 5, "max_km": -1}, "max_km"),
        ({"care": "pharmacy", "lat": 52, "lon": 5, "scheme": "tourist"}, "scheme"),
        ({"care": "pharmacy", "lat": 52, "lon": 5, "lang": "de"}, "lang"),
        ({"care": "pharmacy", "lat": 52, "lon": 5, "lmit": 5}, "lmit"),
        ({"care": "pharmacy", "near": "Utrecht", "lat": 52, "lon": 5}, "near"),
    ],
)
def test_search_errors_name_the_field(client, params, field):
    assert_error_shape(search(client, **params), 422, field)


def test_provider_listing_and_lookup(client, loaded):
    r = client.get("/v1/providers", query_string={"q": "een apotheek"})
    body = r.get_json()
    assert body["total"] == 1 and body["items"][0]["name"] == "Één Apotheek Amsterdam"
    pid = body["items"][0]["id"]
    assert client.get(f"/v1/providers/{pid}").get_json()["cak_contracted"] is True
    assert_error_shape(client.get("/v1/providers/nope"), 404)
    body = client.get("/v1/providers", query_string={"contracted": "unknown"}).get_json()
    assert [p["name"] for p in body["items"]] == ["Ziekenhuis Noord"]
    body = client.get(
        "/v1/providers", query_string={"category": "pharmacy", "city": "UTRECHT"}
    ).get_json()
    assert body["total"] == 3
    body = client.get("/v1/providers", query_string={"bbox": "5.0,52.05,5.13,52.1"}).get_json()
    assert {p["name"] for p in body["items"]} == {
        "Apotheek Domplein",
        "Apotheek Zuid",
        "Ziekenhuis West",
    }
    page = client.get("/v1/providers", query_string={"page_size": 2, "page": 3}).get_json()
    assert page["total"] == 6 and len(page["items"]) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "5,53,4,52"},
        {"page": 0},
        {"page_size": 101},
        {"contracted": "maybe"},
        {"category": "shop"},
        {"nope": 1},
    ],
)
def test_provider_listing_errors(client, params):
    assert_error_shape(client.get("/v1/providers", query_string=params), 422, next(iter(params)))


def test_care_types_and_sources(client, loaded):
    body = client.get("/v1/care-types").get_json()
    codes = [c["code"] for c in body["care_types"]]
    assert "pharmacy" in codes and "support" in codes
    pharmacy = next(c for c in body["care_types"] if c["code"] == "pharmacy")
    uninsurable = next(r for r in pharmacy["rules"] if r["scheme"] == "uninsurable")
    assert uninsurable["eligible"][0]["contract_required"] is True
    sources = client.get("/v1/sources").get_json()["sources"]
    assert sources[0]["slug"] == "cak-apotheken-test" and sources[0]["row_count"] == 6
    assert len(sources[0]["checksum"]) == 64


def test_health_ready_and_headers(client):
    r = client.get("/health")
    assert r.get_json() == {"status": "ok"}
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/ready").status_code == 200
    r = client.get("/v1/care-types", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_route_has_error_shape(client):
    assert_error_shape(client.get("/v1/nothing"), 404)


def test_empty_store_stays_empty(client):
    body = client.get("/v1/search", query_string={"care": "gp", "lat": 52, "lon": 5}).get_json()
    assert body["results"] == [] and body["data_version"] == 0


@needs_geodata
@pytest.mark.parametrize(
    ("near", "precision", "resolved_from"),
    [
        ("3511 AB", "postcode4", "postcode"),
        ("3511AB", "postcode4", "postcode"),
        ("3511", "postcode4", "postcode"),
        ("Utrecht", "place", "place"),
        ("52.09,5.12", "coordinates", "coordinates"),
    ],
)
def test_near_forms(client, loaded, near, precision, resolved_from):
    body = search(client, care="pharmacy", near=near).get_json()
    origin = body["query"]["origin"]
    assert (origin["precision"], origin["resolved_from"]) == (precision, resolved_from)
    assert abs(origin["lat"] - 52.09) < 0.05 and abs(origin["lon"] - 5.12) < 0.07
    assert body["results"][0]["provider"]["name"] == "Apotheek Domplein"


@needs_geodata
def test_den_bosch_spellings_agree(client):
    a = search(client, care="gp", near="Den Bosch").get_json()["query"]["origin"]
    b = search(client, care="gp", near="'s-Hertogenbosch").get_json()["query"]["origin"]
    assert (a["lat"], a["lon"]) == (b["lat"], b["lon"])


@needs_geodata
@pytest.mark.parametrize("near", ["1009 ZZ", "Xyzzyville", "0123 AB", "3511 A1"])
def test_unknown_or_malformed_origin_is_422(client, near):
    body = assert_error_shape(search(client, care="pharmacy", near=near), 422, "near")
    assert near.split()[0].lower() in body["errors"]["near"][0].lower()


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        (
            '127.0.0.1 - - [26/Nov/2026 15:17:45] "GET /v1/search?near=3511%20AB HTTP/1.1" 200 -',
            "15:17:45",
            ["127.0.0.1", "3511", "near="],
        ),
        ("origin 52.123456,5.654321 from ::1", "52.12,5.65", ["52.1234", "::1"]),
        ("near 3511 AB from 2001:db8::1", "3511", ["3511 AB", "2001:db8::1"]),
    ],
)
def test_log_redaction(line, kept, gone):
    from directory_api.web.logs import redact

    out = redact(line)
    assert kept in out
    assert not any(g in out for g in gone)
