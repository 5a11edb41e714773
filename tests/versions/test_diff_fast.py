"""diff_fast (a new source's diff, its `added` made as far as it is read) gives what
diff.compare gives with nothing before. The rows are as an import makes them (distinct ids
from assign_ids); `hypothesis.event` counts the comparisons (--hypothesis-show-statistics)."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from directory_api.versions.diff import Change, compare
from directory_api.versions.diff_fast import AllAdded, compare_new
from directory_api.versions.identity import assign_ids
from directory_api.versions.values import row_values
from tests.versions.strategies import row as _row
from tests.versions.strategies import spec_lists


def _size(n: int) -> str:
    return "no rows" if n == 0 else "1 row" if n == 1 else "2-9 rows" if n < 10 else "10+ rows"


@settings(max_examples=500, deadline=None)
@given(
    names=st.lists(st.sampled_from(["A", "b", "Müller", "", "a  b"]), max_size=12),
    old_v=st.sampled_from([None, 3]),
    new_v=st.sampled_from([None, 4]),
)
def test_compare_new_equals_compare_with_nothing_before(names, old_v, new_v):
    rows = [_row(name, None, str(i), None) for i, name in enumerate(names)]
    ids = assign_ids("s", rows, {})
    new = dict(zip(ids, map(row_values, rows), strict=True))
    got = compare_new("s", old_v, new_v, ids, [r.name for r in rows])
    assert got == compare("s", old_v, new_v, {}, new)
    assert [type(c) for c in got.added] == [Change] * len(rows)
    event(f"compared equal, {_size(len(rows))}")


@settings(max_examples=500, deadline=None)
@given(specs=spec_lists, old_v=st.sampled_from([None, 3]), read=st.sampled_from([0, 1, 50]))
def test_compare_new_equals_compare_on_imported_rows(specs, old_v, read):
    """As the store publishes a new source: ids from assign_ids, the report reads a few."""
    rows = [_row(*spec) for spec in specs]
    ids = assign_ids("s", rows, {})
    new = dict(zip(ids, map(row_values, rows), strict=True))
    got = compare_new("s", old_v, None, ids, [r.name for r in rows])
    expected = compare("s", old_v, None, {}, new)
    assert len(got.added) == len(expected.added)
    assert got.added[:read] == expected.added[:read]  # what a report reads first
    assert got == expected
    event(f"compared equal, {_size(len(rows))}")


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(st.sampled_from(["A", "b", "Müller", ""]), max_size=12),
    start=st.none() | st.integers(-14, 14),
    stop=st.none() | st.integers(-14, 14),
    step=st.sampled_from([None, 1, 2, -1]),
    read_all_first=st.booleans(),
)
def test_all_added_reads_as_the_sorted_tuple(names, start, stop, step, read_all_first):
    """A new source's `added`, made as far as it is read, equals the tuple compare gives."""
    ids = [f"id{i:03d}"[::-1] for i in range(len(names))]  # not in sorted order
    lazy = AllAdded(ids, names)
    expected = tuple(sorted(map(Change, ids, names), key=lambda c: c.provider_id))
    if read_all_first:
        assert tuple(lazy) == expected
    assert len(lazy) == len(expected)
    assert lazy[start:stop:step] == expected[start:stop:step]
    for i in range(-len(expected), len(expected)):
        assert lazy[i] == expected[i]
    assert lazy == expected and lazy == list(expected) and lazy != expected + (None,)
    sliced = "a non-empty slice" if expected[start:stop:step] else "an empty slice"
    made = "after reading all" if read_all_first else "made as read"
    event(f"compared equal, {sliced}, {made}")
