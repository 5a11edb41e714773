"""Publishing is atomic, versions are kept, ids are stable for the same place."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

import pytest

from directory_api.errors import ImportConflict, ImportRejected, NotFound
from directory_api.imports.pipeline import import_file
from directory_api.store.store import Store
from directory_api.versions.identity import slugify
from tests.conftest import pg_schema

V1 = b"""id,name,category,cak_contracted,postcode,house_number,lat,lon
A1,Apotheek Een,pharmacy,ja,3511 AB,1,52.09,5.12
A2,Apotheek Twee,pharmacy,ja,3512 AB,2,52.10,5.13
,Apotheek Drie,pharmacy,nee,3513 AB,3,52.11,5.14
"""
V2 = b"""id,name,category,cak_contracted,postcode,house_number,lat,lon
A1,Apotheek Een (nieuwe naam),pharmacy,ja,3511 AB,1,52.09,5.12
,Apotheek Drie,pharmacy,ja,3513 AB,3,52.11,5.14
A4,Apotheek Vier,pharmacy,ja,3514 AB,4,52.12,5.15
"""


def snapshot(client) -> list[dict]:
    return client.get("/v1/providers", query_string={"page_size": 100}).get_json()["items"]


def ids_by_name(client) -> dict[str, str]:
    return {p["name"]: p["id"] for p in snapshot(client)}


def test_reimport_replaces_rows_and_keeps_ids(client, services):
    import_file(services, V1, source_name="CAK apotheken", list_date=date(2026, 1, 1))
    first = ids_by_name(client)
    outcome = import_file(services, V2, source_name="CAK apotheken", list_date=date(2026, 2, 1))
    second = ids_by_name(client)
    assert set(second) == {"Apotheek Een (nieuwe naam)", "Apotheek Drie", "Apotheek Vier"}
    assert second["Apotheek Een (nieuwe naam)"] == first["Apotheek Een"]  # same external id
    assert second["Apotheek Drie"] == first["Apotheek Drie"]  # same name+postcode+number
    diff = outcome.result.diff
    assert [c.name for c in diff.added] == ["Apotheek Vier"]
    assert [c.name for c in diff.removed] == ["Apotheek Twee"]
    assert {c.name: c.fields for c in diff.changed} == {
        "Apotheek Een (nieuwe naam)": ("name",),
        "Apotheek Drie": ("cak_contracted",),
    }
    assert outcome.result.version == 2
    versions = services.store.versions("cak-apotheken")
    assert [(v.version, v.published, v.row_count) for v in versions] == [
        (1, False, 3),
        (2, True, 3),
    ]


def test_sources_record_where_rows_came_from(client, services):
    import_file(services, V1, source_name="CAK apotheken", list_date=date(2026, 1, 1))
    (source,) = client.get("/v1/sources").get_json()["sources"]
    assert source["name"] == "CAK apotheken" and source["slug"] == "cak-apotheken"
    assert source["list_date"] == "2026-01-01" and source["row_count"] == 3
    assert source["imported_at"] and source["age_days"] >= 0
    import hashlib

    assert source["checksum"] == hashlib.sha256(V1).hexdigest()


def test_broken_file_leaves_served_data_identical(client, services):
    import_file(services, V1, source_name="CAK apotheken")
    before = snapshot(client)
    broken = V2 + b"A9,Apotheek Kapot,pharmacy,ja,12345,9,52.1,5.1\n"
    with pytest.raises(ImportRejected) as info:
        import_file(services, broken, source_name="CAK apotheken")
    assert [(p.line, p.column) for p in info.value.problems] == [(5, "postcode")]
    assert snapshot(client) == before
    assert services.store.versions("cak-apotheken")[-1].version == 1


def test_failure_while_writing_rolls_back(client, services, monkeypatch):
    import_file(services, V1, source_name="CAK apotheken")
    before = snapshot(client)
    from directory_api.store import store as store_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "bump", explode)
    with pytest.raises(RuntimeError):
        import_file(services, V2, source_name="CAK apotheken")
    monkeypatch.undo()
    assert snapshot(client) == before
    assert [v.version for v in services.store.versions("cak-apotheken")] == [1]


def test_skip_invalid_imports_the_rest(services):
    broken = V1 + b"A9,Apotheek Kapot,pharmacy,ja,12345,9,52.1,5.1\n"
    outcome = import_file(services, broken, source_name="x", skip_invalid=True)
    assert len(outcome.parsed.rows) == 3
    assert any("line 5" in line for line in outcome.report_lines())


def test_dry_run_publishes_nothing(client, services):
    import_file(services, V1, source_name="CAK apotheken")
    before = snapshot(client)
    outcome = import_file(services, V2, source_name="CAK apotheken", dry_run=True)
    assert outcome.result.version is None and len(outcome.result.diff.added) == 1
    assert snapshot(client) == before


def test_rollback_and_unknown_versions(client, services):
    import_file(services, V1, source_name="CAK apotheken")
    import_file(services, V2, source_name="CAK apotheken")
    services.store.rollback("cak-apotheken", 1)
    assert "Apotheek Twee" in ids_by_name(client)
    with pytest.raises(NotFound):
        services.store.rollback("cak-apotheken", 9)
    with pytest.raises(NotFound):
        services.store.versions("nope")


def test_another_process_import_is_noticed(make_app, services):
    """A second app on the same store (like the CLI beside `make run`) sees the import."""
    other = make_app()
    reader = other.test_client()
    assert reader.get("/v1/providers").get_json()["total"] == 0
    import_file(services, V1, source_name="CAK apotheken")
    assert reader.get("/v1/providers").get_json()["total"] == 3


@pytest.mark.parametrize(
    ("name", "slug"),
    [("CAK apotheken", "cak-apotheken"), ("Zorg & Co — 2026!", "zorg-co-2026"), ("Één", "een")],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_a_snapshot_shares_the_values_rows_repeat(services):
    """One object per distinct street, house number, opening hours, list date... in one
    read (a serving worker holds 100,000 providers), equal to what was imported."""
    data = b"""name,category,cak_contracted,street,house_number,postcode,openingstijden,lat,lon
