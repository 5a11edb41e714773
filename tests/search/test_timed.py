"""Search by time over HTTP (issue 12): open_now/open_at, `open` and `next_change` per
result, the out-of-hours pharmacy route (seed 001: waarneming), unknown hours never open,
and opening hours at import. Every moment is given (open_at): nothing depends on the clock."""

from __future__ import annotations

import pytest

from directory_api.errors import ImportRejected
from directory_api.imports.pipeline import import_file
from tests.helpers import assert_error_shape

CSV = b"""naam;categorie;gecontracteerd;plaats;openingstijden;lat;lon
Apotheek Aaa Waarneming;apotheek;nee;Utrecht;ma-zo 08:00-23:00;52,0908;5,1215
Apotheek Zzz Dienst;apotheek;ja;Utrecht;24/7;52,0908;5,1215
Apotheek Dicht;apotheek;nee;Utrecht;ma-vr 9-17;52,0950;5,1300
Apotheek Dag;apotheek;ja;Amsterdam;{dag};52,3731;4,8922
Apotheek Onbekend;apotheek;ja;Amsterdam;;52,3700;4,8900
""".replace(b"{dag}", b"ma-vr 08:00-17:30, za 10:00-13:00, feestdagen gesloten")

SATURDAY_22 = "2026-12-05T22:00:00+01:00"
TUESDAY_11 = "2026-12-08T11:00:00+01:00"
UTRECHT = {"lat": 52.0908, "lon": 5.1215}
AMSTERDAM = {"lat": 52.3731, "lon": 4.8922, "max_km": 5}


@pytest.fixture
def loaded(services):
    import_file(services, CSV, source_name="Apotheken met openingstijden", list_date=None)
    return services


def search(client, **params):
    r = client.get("/v1/search", query_string={"care": "pharmacy", **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def names(body):
    return [x["provider"]["name"] for x in body["results"]]


def test_dutch_hours_are_stored_in_osm_syntax(client, loaded):
    body = search(client, **AMSTERDAM, open_at=TUESDAY_11)
    assert body["results"][0]["provider"]["opening_hours"] == (
        "Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off"
    )


def test_saturday_night_adds_the_out_of_hours_route_contracted_first(client, loaded):
    body = search(client, **UTRECHT, open_at=SATURDAY_22, lang="en")
    # Both at 0 km: the contracted pharmacy first although its name sorts last.
    assert names(body) == ["Apotheek Zzz Dienst", "Apotheek Aaa Waarneming"]
    contracted, route = body["results"]
    assert contracted["reimbursement"]["basis"] == "cak_contract"
    assert route["reimbursement"]["basis"] == "out_of_hours_route"
    assert route["provider"]["cak_contracted"] is False
    terms = " ".join(route["reimbursement"]["conditions"])
    assert "contracted pharmacy" in terms and "Clearing House Apothekers" in terms
    assert [r["open"] for r in body["results"]] == [True, True]
    assert route["next_change"] == "2026-12-05T23:00:00+01:00"
    assert body["opening"] == {
        "at": SATURDAY_22,
        "only_open": True,
        "out_of_hours": True,
        "unknown_hours_only": False,
    }
    nl = search(client, **UTRECHT, open_at=SATURDAY_22)["results"][1]["reimbursement"]
    assert "gecontracteerde apotheek" in " ".join(nl["conditions"])


def test_tuesday_morning_has_no_out_of_hours_route(client, loaded):
    body = search(client, **UTRECHT, open_at=TUESDAY_11)
    assert names(body) == ["Apotheek Zzz Dienst", "Apotheek Dag"]
    assert {r["reimbursement"]["basis"] for r in body["results"]} == {"cak_contract"}
    assert body["opening"]["out_of_hours"] is False


def test_a_public_holiday_is_closed_on_ph_off(client, loaded):
    christmas = "2026-12-25T11:00:00+01:00"  # a Friday
    assert names(search(client, **UTRECHT, open_at=christmas)) == ["Apotheek Zzz Dienst"]
    body = search(client, **AMSTERDAM, open_at=christmas, open_now="false")
    assert body["opening"]["only_open"] is True
    assert body["opening"]["unknown_hours_only"] is True  # Dag is closed, Onbekend unknown


def test_summer_time_moments_are_read_in_local_time(client, loaded):
    # 06:30 UTC on the Monday after the change is 08:30 in Amsterdam: open.
    body = search(client, **AMSTERDAM, open_at="2026-03-30T06:30:00Z")
    assert names(body) == ["Apotheek Dag"]
    assert body["results"][0]["next_change"] == "2026-03-30T17:30:00+02:00"
    # The same UTC time on the Friday before is 07:30: closed, so only unknown hours follow.
    before = search(client, **AMSTERDAM, open_at="2026-03-27T06:30:00Z")
    assert names(before) == ["Apotheek Onbekend"]


def test_unknown_hours_are_never_presented_as_open(client, loaded):
    body = search(client, **AMSTERDAM, open_at=TUESDAY_11)
    assert names(body) == ["Apotheek Dag"]  # Onbekend is nearer, but its hours are unknown
    night = search(client, **AMSTERDAM, open_at="2026-12-08T03:00:00+01:00")
    assert names(night) == ["Apotheek Onbekend"]
    assert night["results"][0]["open"] is None and night["results"][0]["next_change"] is None
    assert night["opening"]["unknown_hours_only"] is True


def test_without_a_time_filter_every_place_carries_its_status(client, loaded):
    body = search(client, **AMSTERDAM)
    assert names(body) == ["Apotheek Dag", "Apotheek Onbekend"]
    assert body["opening"]["only_open"] is False
    assert body["results"][1]["open"] is None
    assert body["query"]["open_now"] is False and body["query"]["open_at"] is None
    assert search(client, **AMSTERDAM, open_now="true")["query"]["open_now"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"open_at": "2026-12-05T22:00"}, "open_at"),  # no offset
        ({"open_at": "zaterdag"}, "open_at"),
        ({"open_at": "2026-02-30T10:00:00+01:00"}, "open_at"),
        ({"open_now": "soms"}, "open_now"),
        ({"open_now": "true", "open_at": SATURDAY_22}, "open_at"),
    ],
)
def test_bad_times_are_a_422_naming_the_field(client, loaded, params, field):
    r = client.get("/v1/search", query_string={"care": "pharmacy", **UTRECHT, **params})
    assert r.status_code == 422
    assert_error_shape(r, 422)
    assert field in r.get_json()["errors"]


