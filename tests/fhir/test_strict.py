"""Strict searching: unknown parameters and malformed values are a 400 OperationOutcome
that names them, unknown ids a 404; the data version is meta.versionId and the ETag."""

from __future__ import annotations

import pytest

from directory_api.imports.pipeline import import_file
from tests.fhir.conftest import FHIR_JSON, get_ok, outcome

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/fhir/Location?nmae=Dom", "nmae"),
        ("/fhir/Location?_sort=name", "_sort"),
        ("/fhir/Location?name:fuzzy=dom", "name:fuzzy"),
        ("/fhir/Location?near=52.09", "near"),
        ("/fhir/Location?near=52.09%7C5.12%7C10%7Cparsec", "near"),
        ("/fhir/Location?near=95%7C5.12", "near"),
        ("/fhir/Location?near=52%7C5%7C0", "near"),
        ("/fhir/Location?near=52%7C5%7C-3%7Ckm", "near"),
        ("/fhir/Location?near=nan%7C5", "near"),
        ("/fhir/Location?_count=abc", "_count"),
        ("/fhir/Location?_count=101", "_count"),
        ("/fhir/Location?_count=-1", "_count"),
        ("/fhir/Location?_offset=99999", "_offset"),
        ("/fhir/Location?type=spaceport", "type"),
        ("/fhir/Location?type=other-system%7Cpharmacy", "type"),
        ("/fhir/Location?name=", "name"),
        ("/fhir/Location?name=a&name=b", "name"),
        ("/fhir/Location?_id=not_an_id!", "_id"),
        ("/fhir/Location?_format=xml", "_format"),
        ("/fhir/Location/abc?near=1", "near"),
        ("/fhir/HealthcareService?service-type=astrology", "service-type"),
        ("/fhir/HealthcareService?scheme=tourist", "scheme"),
        ("/fhir/HealthcareService?location=Patient/1", "location"),
        ("/fhir/HealthcareService?location.near=1%7C2%7C3%7Clightyear", "location.near"),
        ("/fhir/HealthcareService?near=52%7C5", "near"),
        ("/fhir/Organization?address-city=Utrecht", "address-city"),
        ("/fhir/metadata?mode=full", "mode"),
    ],
)
def test_bad_search_is_a_400_naming_the_parameter(fhir, url, named):
    issue = outcome(fhir, url, 400)
    assert issue["expression"] == [named]
    assert named.split(":")[0] in issue["diagnostics"]


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Location/000000000000",
        "/fhir/Organization/org-000000000000",
        "/fhir/HealthcareService/000000000000-pharmacy-uninsurable",
        "/fhir/Patient/1",
        "/fhir",
    ],
)
def test_unknown_id_or_type_is_a_404_outcome(fhir, url):
    assert outcome(fhir, url, 404)["code"] == "not-found"


def test_service_that_the_rules_do_not_pay_is_not_found(fhir):
    """Apotheek Oost is not contracted: no pharmacy HealthcareService under the scheme for
    undocumented migrants (contracted pharmacies only, seed 000); the scheme for uninsured
    residents pays every 1st-line provider (seed 003)."""
    oost = get_ok(fhir, "/fhir/Location?name=apotheek%20oost")["entry"][0]["resource"]
    assert outcome(fhir, f"/fhir/HealthcareService/{oost['id']}-pharmacy-uninsurable", 404)
    found = get_ok(fhir, f"/fhir/HealthcareService?location=Location/{oost['id']}")
    pharmacy = [
        e["resource"]["program"][0]["coding"][0]["code"]
        for e in found["entry"]
        if e["resource"]["type"][0]["coding"][0]["code"] == "pharmacy"
    ]
    assert pharmacy == ["uninsured_resident"]


def test_writes_are_405_outcomes(fhir):
    response = fhir.post("/fhir/Location", json={"resourceType": "Location"})
    assert response.status_code == 405 and response.mimetype == FHIR_JSON
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


def test_format_json_is_accepted(fhir):
    assert get_ok(fhir, "/fhir/Location?_format=json&_count=1")["resourceType"] == "Bundle"
    assert get_ok(fhir, "/fhir/metadata?_format=application/fhir%2Bjson")


def test_data_version_is_meta_version_and_etag_and_changes_on_import(fhir_app, fhir):
    first = fhir.get("/fhir/Location?_count=1")
    version = first.get_json(force=True)["meta"]["versionId"]
    assert first.headers["ETag"] == f'W/"{version}"'
    assert first.get_json(force=True)["entry"][0]["resource"]["meta"]["versionId"] == version
    again = fhir.get("/fhir/Location?_count=1", headers={"If-None-Match": f'W/"{version}"'})
    assert again.status_code == 304 and not again.data
    import_file(
        fhir_app.extensions["directory"],
        b"naam,categorie,lat,lon\nApotheek Nieuw,apotheek,52.1,5.1\n",
        source_name="Nieuw",
    )
    changed = fhir.get("/fhir/Location?_count=1", headers={"If-None-Match": f'W/"{version}"'})
    assert changed.status_code == 200
    assert int(changed.get_json(force=True)["meta"]["versionId"]) > int(version)


def test_paging_links_walk_every_match_once(fhir):
    url = "/fhir/Location?near=52.09%7C5.12%7C300%7Ckm&_count=5"
    seen = []
    while url:
        body = get_ok(fhir, url)
        assert body["link"][0]["relation"] == "self"
        seen += [e["resource"]["id"] for e in body["entry"]]
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else ""
    assert len(seen) == len(set(seen)) == 12


def test_count_zero_gives_the_total_only(fhir):
    body = get_ok(fhir, "/fhir/Organization?_count=0")
    assert body["total"] == 12 and "entry" not in body


def test_name_modifiers(fhir):
    def names(query: str) -> list[str]:
        return [
            e["resource"]["name"] for e in get_ok(fhir, f"/fhir/Location?{query}").get("entry", [])
        ]

    assert names("name=APOTHEEK%20d") == ["Apotheek Dom"]
    assert names("name:contains=noord") == ["Apotheek Noord Amsterdam", "Ziekenhuis Noord"]
    assert names("name:exact=apotheek%20dom") == []
    assert names("name:exact=Apotheek%20Dom") == ["Apotheek Dom"]
    assert names("name=verloskundigen%20een") == ["Verloskundigen Één"]
    assert names("address-city=amster&type=pharmacy") == ["Apotheek Noord Amsterdam"]


def test_distance_in_miles(fhir):
    km = get_ok(fhir, "/fhir/Location?near=52.09%7C5.12%7C3%7Ckm&type=pharmacy")
    mi = get_ok(fhir, "/fhir/Location?near=52.09%7C5.12%7C3%7Cmi&type=pharmacy")
    # 3 mi is 4.8 km: the same places plus none (all three Utrecht pharmacies are within 3 km).
    assert [e["resource"]["id"] for e in km["entry"]] == [e["resource"]["id"] for e in mi["entry"]]
    for a, b in zip(km["entry"], mi["entry"], strict=True):
        d_km = a["search"]["extension"][0]["valueDistance"]
        d_mi = b["search"]["extension"][0]["valueDistance"]
        assert d_mi["code"] == "[mi_i]" and d_mi["value"] == round(d_km["value"] / 1.609344, 2)
