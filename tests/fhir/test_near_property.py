"""Location?near and HealthcareService?location.near order equals a brute-force sort by
great-circle distance (geopy), every page followed, for generated directories and queries."""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
from geopy.distance import great_circle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_api.fhir.params import KM_PER_MILE
from directory_api.fhir.resources import DISTANCE_EXT
from directory_api.models import CARE_CODES, CATEGORIES, SCHEMES, Provider
from directory_api.search.directory import DirectoryHolder
from tests.fhir.conftest import get_ok

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

lat_nl = st.floats(51.9, 52.3, allow_nan=False)
lon_nl = st.floats(4.9, 5.3, allow_nan=False)
VERSIONS = itertools.count(1000)


@st.composite
def providers(draw: st.DrawFn) -> list[Provider]:
    n = draw(st.integers(0, 40))
    names = st.sampled_from(["Apotheek A", "Apotheek B", "Zorg", "Ziekenhuis", "Één"])
    out = []
    for i in range(n):
        # Some share a place: ties on distance are broken by name, then id.
        lat, lon = draw(st.one_of(st.tuples(lat_nl, lon_nl), st.just((52.09, 5.12))))
        out.append(
            Provider(
                id=f"p{i:03d}",
                name=draw(names),
                category=draw(st.sampled_from(CATEGORIES)),
                cak_contracted=draw(st.sampled_from([True, False, None])),
                lat=lat,
                lon=lon,
                location_precision="coordinates",
                source="test",
                source_version=1,
            )
        )
    return out


def serve(app, ps: list[Provider]) -> None:
    version = next(VERSIONS)
    app.extensions["directory"].holder = DirectoryHolder(lambda: version, lambda: (version, ps))


def walk(client, url: str) -> list[tuple[str, float]]:
    """(id, distance) of every entry over every page."""
    found = []
    while url:
        body = get_ok(client, url)
        for e in body.get("entry", []):
            (ext,) = [x for x in e["search"]["extension"] if x["url"] == DISTANCE_EXT]
            found.append((e["resource"]["id"], ext["valueDistance"]["value"]))
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else ""
    return found


def km_to(lat: float, lon: float, p: Provider) -> float:
    return round(great_circle((lat, lon), (p.lat, p.lon)).km, 2)


SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    ps=providers(),
    lat=lat_nl,
    lon=lon_nl,
    dist=st.one_of(st.none(), st.floats(0.5, 60), st.sampled_from([1.0, 10.0])),
    units=st.sampled_from(["km", "mi"]),
    types=st.one_of(st.none(), st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=3)),
    name=st.one_of(st.none(), st.sampled_from(["apotheek", "z", "een"])),
    count=st.integers(1, 15),
)
def test_location_near_matches_brute_force(app, ps, lat, lon, dist, units, types, name, count):
    serve(app, ps)
    near = f"{lat}|{lon}" if dist is None else f"{lat}|{lon}|{dist}|{units}"
    query = f"near={quote(near)}&_count={count}"
    if types:
        query += "&type=" + ",".join(sorted(types))
    if name:
        query += f"&name={name}"
    got = walk(app.test_client(), f"/fhir/Location?{query}")
    max_km = 50.0 if dist is None else dist * (KM_PER_MILE if units == "mi" else 1)
    rows = sorted(
        (km_to(lat, lon, p), p.name, p.id)
        for p in ps
        if (not types or p.category in types)
        and (not name or p.name.casefold().replace("éé", "ee").startswith(name))
    )
    expected = [(i, d) for d, _, i in rows if d <= max_km]
    assert [i for i, _ in got] == [i for i, _ in expected]
    for (_, reported), (_, d) in zip(got, expected, strict=True):
        assert reported == (d if units == "km" or dist is None else round(d / KM_PER_MILE, 2))


@SETTINGS
@given(
    ps=providers(),
    lat=lat_nl,
    lon=lon_nl,
    dist=st.floats(0.5, 40),
    care=st.sampled_from(CARE_CODES),
    scheme=st.sampled_from(SCHEMES),
    count=st.integers(1, 15),
)
def test_service_near_matches_brute_force(app, ps, lat, lon, dist, care, scheme, count):
    serve(app, ps)
    rule = app.extensions["directory"].rules.rule(care, scheme)
    near = quote(f"{lat}|{lon}|{dist}|km")
    url = (
        f"/fhir/HealthcareService?service-type={care}&scheme={scheme}"
        f"&location.near={near}&_count={count}"
    )
    got = walk(app.test_client(), url)
    rows = sorted(
        (km_to(lat, lon, p), p.name, p.id)
        for p in ps
        if rule.terms_for(p.category, p.cak_contracted) is not None
    )
    tail = f"-{care.replace('_', '-')}-{scheme.replace('_', '-')}"
    assert got == [(i + tail, d) for d, _, i in rows if d <= dist]


def test_rare_name_among_many_is_found_in_distance_order(app):
    """A filter that keeps few of 3,000 candidates: the search widens past its steps (to
    everything within the distance) and still returns exactly the brute-force order."""
    ps = [
        Provider(
            id=f"q{i:04d}",
            name="Zeldzaam" if i % 500 == 7 else "Gewoon",
            category="pharmacy",
            cak_contracted=True,
            lat=52.0 + (i % 60) * 0.005,
            lon=5.0 + (i // 60) * 0.005,
            location_precision="coordinates",
            source="test",
            source_version=1,
        )
        for i in range(3000)
    ]
    serve(app, ps)
    got = walk(app.test_client(), "/fhir/Location?near=52.0%7C5.0%7C100%7Ckm&name=zeld&_count=2")
    rows = sorted((km_to(52.0, 5.0, p), p.name, p.id) for p in ps if p.name == "Zeldzaam")
    assert got == [(i, d) for d, _, i in rows] and len(got) == 6
