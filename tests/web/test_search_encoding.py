"""web/search_encoding.py, the bytes /v1/search answers with, equals its reference:
`SearchResultSchema().dump(...)` of the same results (what `@blp.response` would send).

Every example is a valid search, so every one compares; `hypothesis.event` counts them
(run with --hypothesis-show-statistics).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from directory_api.hours.evaluate import TIMEZONE
from directory_api.models import (
    AGE_GROUPS,
    CARE_CODES,
    CATEGORIES,
    FACILITY_TYPES,
    LANGUAGES,
    PRECISIONS,
    SCHEMES,
    Origin,
    Provider,
    Reimbursement,
)
from directory_api.search.directory import Directory
from directory_api.search.notice import empty_notice
from directory_api.search.rules import Eligibility
from directory_api.search.rules_file import load_rules
from directory_api.search.timed import timed_nearest
from directory_api.web.schemas import SearchResultSchema
from directory_api.web.search_encoding import query_json, search_json

RULES = load_rules()
SCHEMA = SearchResultSchema()

lat_nl = st.floats(50.75, 53.55)
lon_nl = st.floats(3.35, 7.2)
# Text as lists hold it: quotes, backslashes, accents, other scripts, control characters.
texts = st.one_of(
    st.sampled_from(['Huisarts "De Brug"', "Één \\ Apotheek", "'s-Hertogenbosch", "Ä\u2028b"]),
    st.text(max_size=20),
)
optional = st.none() | texts
# Hours as stored: OSM syntax (open, closed, unknown, holidays), older free text, none.
hours = st.sampled_from(
    [None, "24/7", "Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off", "Mo-Su 17:00-08:00",
     "Sa-Su 00:00-24:00", "Mo-Fr 09:00-17:00 unknown", "off", "ma-vr 9-17"]
)  # fmt: skip
# Moments around a weekend, a holiday and the change to summer time, with various offsets.
moments = st.tuples(
    st.sampled_from(["2026-12-04", "2026-12-05", "2026-12-25", "2026-03-29", "2026-10-25"]),
    st.integers(0, 24 * 4 - 1),
    st.sampled_from([0, 1, 2, -5]),
).map(
    lambda t: (
        datetime.fromisoformat(t[0] + "T00:00+00:00") + timedelta(minutes=15 * t[1])
    ).astimezone(TIMEZONE)
)
kinds = st.sampled_from(
    [("coordinates", "coordinates"), ("postcode", "postcode4"), ("place", "place")]
)


@st.composite
def providers(draw: st.DrawFn, categories: tuple[str, ...]) -> list[Provider]:
    """Up to 25 providers, most of them in `categories` (those a rule can admit)."""
    category = st.sampled_from([True] * 4 + [False]).flatmap(
        lambda eligible: st.sampled_from(categories if eligible else CATEGORIES)
    )
    out = []
    for i in range(draw(st.integers(0, 25))):
        out.append(
            Provider(
                id=f"p{i:03d}",
                name=draw(texts),
                category=draw(category),
                cak_contracted=draw(st.sampled_from([True, False, None])),
                lat=draw(lat_nl),
                lon=draw(lon_nl),
                location_precision=draw(st.sampled_from(PRECISIONS)),
                source=draw(st.sampled_from(["cak-apotheken", "huisartsen"])),
                source_version=draw(st.integers(1, 1000)),
                external_id=draw(optional),
                street=draw(optional),
                house_number=draw(optional),
                postcode=draw(st.none() | st.sampled_from(["3511 AB", "1012"])),
                city=draw(optional),
                phone=draw(optional),
                website=draw(optional),
                email=draw(optional),
                opening_hours=draw(hours),
                facility_type=draw(st.none() | st.sampled_from(FACILITY_TYPES)),
                services=draw(
                    st.none() | st.sampled_from(["seh", "verloskunde", "seh,verloskunde"])
                ),
                source_list_date=draw(st.none() | st.dates(date(2000, 1, 1))),
                example=draw(st.booleans()),
            )
        )
    return out


def terms_in(terms: Eligibility, lang: str) -> Reimbursement:
    """The entry's terms in one language, read from the rule itself (not the compiled JSON)."""
    contribution = terms.patient_contribution
    return Reimbursement(
        basis=terms.basis,
        share_percent=terms.share_percent,
        patient_contribution=contribution.get(lang) if contribution else None,
        conditions=tuple(c.get(lang) for c in terms.conditions),
        restricted_to=tuple(t.get(lang) for t in terms.restricted_to),
    )


