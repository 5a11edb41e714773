"""Hypothesis strategies for the query-parsing fast paths: search queries (shared by the
search and referral parsers' property tests) built from valid values, about one in five
spoilt in one place, so most examples compare two parsed answers."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import strategies as st

from directory_api.models import AGE_GROUPS, CARE_CODES, LANGUAGES, SCHEMES


def mostly(valid: st.SearchStrategy, invalid: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` about nine times in ten, `invalid` otherwise."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda ok: valid if ok else invalid)


def decimal(low: int, high: int) -> st.SearchStrategy[str]:
    """A number as people write it: '52', '-4.5', '52.0908', '0.000001'."""
    return st.tuples(st.integers(low, high - 1), st.integers(0, 10**6), st.integers(0, 6)).map(
        lambda t: str(t[0]) if t[2] == 0 else f"{t[0] + t[1] / 10**6:.{t[2]}f}"
    )


VALID = {
    "care": st.sampled_from(CARE_CODES),
    "near": st.one_of(
        st.sampled_from(["3511 AB", "3511AB", "3511", "Utrecht", "'s-Hertogenbosch", "52.1,5.1"]),
        st.text(min_size=1, max_size=40),
    ),
    "lat": decimal(-90, 90),
    "lon": decimal(-180, 180),
    "scheme": st.sampled_from(SCHEMES),
    "limit": st.integers(1, 100).map(str),
    "max_km": st.one_of(
        st.integers(1, 1000).map(str), st.floats(0.01, 999.99).map(lambda km: f"{km:.2f}")
    ),
    "lang": st.sampled_from(LANGUAGES),
    "as_of": st.dates(date(2000, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    "age_group": st.sampled_from(AGE_GROUPS),
    "format": st.sampled_from(["json", "geojson"]),
    "open_now": st.sampled_from(["true", "false"]),
    "open_at": st.tuples(
        st.datetimes(datetime(2000, 1, 1), datetime(2100, 12, 30)),
        st.sampled_from(["+01:00", "+02:00", "Z", "-05:00", " 01:00", "+0100"]),
        st.sampled_from(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]),
    ).map(lambda t: t[0].strftime(t[2]) + t[1]),
}
INVALID = {
    "care": st.sampled_from(["nope", "", "Pharmacy", "gp "]),
    "near": st.sampled_from(["", "x" * 201]),
    "lat": st.sampled_from(["91", "-90.5", "nan", "1e3", " 52", "52.", "+5", "north", ""]),
    "lon": st.sampled_from(["180.1", "inf", "+5", "5,1", "0x10", "٣"]),
    "scheme": st.sampled_from(["x", "UNINSURABLE"]),
    "limit": st.sampled_from(["0", "101", "-1", "5.0", "٣", " 7", ""]),
    "max_km": st.sampled_from(["0", "-1", "1000.01", "1e2", "nan", ""]),
    "lang": st.sampled_from(["de", "", "EN"]),
    "as_of": st.sampled_from(["2026-02-30", "26-01-01", "2026-1-1", "today", "2026-01-31T00"]),
    "age_group": st.sampled_from(["Child", "", "senior", "kind"]),
    "format": st.sampled_from(["GeoJSON", "", "csv", "geo+json"]),
    "open_now": st.sampled_from(["yes", "1", "True", "", "nope"]),
    "open_at": st.sampled_from(
        ["2026-12-05T22:00", "2026-12-05", "now", "2026-02-30T10:00+01:00", "1999-12-31T23:00Z"]
    ),
}
OPTIONAL = [
    "scheme",
    "limit",
    "max_km",
    "lang",
    "as_of",
    "age_group",
    "format",
    "open_now",
    "open_at",
]
BAD_ORIGINS = [(), ("lat",), ("lon",), ("near", "lat", "lon"), ("near", "lat")]


@st.composite
def search_queries(draw: st.DrawFn) -> dict[str, str]:
    """A valid query (care, one origin, some options); one in five spoilt in one place: an
    invalid value, a wrong set of origin keys, no care or an unknown key."""
    origin = draw(st.sampled_from([("near",), ("lat", "lon")]))
    keys = ["care", *origin, *draw(st.sets(st.sampled_from(OPTIONAL)))]
    query = {k: draw(VALID[k]) for k in keys}
    spoil = draw(st.sampled_from([None] * 16 + ["value", "origin", "care", "unknown"]))
    if spoil == "value":
        key = draw(st.sampled_from(keys))
        query[key] = draw(INVALID[key])
    elif spoil == "origin":
        for key in ("near", "lat", "lon"):
            query.pop(key, None)
        query.update({k: draw(VALID[k]) for k in draw(st.sampled_from(BAD_ORIGINS))})
    elif spoil == "care":
        del query["care"]
    elif spoil == "unknown":
        query[draw(st.sampled_from(["colour", "Care", "lng"]))] = "1"
    return query
