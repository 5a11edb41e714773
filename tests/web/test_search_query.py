"""web/search_query.py, the fast twin of SearchArgsSchema, equals its reference.

Both property tests draw mostly valid input (strategies built from valid values, a few
invalid ones mixed in), so most examples compare two parsed answers; `hypothesis.event`
counts them (run with --hypothesis-show-statistics).
"""

from __future__ import annotations

from urllib.parse import quote

import marshmallow as ma
from hypothesis import event, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from directory_api.web.schemas import SearchArgsSchema
from directory_api.web.search_query import fast_search_args, plain_query
from tests.web.strategies import mostly, search_queries

SCHEMA = SearchArgsSchema()


@settings(max_examples=1500, deadline=None)
@given(query=search_queries())
def test_fast_search_args_equals_schema_load(query):
    fast = fast_search_args(query)
    try:
        slow = SCHEMA.load(query)
    except ma.ValidationError:
        event("schema rejects: fast path declines")
        assert fast is None
        return
    if fast is None:
        event("schema accepts: fast path declines (the schema answers)")
        return
    event("compared equal")
    assert fast == slow


def test_fast_path_takes_the_common_queries():
    assert fast_search_args({"care": "pharmacy", "near": "3511 AB"}) == {
        "care": "pharmacy",
        "near": "3511 AB",
        "scheme": "uninsurable",
        "lang": "nl",
        "limit": 10,
    }
    got = fast_search_args({"care": "gp", "lat": "52.123", "lon": "5.1", "limit": "3"})
    assert got is not None and got["lat"] == 52.123 and got["limit"] == 3


KEYS = ["care", "lat", "lon", "near", "limit", "scheme", "lang", "max_km", "as_of"]
PLAIN_VALUE = st.one_of(
    st.sampled_from(["pharmacy", "52.1", "5.12", "3511AB", "10", "", "nl", "2026-01-31"]),
    st.text(alphabet="abcAZ09-._~,:;!*'()/?@=", max_size=8),
)
ODD_VALUE = st.sampled_from(["a+b", "%41", "é", "3511 AB", "a&b", "=="])
NINE_IN_TEN = st.sampled_from([True] * 9 + [False])
ODD_KEY = st.sampled_from(["x", "a b", "é", "care"])


@st.composite
def raw_queries(draw: st.DrawFn) -> str:
    """Query strings as browsers send them: mostly plain ASCII, distinct keys, nothing to
    decode; sometimes escaped, repeated keys, '+', non-ASCII or bare parts."""
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=6, unique=True))
    pairs = [(k, draw(mostly(PLAIN_VALUE, ODD_VALUE))) for k in keys]
    if not draw(NINE_IN_TEN):
        pairs.append((draw(ODD_KEY), draw(PLAIN_VALUE)))
    escape = not draw(NINE_IN_TEN)
    parts = [f"{quote(k) if escape else k}={quote(v) if escape else v}" for k, v in pairs]
    if not draw(NINE_IN_TEN):
        parts += draw(st.lists(st.sampled_from(["", "care", "=x", "&"]), min_size=1, max_size=2))
    return "&".join(draw(st.permutations(parts)))


@settings(max_examples=400, deadline=None)
@given(raw_queries())
def test_plain_query_equals_werkzeug(raw):
    plain = plain_query(raw)
    if plain is None:
        event("plain_query declines (werkzeug parses)")
        return
    event("compared equal")
    args = EnvironBuilder(query_string=raw).get_request().args
    assert all(len(v) == 1 for v in args.listvalues())
    assert plain == args.to_dict()


def test_plain_query_takes_the_common_query_and_leaves_the_rest():
    assert plain_query("care=gp&lat=52.1&lon=5.1") == {
        "care": "gp",
        "lat": "52.1",
        "lon": "5.1",
    }
    for raw in ("", "near=3511%20AB", "near=3511+AB", "care=gp&care=gp", "care", "=x", "a=é"):
        assert plain_query(raw) is None
