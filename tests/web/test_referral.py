"""GET /v1/referral and GET /referral: several kinds of care from one origin (issue 12)."""

from __future__ import annotations

import pytest

from directory_api.imports.pipeline import import_file
from directory_api.web.schemas import SearchResultSchema
from directory_api.web.schemas_referral import ReferralSchema
from tests.helpers import assert_error_shape

CSV = b"""naam;categorie;gecontracteerd;straat;huisnummer;postcode;plaats;telefoon;lat;lon
Apotheek Domplein;apotheek;ja;Domplein;1;3512 JE;Utrecht;030 123 4567;52,0908;5,1215
Apotheek Zuid;apotheek;nee;Laan;2;3521 AB;Utrecht;;52,0800;5,1100
Apotheek Oost;apotheek;ja;Weg;3;3581 AB;Utrecht;;52,0850;5,1400
Apotheek Noord;apotheek;ja;Weg;9;3581 AC;Utrecht;;52,1050;5,1300
Ziekenhuis Noord;ziekenhuis;;Hof;4;3584 CX;Utrecht;;52,0870;5,1790
Ziekenhuis West;ziekenhuis;ja;Hof;5;3543 AZ;Utrecht;;52,1000;5,0500
Huisarts Centrum;huisarts;;Oudegracht;10;3511 AB;Utrecht;030 222 3333;52,0920;5,1190
"""
AT = {"lat": 52.09, "lon": 5.12}


@pytest.fixture
def loaded(services):
    import_file(services, CSV, source_name="Referral test list")
    return services


def referral(client, **params):
    return client.get("/v1/referral", query_string=params)


def test_sections_follow_the_requested_order_and_equal_single_searches(client, loaded):
    r = referral(client, care="pharmacy,hospital,gp", per_care=2, **AT)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert ReferralSchema().validate(body) == {}
    assert [s["care"] for s in body["sections"]] == ["pharmacy", "hospital", "gp"]
    assert body["query"]["care"] == ["pharmacy", "hospital", "gp"]
    assert body["query"]["per_care"] == 2
    for section in body["sections"]:
        alone = client.get("/v1/search", query_string={"care": section["care"], "limit": 2, **AT})
        expected = alone.get_json()
        assert SearchResultSchema().validate(expected) == {}
        assert section["results"] == expected["results"]
        assert section["advice"] == expected["advice"]
        assert section["referral"] == expected["referral"]
        assert section["notice"] is None
        assert len(section["results"]) <= 2
    assert r.headers["X-Data-Version"] == str(body["data_version"])


def test_order_is_the_callers(client, loaded):
    body = referral(client, care="gp,pharmacy", **AT).get_json()
    assert [s["care"] for s in body["sections"]] == ["gp", "pharmacy"]
    assert len(body["sections"][1]["results"]) == 3  # per_care defaults to 3


def test_an_empty_section_carries_a_notice(client, loaded):
    body = referral(client, care="pharmacy,long_term_care", lang="en", **AT).get_json()
    empty = body["sections"][1]
    assert empty["results"] == []
    assert empty["notice"]["code"]
    assert empty["notice"]["message"]
    assert body["sections"][0]["notice"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"care": "pharmacy,pharmacy"}, "care"),
        ({"care": "pharmacy,nope"}, "care"),
        ({"care": ""}, "care"),
        ({"care": "pharmacy,,gp"}, "care"),
        ({"care": "gp,pharmacy,hospital,dental,emergency,maternity,support"}, "care"),
        ({"care": "gp", "per_care": 0}, "per_care"),
        ({"care": "gp", "per_care": 11}, "per_care"),
        ({"care": "gp", "limit": 3}, "limit"),
        ({"care": "gp", "lang": "de"}, "lang"),
    ],
)
def test_bad_arguments_are_a_422_naming_the_field(client, loaded, params, field):
    r = referral(client, **params, **AT)
    assert_error_shape(r, 422, field)


def test_origin_is_checked_as_in_search(client, loaded):
    r = referral(client, care="gp", lat=52.1)
    assert r.status_code == 422
    assert "lon" in str(r.get_json()["errors"])


def test_page_renders_the_same_sections_without_scripts(client, loaded):
    r = client.get("/referral", query_string={"care": "pharmacy,hospital,gp", "lang": "en", **AT})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "<script" not in html
    assert "private" in r.headers["Cache-Control"]
    assert (
        html.index('id="care-pharmacy"')
        < html.index('id="care-hospital"')
        < html.index('id="care-gp"')
    )
    assert "Apotheek Domplein" in html and "Huisarts Centrum" in html
    assert "Ziekenhuis West" in html
    # the helpdesk numbers of the Dokters van de Wereld leaflet (seed 000_9953ec890d00b27c)
    assert "020 408 34 24" in html and "0800 5028" in html
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_page_speaks_dutch(client, loaded):
    html = client.get("/referral", query_string={"care": "gp", **AT}).get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Verwijsblad" in html


def test_page_rejects_bad_arguments_with_the_error_shape(client, loaded):
    r = client.get("/referral", query_string={"care": "gp,gp", **AT})
    assert_error_shape(r, 422, "care")
