"""The fast paths of versions/lists.py (and the store's multi-row inserts) give what the
one-at-a-time code they stand in for gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory_api.models import ProviderRow
from directory_api.versions import lists

parts = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "Apotheek Müller", "A  B", " a", "a ", "a|b", "x\x00y", "3511 AB"]),
    st.text(alphabet=" \t\x1c|aAzZéß\u0301ﬁ\xa0\x00", max_size=6),
)


def _row(name, postcode, house_number, external_id) -> ProviderRow:
    return ProviderRow(
        name=name or "n",
        category="gp",
        cak_contracted=None,
        lat=52.0,
        lon=5.0,
        location_precision="coordinates",
        external_id=external_id,
        postcode=postcode,
        house_number=house_number,
    )


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(parts, parts, parts, parts), max_size=30))
def test_identity_keys_of_equal_identity_keys(specs):
    rows = [_row(*spec) for spec in specs]
    assert lists.row_identity_keys(rows) == [lists.identity_keys(r) for r in rows]


def _assign_ids_one_by_one(slug, rows, previous):
    """assign_ids as it was before its shortcut: row by row."""
    known: dict[str, str] = {}
    for pid, values in previous.items():
        ext, npa = lists.identity_keys(
            ProviderRow(**dict(zip(lists.PROVIDER_FIELDS, values, strict=True)))
        )
        if ext:
            known.setdefault(ext, pid)
        known.setdefault(npa, pid)
    taken: set[str] = set()
    ids = []
    for row in rows:
        ext, npa = lists.identity_keys(row)
        own = ext or npa
        found = known.get(ext or "") or known.get(npa)
        pid = lists.stable_id(slug, own) if found is None or found in taken else found
        n = 1
        while pid in taken:
            pid = lists.stable_id(slug, f"{own}#{n}")
            n += 1
        taken.add(pid)
        ids.append(pid)
    return ids


small = st.sampled_from(["A", "a", "B", " b", None, "1"])


@settings(max_examples=1000, deadline=None)
@given(
    new=st.lists(st.tuples(small, small, small, small), max_size=8),
    old=st.lists(st.tuples(small, small, small, small), max_size=8),
)
def test_assign_ids_equals_one_by_one(new, old):
    rows = [_row(*spec) for spec in new]
    previous = {f"p{i}": lists.row_values(_row(*spec)) for i, spec in enumerate(old)}
    # an old row that a new one without an id matches, holding the id that a new row with
    # external id "A" would hash to: they collide, and the loop sorts it out
    previous |= {lists.stable_id("s", "ext:A"): lists.row_values(_row("A", None, None, None))}
    assert lists.assign_ids("s", rows, previous) == _assign_ids_one_by_one("s", rows, previous)


@settings(max_examples=500, deadline=None)
@given(
    names=st.lists(st.sampled_from(["A", "b", "Müller", "", "a  b"]), max_size=12),
    old_v=st.sampled_from([None, 3]),
    new_v=st.sampled_from([None, 4]),
)
def test_compare_new_equals_compare_with_nothing_before(names, old_v, new_v):
    rows = [_row(name, None, str(i), None) for i, name in enumerate(names)]
    ids = lists.assign_ids("s", rows, {})
    new = dict(zip(ids, map(lists.row_values, rows), strict=True))
    got = lists.compare_new("s", old_v, new_v, ids, [r.name for r in rows])
    assert got == lists.compare("s", old_v, new_v, {}, new)
    assert [type(c) for c in got.added] == [lists.Change] * len(rows)


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
    lazy = lists.AllAdded(ids, names)
    expected = tuple(sorted(map(lists.Change, ids, names), key=lambda c: c.provider_id))
    if read_all_first:
        assert tuple(lazy) == expected
    assert len(lazy) == len(expected)
    assert lazy[start:stop:step] == expected[start:stop:step]
    for i in range(-len(expected), len(expected)):
        assert lazy[i] == expected[i]
    assert lazy == expected and lazy == list(expected) and lazy != expected + (None,)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=10), st.sampled_from(["s", "a-b", ""]))
def test_stable_ids_equal_stable_id(keys, slug):
    assert lists.stable_ids(slug, keys) == [lists.stable_id(slug, k) for k in keys]


@pytest.mark.parametrize("count", [1, 499, 500, 1234])
def test_sqlite_multi_row_inserts_store_every_row_once(tmp_path, count):
    """Up to 500 providers per INSERT on SQLite: full statements and the rest."""
    from directory_api.store.store import Store

    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.create_schema()
    rows = [_row(f"n{i}", "3511 AB", str(i), f"e{i}" if i % 3 else None) for i in range(count)]
    result = store.publish("Some list", rows, checksum="x")
    ids = lists.assign_ids(result.source, rows, {})
    _, providers = store.snapshot()
    got = {p.id: (p.name, p.external_id, p.house_number, p.postcode) for p in providers}
    assert got == {
        pid: (r.name, r.external_id, r.house_number, r.postcode)
        for pid, r in zip(ids, rows, strict=True)
    }
    assert [c.provider_id for c in result.diff.added] == sorted(ids)
    store.dispose()