def test_care_types_show_the_out_of_hours_route(client):
    body = client.get("/v1/care-types").get_json()
    pharmacy = next(c for c in body["care_types"] if c["code"] == "pharmacy")
    rule = next(r for r in pharmacy["rules"] if r["scheme"] == "uninsurable")
    route = rule["out_of_hours"]
    assert route["when"] == "Mo-Fr 00:00-08:00,17:00-24:00; Sa-Su 00:00-24:00"
    assert "001_1ecd8cb4a0b0ed2b.txt" in route["sources"]
    assert "waarneming" in route["description"]["nl"].lower()
    assert [e["basis"] for e in route["eligible"]] == ["out_of_hours_route"]
    assert [e["contract"] for e in route["eligible"]] == [["not_contracted"]]
    gp = next(c for c in body["care_types"] if c["code"] == "gp")
    assert all(r["out_of_hours"] is None for r in gp["rules"])


BAD_HOURS = b"""naam;categorie;plaats;openingstijden;lat;lon
Apotheek Goed;apotheek;Utrecht;ma-vr 9-17;52,09;5,12
Apotheek Afspraak;apotheek;Utrecht;op afspraak;52,08;5,11
"""


def test_unreadable_hours_are_a_row_problem_naming_line_and_column(services):
    with pytest.raises(ImportRejected) as caught:
        import_file(services, BAD_HOURS, source_name="Apotheken", list_date=None)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, "openingstijden")
    assert "opening hours not understood" in problem.reason


def test_skip_invalid_keeps_the_row_with_its_hours_unknown(services):
    outcome = import_file(
        services, BAD_HOURS, source_name="Apotheken", list_date=None, skip_invalid=True
    )
    hours = {r.name: r.opening_hours for r in outcome.parsed.rows}
    assert hours == {"Apotheek Goed": "Mo-Fr 09:00-17:00", "Apotheek Afspraak": None}
    assert outcome.parsed.problems == []
    assert any(
        w.startswith("line 3, column 'openingstijden'") and "hours unknown" in w
        for w in outcome.parsed.warnings
    )
