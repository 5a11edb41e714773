"""Directories of past days (`as_of`), cached by the set of source versions in force.

A date resolves to a version set: per source, the version whose list date (import date
where it has none) is the latest on or before that day. The version table (one small query:
no provider rows) is read once per data version; each date then resolves in memory and is
remembered. Directories are cached by their version set, not by date, so the hundreds of
dates that fall between two imports share one index; a set equal to the published one is
the current directory itself. At most `max_entries` directories of past versions are kept,
and at most `max_bytes` of them by an estimate per provider; the least recently used go
first. Issue 14: 330 dates forced 330 rebuilds and 189 → 373 MB of worker RSS.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from directory_api.models import Provider
from directory_api.search.directory import Directory, load_directory

VersionSet = frozenset[tuple[str, int]]  # (source slug, version number)
# (source slug, version, list date or import date, published?) for every stored version.
VersionRow = tuple[str, int, date, bool]

# Estimated bytes one provider costs in a Directory (Provider, index, arrays, served JSON),
# measured with tracemalloc on the bench's generated lists: about 1.1 kB.
PROVIDER_BYTES = 1200
DATES_KEPT = 10_000  # date -> version set entries per data version (a few hundred bytes each)


def in_force(rows: Iterable[VersionRow], day: date) -> VersionSet:
    """Per source, the version listed latest on or before `day` (ties: the higher version)."""
    chosen: dict[str, tuple[date, int]] = {}
    for slug, version, listed, _ in rows:
        if listed <= day and (slug not in chosen or (listed, version) > chosen[slug]):
            chosen[slug] = (listed, version)
    return frozenset((slug, v) for slug, (_, v) in chosen.items())


@dataclass(frozen=True)
class VersionTable:
    data_version: int
    rows: tuple[VersionRow, ...]

    @property
    def published(self) -> VersionSet:
        return frozenset((slug, version) for slug, version, _, published in self.rows if published)


class AsOfCache:
    """Directories by version set (see the module docstring). `read_table()` gives the data
    version and the version rows, read in one transaction; `load(versions)` the providers
    of those source versions."""

    def __init__(
        self,
        read_table: Callable[[], tuple[int, list[VersionRow]]],
        load: Callable[[VersionSet], list[Provider]],
        *,
        max_entries: int = 4,
        max_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self._read_table = read_table
        self._load = load
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._table: VersionTable | None = None
        self._dates: OrderedDict[date, VersionSet] = OrderedDict()
        self._directories: OrderedDict[VersionSet, Directory] = OrderedDict()
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self.builds = 0  # directories built (for tests and figures)
        self.table_reads = 0

    def directory(self, day: date, current: Directory) -> Directory:
        """The directory as it was on `day`, tagged with the current data version."""
        table, versions = self.versions(day, current.data_version)
        if table.data_version == current.data_version and versions == table.published:
            return current
        with self._lock:
            cached = self._directories.get(versions)
            if cached is not None:
                self._directories.move_to_end(versions)
        if cached is not None:
            return self._tagged(versions, cached, current.data_version)
        with self._build_lock:  # one build at a time; a second asker finds it built
            with self._lock:
                cached = self._directories.get(versions)
            if cached is None:
                cached = load_directory(lambda: (current.data_version, self._load(versions)))
                self.builds += 1
                with self._lock:
                    self._keep(versions, cached)
        return self._tagged(versions, cached, current.data_version)

    def versions(self, day: date, data_version: int) -> tuple[VersionTable, VersionSet]:
        """The version table of `data_version` (read once) and the set in force on `day`."""
        with self._lock:
            table = self._table
        if table is None or table.data_version != data_version:
            stored_version, rows = self._read_table()
            self.table_reads += 1
            table = VersionTable(stored_version, tuple(rows))
            with self._lock:
                if self._table is None or self._table.data_version != table.data_version:
                    self._table = table
                    self._dates.clear()
        with self._lock:
            known = self._dates.get(day) if self._table is table else None
        if known is not None:
            return table, known
        versions = in_force(table.rows, day)
        with self._lock:
            if self._table is table:
                self._dates[day] = versions
                if len(self._dates) > DATES_KEPT:
                    self._dates.popitem(last=False)
        return table, versions

    def _tagged(self, versions: VersionSet, directory: Directory, data_version: int) -> Directory:
        """The cached directory under the current data version (a shallow copy, kept)."""
        if directory.data_version == data_version:
            return directory
        tagged = replace(directory, data_version=data_version)
        with self._lock:
            if versions in self._directories:
                self._directories[versions] = tagged
        return tagged

    def _keep(self, versions: VersionSet, directory: Directory) -> None:
        self._directories[versions] = directory
        self._directories.move_to_end(versions)
        while self._directories and (
            len(self._directories) > self.max_entries or self.held_bytes() > self.max_bytes
        ):
            self._directories.popitem(last=False)

    def held_bytes(self) -> int:
        """Estimated bytes of the directories kept."""
        return sum(len(d.providers) for d in self._directories.values()) * PROVIDER_BYTES

    def __len__(self) -> int:
        return len(self._directories)
