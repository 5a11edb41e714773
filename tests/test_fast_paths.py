"""The fast paths agree with the slow ones they stand in for."""

from __future__ import annotations

import json
import threading
import time

import marshmallow as ma
from hypothesis import given, settings
from hypothesis import strategies as st

from directory_api.imports.importer import ProviderRowSchema
from directory_api.models import Provider
from directory_api.search.directory import Directory, DirectoryHolder
from directory_api.web.schemas import SearchArgsSchema, fast_search_args

SCHEMA = SearchArgsSchema()

values = {
    "care": st.sampled_from(["pharmacy", "gp", "nope", "", "Pharmacy"]),
    "near": st.one_of(st.text(max_size=5), st.sampled_from(["3511 AB", "Utrecht", "x" * 201])),
    "lat": st.one_of(
        st.floats(-100, 100).map(repr), st.sampled_from(["52", "-0", "nan", "1e3", " 52", "52."])
    ),
    "lon": st.one_of(st.floats(-200, 200).map(repr), st.sampled_from(["5.1", "inf", "+5"])),
    "scheme": st.sampled_from(["uninsurable", "uninsured_resident", "x"]),
    "limit": st.sampled_from(["1", "10", "100", "101", "0", "-1", "5.0", "٣", " 7"]),
    "max_km": st.one_of(st.floats(-5, 1500).map(repr), st.sampled_from(["0", "1000", "5"])),
    "lang": st.sampled_from(["nl", "en", "de"]),
    "as_of": st.sampled_from(["2026-01-31", "2026-02-30", "26-01-01", "2026-1-1"]),
    "age_group": st.sampled_from(["adult", "child", "Child", "", "senior"]),
    "extra": st.just("1"),
}


@st.composite
def queries(draw: st.DrawFn) -> dict[str, str]:
    keys = draw(st.sets(st.sampled_from(sorted(values))))
    return {k: draw(values[k]) for k in keys}


@settings(max_examples=1500, deadline=None)
@given(query=queries())
def test_fast_search_args_equals_schema_load(query):
    fast = fast_search_args(query)
    try:
        slow = SCHEMA.load(query)
    except ma.ValidationError:
        assert fast is None
        return
    if fast is not None:
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


def _providers(version: int) -> list[Provider]:
    return [Provider(f"p{version}", f"P{version}", "gp", None, 52.0, 5.0, "coordinates", "s", 1)]


def test_holder_swaps_in_the_background_and_never_serves_half():
    version = {"n": 1}
    release = threading.Event()

    def load():
        n = version["n"]
        if n > 1:
            release.wait(5)
        return n, _providers(n)

    holder = DirectoryHolder(lambda: version["n"], load, interval=0.0, swap_wait=0.05)
    first = holder.get()
    assert first.data_version == 1
    version["n"] = 2
    started = time.monotonic()
    assert holder.get() is first  # the slow build does not stall requests
    assert time.monotonic() - started < 1
    release.set()
    deadline = time.monotonic() + 5
    while holder.get().data_version != 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    current = holder.get()
    assert current.data_version == 2 and [p.id for p in current.providers] == ["p2"]


def test_holder_keeps_serving_when_a_reload_fails():
    version = {"n": 1}

    def load():
        if version["n"] == 2:
            raise ConnectionError("store went away")
        return version["n"], _providers(version["n"])

    holder = DirectoryHolder(lambda: version["n"], load, interval=0.0, swap_wait=1.0)
    first = holder.get()
    version["n"] = 2
    assert holder.get() is first
    version["n"] = 3
    assert holder.get().data_version == 3


def test_directory_in_box_and_lazy_texts():
    ps = [
        Provider("a", "A", "gp", None, 52.0, 5.0, "coordinates", "s", 1),
        Provider("b", "B", "gp", True, 53.0, 6.0, "coordinates", "s", 1),
    ]
    d = Directory.build(1, ps)
    assert d.in_box(4.9, 51.9, 5.1, 52.1) == [0]
    assert d.in_box(5.0, 52.0, 6.0, 53.0) == [0, 1]  # edges included
    assert json.loads(d.json_bytes(0))["name"] == "A"  # encoded once, on first use


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "-",
            "3511 AB",
            "3511ab",
            "12345",
            "ja",
            "nee",
            "maybe",
            "52,09",
            "52.1",
            "5.12",
            "91",
            "pharmacy",
            "apotheek",
            "winkel",
            "=SUM(A1)",
            "+31 20 123 4567",
            "@x",
            "www.example.nl",
            "http://x",
            "a@b.nl",
            "a@",
            " Apotheek ",
        ]
    ),
)
ROW_KEYS = list(ProviderRowSchema().load_fields)


@settings(max_examples=1500, deadline=None)
@given(
    row=st.dictionaries(st.sampled_from([*ROW_KEYS, "unknown"]), cells),
    default_category=st.sampled_from([None, "pharmacy"]),
    default_contracted=st.sampled_from([None, True]),
)
def test_row_fast_load_equals_schema_load(row, default_category, default_contracted):
    schema = ProviderRowSchema(
        default_category=default_category, default_contracted=default_contracted
    )
    fast = schema.fast_load(row)
    try:
        slow = schema.load(row)
    except ma.ValidationError:
        assert fast is None
        return
    if fast is not None:
        assert fast == slow
