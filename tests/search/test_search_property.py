"""Search order equals a brute-force sort by the same great-circle formula."""

from __future__ import annotations

import pytest
from geopy.distance import geodesic, great_circle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_api.models import CARE_CODES, CATEGORIES, SCHEMES, Origin, Provider
from directory_api.search.directory import Directory
from directory_api.search.ranking import find_nearest
from directory_api.search.rules_file import load_rules

RULES = load_rules()

lat_nl = st.floats(50.75, 53.55, allow_nan=False)
lon_nl = st.floats(3.35, 7.2, allow_nan=False)


@st.composite
def providers(draw: st.DrawFn) -> list[Provider]:
    n = draw(st.integers(0, 60))
    names = st.sampled_from(["Apotheek A", "Apotheek B", "Zorg", "Ziekenhuis", "Één", "a"])
    out = []
    for i in range(n):
        # Some providers share a place, so ties on distance must be broken by name and id.
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


def brute_force(ps, rule, origin, limit, max_km):
    rows = []
    for p in ps:
        if rule.terms_for(p.category, p.cak_contracted) is None:
            continue
        d = round(great_circle((origin.lat, origin.lon), (p.lat, p.lon)).km, 2)
        if max_km is None or d <= max_km:
            rows.append((d, p.name, p.id))
    rows.sort()
    return [(r[2], r[0]) for r in rows[:limit]]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ps=providers(),
    care=st.sampled_from(CARE_CODES),
    scheme=st.sampled_from(SCHEMES),
    lat=lat_nl,
    lon=lon_nl,
    limit=st.integers(1, 100),
    max_km=st.one_of(st.none(), st.floats(0.01, 400), st.sampled_from([1.0, 5.0, 10.0])),
)
def test_order_matches_brute_force(ps, care, scheme, lat, lon, limit, max_km):
    rule = RULES.rule(care, scheme)
    origin = Origin(lat, lon, "coordinates", "coordinates")
    got = find_nearest(Directory.build(1, ps), rule, origin, limit=limit, max_km=max_km)
    assert [(m.provider.id, m.distance_km) for m in got] == brute_force(
        ps, rule, origin, limit, max_km
    )
    for m in got:
        true_km = geodesic((lat, lon), (m.provider.lat, m.provider.lon)).km
        assert m.distance_km == pytest.approx(true_km, rel=0.005, abs=0.006)
        assert rule.terms_for(m.provider.category, m.provider.cak_contracted) is not None


def test_limit_and_max_km_edges():
    ps = [
        Provider(f"p{i}", f"P{i}", "pharmacy", True, 52.0 + i * 0.009, 5.0, "coordinates", "t", 1)
        for i in range(20)
    ]
    d = Directory.build(1, ps)
    rule = RULES.rule("pharmacy")
    origin = Origin(52.0, 5.0, "coordinates", "coordinates")
    assert len(find_nearest(d, rule, origin, limit=1)) == 1
    assert len(find_nearest(d, rule, origin, limit=100)) == 20
    within = find_nearest(d, rule, origin, limit=100, max_km=5.0)
    assert within and all(m.distance_km <= 5.0 for m in within)
    assert len(within) == sum(
        1 for p in ps if round(great_circle((52, 5), (p.lat, p.lon)).km, 2) <= 5
    )
    assert find_nearest(Directory.build(1, []), rule, origin) == []


def test_origin_far_away_still_finds_everything():
    ps = [Provider("a", "A", "pharmacy", True, 52.0, 5.0, "coordinates", "t", 1)]
    rule = RULES.rule("pharmacy")
    got = find_nearest(
        Directory.build(1, ps), rule, Origin(-45.0, 170.0, "coordinates", "coordinates")
    )
    assert [m.provider.id for m in got] == ["a"]
