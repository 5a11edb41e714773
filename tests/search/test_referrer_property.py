"""Issue 11, as a property over every care type × scheme × age group: no result of a
category (or contract status) the rules exclude, and no example provider once a real source
holds its category; an empty answer always carries a notice, a non-empty one never."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_api.models import AGE_GROUPS, CARE_CODES, CATEGORIES, SCHEMES, Origin, Provider
from directory_api.search.directory import Directory
from directory_api.search.listing import filter_providers
from directory_api.search.notice import CODES, empty_notice
from directory_api.search.ranking import find_nearest
from directory_api.search.rules_file import load_rules

RULES = load_rules()
SITUATIONS = list(itertools.product(CARE_CODES, SCHEMES, (None, *AGE_GROUPS)))


@st.composite
def providers(draw: st.DrawFn) -> list[Provider]:
    """Up to 40 providers from a real list and an example list, of any category."""
    out = []
    for i in range(draw(st.integers(0, 40))):
        example = draw(st.booleans())
        out.append(
            Provider(
                id=f"p{i:03d}",
                name=draw(st.sampled_from(["Apotheek", "Tandarts", "Zorg (example)"])),
                category=draw(st.sampled_from(CATEGORIES)),
                cak_contracted=draw(st.sampled_from([True, False, None])),
                lat=draw(st.floats(51.9, 52.3)),
                lon=draw(st.floats(4.9, 5.3)),
                location_precision="coordinates",
                source="voorbeelden" if example else "cak-lijst",
                source_version=1,
                example=example,
            )
        )
    return out


@pytest.mark.parametrize(("care", "scheme", "age_group"), SITUATIONS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ps=providers(), max_km=st.none() | st.floats(0.5, 50), lang=st.sampled_from(["nl", "en"]))
def test_no_excluded_category_and_no_example_beside_a_real_list(
    care, scheme, age_group, ps, max_km, lang
):
    rule = RULES.rule(care, scheme, age_group)
    directory = Directory.build(1, ps)
    real = {p.category for p in ps if not p.example}
    origin = Origin(52.09, 5.12, "coordinates", "coordinates")
    found = find_nearest(directory, rule, origin, limit=100, max_km=max_km, lang=lang)
    group = age_group or "adult"
    for match in found:
        p = match.provider
        terms = rule.terms_for(p.category, p.cak_contracted)
        assert terms is not None, (care, scheme, age_group, p.category, p.cak_contracted)
        assert group in terms.age_groups
        assert not (p.example and p.category in real), p
    for position in filter_providers(directory):
        p = directory.providers[position]
        assert not (p.example and p.category in real), p
    notice = empty_notice(directory, rule, found=len(found), max_km=max_km, lang=lang)
    assert (notice is None) == bool(found)
    if notice is not None:
        assert notice.code in CODES and notice.message
        eligible = [p for p in directory.providers if rule.terms_for(p.category, p.cak_contracted)]
        assert (notice.code == "no_list_loaded") == (not eligible and bool(rule.eligible))
