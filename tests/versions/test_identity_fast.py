"""identity_fast (identity keys and stable ids a column at a time) and assign_ids' shortcut
give what identity.py's per-row reference gives. The rows are mostly as an import makes them,
so the fast branches are taken; `hypothesis.event` counts which branch each comparison took
(run with --hypothesis-show-statistics)."""

from __future__ import annotations

from unittest import mock

from hypothesis import event, given, settings
from hypothesis import strategies as st

from directory_api.models import ProviderRow
from directory_api.versions import identity_fast
from directory_api.versions.identity import assign_ids, identity_key, identity_keys, stable_id
from directory_api.versions.identity_fast import identity_key_of, row_identity_keys, stable_ids
from directory_api.versions.values import PROVIDER_FIELDS, row_values
from tests.versions.strategies import AWKWARD, spec_lists, valid_specs
from tests.versions.strategies import row as _row


def _npa_branch(rows: list[ProviderRow], fold_calls: int) -> str:
    if not rows:
        return "no rows"
    return "fold() per row" if fold_calls else "one lower() for all rows"


def _check_identity_keys(rows: list[ProviderRow]) -> None:
    with mock.patch.object(identity_fast, "fold", wraps=identity_fast.fold) as fold:
        got = row_identity_keys(rows)
    assert got == [identity_keys(r) for r in rows]
    event(f"compared equal, name+postcode+house keys by {_npa_branch(rows, fold.call_count)}")
    if rows:
        every = all(r.external_id for r in rows)
        event(f"compared equal, {'every' if every else 'not every'} row with an external id")


@settings(max_examples=1000, deadline=None)
@given(spec_lists)
def test_identity_keys_of_equal_identity_keys(specs):
    _check_identity_keys([_row(*spec) for spec in specs])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(AWKWARD, AWKWARD, AWKWARD, AWKWARD), max_size=30))
def test_identity_keys_of_equal_identity_keys_on_awkward_parts(specs):
    """Every part awkward: what fold() does unlike lower() never takes the lower() branch."""
    _check_identity_keys([_row(*spec) for spec in specs])


def test_identity_keys_of_equal_identity_keys_across_chunks():
    """Keys are made 2000 rows at a time: a chunk with an accent folds, the others need not."""
    rows = [
        _row(f"Apotheek {i}", "3511 AB", str(i), f"A{i}" if i % 2 else None) for i in range(4500)
    ]
    rows[2500] = _row("Apotheek Müller", "3511 AB", "1", None)
    assert row_identity_keys(rows) == [identity_keys(r) for r in rows]


def _check_identity_key_of(rows: list[ProviderRow]) -> None:
    columns = ("external_id", "name", "postcode", "house_number")
    got = identity_key_of(*([getattr(r, c) for r in rows] for c in columns))
    assert got == [identity_key(r) for r in rows]
    given = sum(bool(r.external_id) for r in rows)
    kind = "no rows" if not rows else "every" if given == len(rows) else "some" if given else "no"
    event(f"compared equal, {kind} row with an external id")


@settings(max_examples=500, deadline=None)
@given(spec_lists)
def test_identity_key_of_equals_identity_key(specs):
    """The keys alone (what an import needs): the external-id key where a row gives one,
    else the folded name+postcode+house-number key, made only for those rows."""
    _check_identity_key_of([_row(*spec) for spec in specs])


def test_identity_key_of_equals_identity_key_across_chunks():
    """The rows without an id are keyed 2000 at a time, in their own order."""
    rows = [
        _row(f"Apotheek {i}", "3511 AB", str(i), f"A{i}" if i % 3 == 0 else None)
        for i in range(6500)
    ]
    rows[4000] = _row("Apotheek Müller", "3511 AB", "1", None)
    columns = ("external_id", "name", "postcode", "house_number")
    got = identity_key_of(*([getattr(r, c) for r in rows] for c in columns))
    assert got == [identity_key(r) for r in rows]


def _assign_ids_one_by_one(slug, rows, previous, collisions=None):
    """assign_ids as it was before its shortcut: row by row. Appends to `collisions` each row
    that asked for an id another row already had."""
    known: dict[str, str] = {}
    for pid, values in previous.items():
        ext, npa = identity_keys(ProviderRow(**dict(zip(PROVIDER_FIELDS, values, strict=True))))
        if ext:
            known.setdefault(ext, pid)
        known.setdefault(npa, pid)
    taken: set[str] = set()
    ids = []
    for row in rows:
        ext, npa = identity_keys(row)
        own = ext or npa
        found = known.get(ext or "") or known.get(npa)
        pid = stable_id(slug, own) if found is None or found in taken else found
        if collisions is not None and (pid in taken or found in taken):
            collisions.append(row)
        n = 1
        while pid in taken:
            pid = stable_id(slug, f"{own}#{n}")
            n += 1
        taken.add(pid)
        ids.append(pid)
    return ids


def _check_assign_ids(slug, rows, previous) -> None:
    collisions: list[ProviderRow] = []
    got = assign_ids(slug, rows, previous)
    assert got == _assign_ids_one_by_one(slug, rows, previous, collisions)
    reused = len(set(got) & set(previous))
    shortcut = not collisions
    event(
        "compared equal, "
        + ("new source" if not previous else f"{'some' if reused else 'no'} previous ids kept")
    )
    event(f"compared equal, {'no two rows asked for one id' if shortcut else 'ids collided'}")


small = st.sampled_from(["A", "a", "B", " b", None, "1"])


@settings(max_examples=1000, deadline=None)
@given(
    new=st.lists(st.tuples(small, small, small, small), max_size=8),
    old=st.lists(st.tuples(small, small, small, small), max_size=8),
)
def test_assign_ids_equals_one_by_one(new, old):
    """Few distinct values: rows often ask for the same id, and the loop sorts it out."""
    rows = [_row(*spec) for spec in new]
    previous = {f"p{i}": row_values(_row(*spec)) for i, spec in enumerate(old)}
    # an old row that a new one without an id matches, holding the id that a new row with
    # external id "A" would hash to: they collide, and the loop sorts it out
    previous |= {stable_id("s", "ext:A"): row_values(_row("A", None, None, None))}
    _check_assign_ids("s", rows, previous)


@st.composite
def versions(draw: st.DrawFn) -> tuple[list[ProviderRow], dict[str, tuple]]:
    """A previous version (ids as assign_ids gave them) and the next list: some rows kept,
    some changed, some new."""
    old = [_row(*spec) for spec in draw(spec_lists)]
    previous = dict(zip(assign_ids("s", old, {}), map(row_values, old), strict=True))
    kept = [r for r in old if draw(st.integers(0, 3))]
    fresh = [_row(*spec) for spec in draw(st.lists(valid_specs, max_size=8))]
    rows = draw(st.permutations(kept + fresh))
    return rows, previous if draw(st.integers(0, 4)) else {}


@settings(max_examples=600, deadline=None)
@given(versions())
def test_assign_ids_equals_one_by_one_on_versions_of_a_list(version):
    rows, previous = version
    _check_assign_ids("s", rows, previous)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=10), st.sampled_from(["s", "a-b", ""]))
def test_stable_ids_equal_stable_id(keys, slug):
    assert stable_ids(slug, keys) == [stable_id(slug, k) for k in keys]
    event("compared equal, " + ("no keys" if not keys else "some keys"))