Apotheek Een,pharmacy,ja,Dorpsstraat,12,3511 AB,Mo-Fr 08:00-17:00,52.09,5.12
Apotheek Twee,pharmacy,ja,Dorpsstraat,12,3512 AB,Mo-Fr 08:00-17:00,52.10,5.13
Apotheek Drie,pharmacy,nee,Kerkstraat,14,3513 AB,Mo-Fr 08:00-17:00,52.11,5.14
"""
    import_file(services, data, source_name="CAK apotheken", list_date=date(2026, 1, 1))
    _, providers = services.store.snapshot()
    by_name = {p.name: p for p in providers}
    one, two, three = (by_name[f"Apotheek {n}"] for n in ("Een", "Twee", "Drie"))
    assert one.street == "Dorpsstraat" and one.street is two.street
    assert one.house_number == "12" and one.house_number is two.house_number
    assert three.street == "Kerkstraat" and three.house_number == "14"
    assert one.opening_hours == "Mo-Fr 08:00-17:00"
    assert one.opening_hours is two.opening_hours is three.opening_hours
    assert one.source_list_date == date(2026, 1, 1)
    assert one.source_list_date is two.source_list_date is three.source_list_date


def test_an_import_lock_holds_its_own_store_only(database_url, tmp_path):
    # Two deployments in other schemas (PostgreSQL) or files (SQLite) never wait on each other.
    if database_url.startswith("postgresql"):
        other_place = pg_schema(database_url.split("?")[0])  # the server's URL, a new schema
    else:
        other_place = nullcontext(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other_place as other_url:
        mine, same, other = Store(database_url), Store(database_url), Store(other_url)
        try:
            for store in (mine, other):
                store.create_schema()
            with mine.source_lock("cak-apotheken"):
                with pytest.raises(ImportConflict), same.source_lock("cak-apotheken"):
                    pass
                with other.source_lock("cak-apotheken"):
                    pass
        finally:
            for store in (mine, same, other):
                store.dispose()
