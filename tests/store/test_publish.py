"""A version's providers are written with multi-row INSERTs (store/publish.py)."""

from __future__ import annotations

import pytest

from directory_api.store.publish import sqlite_insert
from directory_api.store.store import Store
from directory_api.versions.identity import assign_ids
from directory_api.versions.values import PROVIDER_FIELDS
from tests.versions.strategies import row as _row


@pytest.mark.parametrize("count", [1, 499, 500, 1234])
def test_sqlite_multi_row_inserts_store_every_row_once(tmp_path, count):
    """Up to 500 providers per INSERT on SQLite: full statements and the rest."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.create_schema()
    rows = [_row(f"n{i}", "3511 AB", str(i), f"e{i}" if i % 3 else None) for i in range(count)]
    result = store.publish("Some list", rows, checksum="x")
    ids = assign_ids(result.source, rows, {})
    _, providers = store.snapshot()
    got = {p.id: (p.name, p.external_id, p.house_number, p.postcode) for p in providers}
    assert got == {
        pid: (r.name, r.external_id, r.house_number, r.postcode)
        for pid, r in zip(ids, rows, strict=True)
    }
    assert [c.provider_id for c in result.diff.added] == sorted(ids)
    store.dispose()


def test_sqlite_inserts_keep_every_value_of_mixed_chunks(tmp_path):
    """Columns that are None in a whole INSERT are written as NULL, booleans as 0/1: every
    value still comes back as it went in, whether a chunk has a column all empty, all
    given, or mixed (one chunk: rows 0-499, the next: 500-749)."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.create_schema()
    contracted = (True, False, None)
    rows = [
        _row(f"n{i}", "3511 AB", str(i), f"e{i}")._replace(
            cak_contracted=contracted[i % 3],
            email=None if i < 500 else f"p{i}@example.org",  # all None, then all given
            phone=f"030 {i:07d}" if i % 7 == 0 else None,  # mixed in both chunks
            services="birth" if i >= 600 else None,  # none, then mixed
            street="" if i == 3 else None,  # an empty text is not a NULL
            lat=52.0 + i / 1e4,
        )
        for i in range(750)
    ]
    result = store.publish("Some list", rows, checksum="x")
    ids = assign_ids(result.source, rows, {})
    _, providers = store.snapshot()
    by_id = {p.id: p for p in providers}
    assert len(by_id) == len(rows)
    for pid, r in zip(ids, rows, strict=True):
        stored = by_id[pid]
        for name in PROVIDER_FIELDS:
            got, want = getattr(stored, name), getattr(r, name)
            assert got == want and type(got) is type(want), (pid, name, got, want)
    store.dispose()


def test_one_sqlite_insert_binds_no_file_text_into_its_sql():
    """The statement's text holds marks, NULL and the version id only; a value that looks
    like SQL travels as a parameter."""
    hostile = _row("x'); DROP TABLE providers; --", "3511 AB", "1")._replace(email="NULL")
    sql, params = sqlite_insert(7, ["p1"], [hostile])
    assert "DROP" not in sql and "@" not in sql
    assert sql.count("?") == len(params)
    assert hostile.name in params and "NULL" in params
    assert "(7, ?, " in sql  # the version id, then the provider id's mark
