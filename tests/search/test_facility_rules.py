"""Which hospital locations suit the care (issue 11, point 4): the `facilities` rules of
rules.yaml, their validation, and the shortlists the directory narrows by them; a property
test over every care type x scheme x age group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_api import errors
from directory_api.models import (
    AGE_GROUPS,
    CARE_CODES,
    CATEGORIES,
    FACILITY_TYPES,
    SCHEMES,
    Origin,
    Provider,
)
from directory_api.search.directory import Directory
from directory_api.search.ranking import nearest
from directory_api.search.rules import FacilityRule
from directory_api.search.rules_file import load_rules
from tests.search.test_rules import RULE, SEED, dump, minimal_document

RULES = load_rules()
SERVICE_CELLS = (None, "seh", "verloskunde", "seh,verloskunde")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("age", AGE_GROUPS)
def test_childbirth_leaves_out_childrens_and_categorical_hospitals(scheme: str, age: str) -> None:
    rule = RULES.rule("maternity", scheme, age).facility_rule("hospital")
    assert rule is not None
    assert rule.exclude_facility_types == {"childrens", "categorical", "outpatient_clinic"}
    assert rule.requires_service == "verloskunde"
    assert set(rule.sources) == {"001_1ecd8cb4a0b0ed2b.txt", "003_6f8e5577d2146761.txt"}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_emergency_brings_childrens_hospitals_in_for_children_only(scheme: str) -> None:
    adult = RULES.rule("emergency", scheme).facility_rule("hospital")
    child = RULES.rule("emergency", scheme, "child").facility_rule("hospital")
    assert adult is not None and child is not None
    assert adult == RULES.rule("emergency", scheme, "adult").facility_rule("hospital")
    assert "childrens" in adult.exclude_facility_types
    assert "childrens" not in child.exclude_facility_types
    assert "categorical" in child.exclude_facility_types
    assert adult.requires_service == child.requires_service == "seh"
    assert adult.sources == child.sources == ("000_9953ec890d00b27c.txt",)


def test_other_care_has_no_facility_rule() -> None:
    for care in set(CARE_CODES) - {"emergency", "maternity"}:
        for scheme in SCHEMES:
            assert RULES.care_types[care].rules[scheme].facilities == ()


@pytest.mark.parametrize(
    ("facility_type", "services", "admitted"),
    [
        (None, None, True),  # a list that says nothing
        ("general", None, True),
        ("general", "seh", True),
        ("general", "verloskunde", False),  # its list says: no emergency department
        ("childrens", "seh", False),
        ("categorical", None, False),
        ("academic", "seh,verloskunde", True),
    ],
)
def test_a_facility_rule_admits(facility_type: str | None, services: str | None, admitted: bool):
    rule = FacilityRule("hospital", frozenset({"childrens", "categorical"}), "seh", (SEED,))
    assert rule.admits(facility_type, services) is admitted


def facilities_document(facilities: list[dict[str, Any]]) -> dict[str, Any]:
    doc = minimal_document()
    *parents, last = f"{RULE}.facilities".split(".")
    node: Any = doc
    for part in parents:
        node = node[part]
    node[last] = facilities
    return doc


def test_a_minimal_facility_rule_loads(tmp_path: Path) -> None:
    doc = facilities_document([{"category": "pharmacy", "source": [SEED]}])
    rule = load_rules(dump(tmp_path, doc)).rule("pharmacy").facility_rule("pharmacy")
    assert rule == FacilityRule("pharmacy", frozenset(), None, (SEED,), frozenset(AGE_GROUPS))


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"exclude_facility_types": ["hospice"]}, "unknown facility type 'hospice'"),
        ({"requires_service": "tandarts"}, "requires_service: unknown service 'tandarts'"),
        ({"source": []}, "source: cite at least one seed file"),
        ({"category": "shop"}, "category: unknown category 'shop'"),
        ({"age_group": ["senior"]}, "unknown age group 'senior'"),
    ],
)
def test_a_broken_facility_rule_names_its_entry(
    tmp_path: Path, entry: dict[str, Any], expected: str
) -> None:
    doc = facilities_document([{"category": "hospital", "source": [SEED], **entry}])
    with pytest.raises(errors.RulesError) as caught:
        load_rules(dump(tmp_path, doc))
    assert f"{RULE}.facilities[0]" in caught.value.message and expected in caught.value.message


def test_two_facility_rules_for_one_age_group_are_refused(tmp_path: Path) -> None:
    one = {"category": "hospital", "source": [SEED]}
    doc = facilities_document([one, {**one, "age_group": ["child"]}])
    with pytest.raises(errors.RulesError, match="two facility rules for hospital and age group"):
        load_rules(dump(tmp_path, doc))


def hospital(i: int, facility_type: str | None, services: str | None, **kw: Any) -> Provider:
    return Provider(
        id=f"h{i:03d}",
        name=f"Ziekenhuis {i:03d}",
        category=kw.get("category", "hospital"),
        cak_contracted=kw.get("cak_contracted"),
        lat=52.0 + i / 1000,
        lon=5.0,
        location_precision="coordinates",
        source="test",
        source_version=1,
        facility_type=facility_type,
        services=services,
    )


def test_the_directory_narrows_a_shortlist_once_per_rule() -> None:
    ps = [hospital(i, t, None) for i, t in enumerate((None, *FACILITY_TYPES))]
    directory = Directory.build(1, ps)
    rule = RULES.rule("maternity").facility_rule("hospital")
    key = ("hospital", None)
    narrowed = directory.index_for(key, rule)
    assert narrowed is not None and narrowed is directory.index_for(key, rule)
    kept = {directory.providers[i].facility_type for i in narrowed.items.tolist()}
    assert kept == {None, "general", "academic"}
    assert directory.index_for(key) is directory.indexes[key]
    assert directory.index_for(("pharmacy", None), rule) is None
    general = Directory.build(1, [hospital(0, "general", None)])
    assert general.index_for(key, rule) is general.indexes[key]  # nothing left out: the same


@st.composite
def directories(draw: st.DrawFn) -> list[Provider]:
    n = draw(st.integers(0, 40))
    return [
        hospital(
            i,
            draw(st.sampled_from((None, *FACILITY_TYPES))),
            draw(st.sampled_from(SERVICE_CELLS)),
            category=draw(st.sampled_from(["hospital", "hospital", *CATEGORIES])),
            cak_contracted=draw(st.sampled_from([True, False, None])),
        )
        for i in range(n)
    ]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ps=directories(),
    care=st.sampled_from(CARE_CODES),
    scheme=st.sampled_from(SCHEMES),
    age=st.sampled_from((None, *AGE_GROUPS)),
)
def test_no_result_is_a_location_the_rules_leave_out(ps, care, scheme, age) -> None:
    rule = RULES.rule(care, scheme, age)
    directory = Directory.build(1, ps)
    found = nearest(directory, rule, Origin(52.0, 5.0, "coordinates", "coordinates"), limit=100)
    got = {directory.providers[i].id for i, _, _ in found}
    expected = {
        p.id
        for p in ps
        if rule.terms_for(p.category, p.cak_contracted) is not None and rule.admits(p)
    }
    assert got == expected
