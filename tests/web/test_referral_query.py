"""web/referral_query.py, the fast twin of ReferralArgsSchema, equals its reference on mostly
valid input (built from the search's strategies, tests/web/strategies.py)."""

from __future__ import annotations

import marshmallow as ma
from hypothesis import event, given, settings
from hypothesis import strategies as st

from directory_api.models import CARE_CODES
from directory_api.web.referral_query import fast_referral_args
from directory_api.web.schemas_referral import ReferralArgsSchema
from tests.web.strategies import mostly, search_queries

SCHEMA = ReferralArgsSchema()
CARE_LISTS = st.lists(st.sampled_from(CARE_CODES), min_size=1, max_size=4, unique=True).map(
    ",".join
)
BAD_CARE_LISTS = st.sampled_from(
    ["", ",", "gp,gp", "gp,,pharmacy", "gp, pharmacy", "nope", "gp,pharmacy,hospital,dental,"
     "emergency,maternity,support", "GP"]
)  # fmt: skip
PER_CARE = mostly(st.integers(1, 10).map(str), st.sampled_from(["0", "11", "3.0", "", "٣", "03"]))


@st.composite
def referral_queries(draw: st.DrawFn) -> dict[str, str]:
    query = draw(search_queries())
    query.pop("limit", None)
    query.pop("format", None)
    if "care" in query or draw(st.booleans()):
        query["care"] = draw(mostly(CARE_LISTS, BAD_CARE_LISTS))
    if draw(st.booleans()):
        query["per_care"] = draw(PER_CARE)
    if not draw(mostly(st.just(True), st.just(False))):
        query[draw(st.sampled_from(["limit", "format"]))] = "3"
    return query


@settings(max_examples=1000, deadline=None)
@given(query=referral_queries())
def test_fast_referral_args_equals_schema_load(query):
    fast = fast_referral_args(query)
    try:
        slow = SCHEMA.load(query)
    except ma.ValidationError:
        event("schema rejects: fast path declines")
        assert fast is None
        return
    if fast is None:
        event("schema accepts: fast path declines")
        return
    event("compared equal")
    assert fast == slow


def test_fast_path_takes_the_common_query():
    got = fast_referral_args({"care": "pharmacy,hospital,gp", "near": "3511 AB"})
    assert got == {
        "care": ("pharmacy", "hospital", "gp"),
        "near": "3511 AB",
        "scheme": "uninsurable",
        "lang": "nl",
        "per_care": 3,
    }
