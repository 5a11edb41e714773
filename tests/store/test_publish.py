"""A version's providers are written with multi-row INSERTs (store/publish.py)."""

from __future__ import annotations

import pytest

from directory_api.store.store import Store
from directory_api.versions.identity import assign_ids
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
