"""search/as_of.py: a date resolves to the set of source versions in force; directories are
cached by that set (the published set is the current directory), within their bounds."""

from __future__ import annotations

from datetime import date, timedelta

from directory_api.imports.pipeline import import_file
from directory_api.models import Provider
from directory_api.search.as_of import AsOfCache, in_force
from directory_api.search.directory import Directory
from tests.reliability.conftest import provider_csv

D = date(2026, 1, 1)
ROWS = [
    ("a", 1, D, False),
    ("a", 2, D + timedelta(days=10), True),
    ("b", 1, D + timedelta(days=5), True),
]


def provider(source: str, version: int) -> Provider:
    return Provider(
        id=f"{source}-{version}",
        name=f"{source} {version}",
        category="pharmacy",
        cak_contracted=True,
        lat=52.0,
        lon=5.0,
        location_precision="exact",
        source=source,
        source_version=version,
    )


class Fake:
    def __init__(self) -> None:
        self.data_version = 3
        self.loads: list[frozenset] = []

    def table(self):
        return self.data_version, ROWS

    def load(self, versions):
        self.loads.append(versions)
        return [provider(s, v) for s, v in sorted(versions)]


def test_in_force_takes_per_source_the_latest_listed_on_or_before_the_day():
    assert in_force(ROWS, D - timedelta(days=1)) == frozenset()
    assert in_force(ROWS, D) == {("a", 1)}
    assert in_force(ROWS, D + timedelta(days=7)) == {("a", 1), ("b", 1)}
    assert in_force(ROWS, D + timedelta(days=400)) == {("a", 2), ("b", 1)}


def test_many_dates_cost_one_table_read_and_one_build_per_version_set():
    fake = Fake()
    cache = AsOfCache(fake.table, fake.load)
    current = Directory.build(3, [provider("a", 2), provider("b", 1)])
    seen = {}
    for n in range(300):
        day = D + timedelta(days=n % 10)  # days 0..9: {a1} then {a1, b1}
        seen[day] = cache.directory(day, current)
    assert cache.table_reads == 1
    assert fake.loads == [{("a", 1)}, {("a", 1), ("b", 1)}]
    assert seen[D] is seen[D + timedelta(days=1)]
    assert [p.id for p in seen[D + timedelta(days=6)].providers] == ["a-1", "b-1"]
    # The published set is the current directory itself: nothing built.
    assert cache.directory(D + timedelta(days=300), current) is current
    assert cache.builds == 2


def test_a_new_data_version_rereads_the_table_and_retags_cached_directories():
    fake = Fake()
    cache = AsOfCache(fake.table, fake.load)
    old = cache.directory(D, Directory.build(3, [provider("a", 2)]))
    fake.data_version = 4
    new = cache.directory(D, Directory.build(4, [provider("a", 2)]))
    assert cache.table_reads == 2 and cache.builds == 1
    assert (old.data_version, new.data_version) == (3, 4)
    assert new.providers is old.providers  # the same index, under the current version


def test_entries_and_bytes_are_bounded():
    fake = Fake()
    cache = AsOfCache(fake.table, fake.load, max_entries=1)
    current = Directory.build(3, [provider("a", 2), provider("b", 1)])
    cache.directory(D, current)
    cache.directory(D + timedelta(days=6), current)
    assert len(cache) == 1
    cache.directory(D, current)  # evicted: built again
    assert cache.builds == 3
    tiny = AsOfCache(fake.table, fake.load, max_bytes=0)
    assert tiny.directory(D, current).providers[0].id == "a-1"
    assert len(tiny) == 0


def test_the_store_resolves_dates_as_snapshot_as_of_did(services):
    first, second = date(2025, 3, 1), date(2025, 6, 1)
    a = provider_csv(30, prefix="Apotheek A", ids="A", seed=1)
    import_file(services, a, source_name="Lijst A", list_date=first)
    a2 = provider_csv(20, prefix="Apotheek A", ids="A", seed=2)
    import_file(services, a2, source_name="Lijst A", list_date=second)
    b = provider_csv(5, prefix="Apotheek B", ids="B")
    import_file(services, b, source_name="Lijst B", list_date=first)
    current = services.directory()
    for day in (date(2025, 2, 1), first, date(2025, 4, 1), second, date(2030, 1, 1)):
        _, expected = services.store.snapshot_as_of(day)
        got = services.directory(day, current=current)
        assert sorted(p.id for p in got.providers) == sorted(p.id for p in expected), day
        assert got.data_version == current.data_version
    assert services.directory(date(2030, 1, 1), current=current) is current
    assert services.as_of.builds == 2  # {A1, B1} and {} (before any list)