def reference(args, origin, rule, directory, timed, notice=None) -> dict:
    """What @blp.response(200, SearchResultSchema) would send for the same results; the
    API promises coordinates to 6 decimals."""
    lang = args["lang"]
    found = timed.found
    return SCHEMA.dump(
        {
            "query": {
                "care": args["care"],
                "scheme": args["scheme"],
                "lang": lang,
                "limit": args["limit"],
                "max_km": args.get("max_km"),
                "as_of": args.get("as_of"),
                "age_group": args.get("age_group"),
                "open_now": bool(args.get("open_now")),
                "open_at": args.get("open_at"),
                "origin": replace(origin, lat=round(origin.lat, 6), lon=round(origin.lon, 6)),
            },
            "opening": {
                "at": timed.at.isoformat(),
                "only_open": timed.only_open,
                "out_of_hours": timed.out_of_hours,
                "unknown_hours_only": timed.fallback,
            },
            "advice": [t.get(lang) for t in rule.advice],
            "referral": rule.referral.get(lang) if rule.referral else None,
            "data_version": directory.data_version,
            "results": [
                {
                    "provider": replace(p, lat=round(p.lat, 6), lon=round(p.lon, 6)),
                    "distance_km": km,
                    "open": state.open,
                    "next_change": state.next_change,
                    "reimbursement": terms_in(terms, lang),
                }
                for (i, km, terms), state in zip(found, timed.statuses, strict=True)
                for p in [directory.providers[i]]
            ],
            "notice": None if notice is None else notice.as_dict(),
        }
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    data_version=st.integers(0, 10**6),
    care=st.sampled_from(CARE_CODES),
    scheme=st.sampled_from(SCHEMES),
    lang=st.sampled_from(LANGUAGES),
    limit=st.integers(1, 100),
    max_km=st.none() | st.floats(5, 1000) | st.sampled_from([0.5, 30.0]),
    as_of=st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    lat=lat_nl,
    lon=lon_nl,
    kind=kinds,
    label=optional,
    age_group=st.none() | st.sampled_from(AGE_GROUPS),
    at=moments,
    time_filter=st.sampled_from([None, "open_now", "open_at"]),
)
def test_search_json_equals_schema_dump(
    data,
    data_version,
    care,
    scheme,
    lang,
    limit,
    max_km,
    as_of,
    lat,
    lon,
    kind,
    label,
    age_group,
    at,
    time_filter,
):
    rule = RULES.rule(care, scheme, age_group)
    ps = data.draw(providers(rule.categories()))
    args = {"care": care, "scheme": scheme, "lang": lang, "limit": limit}
    if age_group is not None:
        args["age_group"] = age_group
    if max_km is not None:
        args["max_km"] = max_km
    if as_of is not None:
        args["as_of"] = as_of
    if time_filter == "open_now":
        args["open_now"] = True
    elif time_filter == "open_at":
        args["open_at"] = at
    origin = Origin(lat, lon, kind[0], kind[1], label)
    directory = Directory.build(data_version, ps)
    timed = timed_nearest(
        directory, rule, origin, at=at, only_open=time_filter is not None, limit=limit,
        max_km=max_km,
    )  # fmt: skip
    notice = empty_notice(directory, rule, found=len(timed.found), max_km=max_km, lang=lang)
    body = search_json(args, origin, rule, directory, timed, notice)
    assert json.loads(body) == reference(args, origin, rule, directory, timed, notice)
    event("compared equal, with results" if timed.found else "compared equal, no results")


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
    kind=kinds,
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
    assert json.loads(query_json(args, origin)) == {
        "care": care,
        "scheme": scheme,
        "lang": lang,
        "limit": limit,
        "max_km": max_km,
        "as_of": None if as_of is None else as_of.isoformat(),
        "age_group": age_group,
        "open_now": False,
        "open_at": None,
        "origin": {
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "resolved_from": kind[0],
            "precision": kind[1],
            "label": label,
        },
    }
