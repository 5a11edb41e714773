"""Versioned lists without SQL: slugs, stable ids for the same place, and diffs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from itertools import repeat
from operator import attrgetter
from typing import Any, overload

from directory_api.models import ProviderRow
from directory_api.text import fold

# Fields of a provider that are compared between versions. A provider's values travel as a
# tuple in this order (Values) between the store and compare/assign_ids.
PROVIDER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ProviderRow) if f.name != "line")
Values = tuple[Any, ...]
Identity = tuple[str | None, str]  # identity_keys: (external-id key, name+postcode+house key)
row_values: Callable[[ProviderRow], Values] = attrgetter(*PROVIDER_FIELDS)
_NAME, _EXT, _POSTCODE, _HOUSE = (
    PROVIDER_FIELDS.index(f) for f in ("name", "external_id", "postcode", "house_number")
)


@dataclass(frozen=True)
class SourceInfo:
    slug: str
    name: str
    version: int | None
    list_date: date | None
    checksum: str | None
    row_count: int
    imported_at: datetime | None
    versions: int


@dataclass(frozen=True)
class VersionInfo:
    version: int
    list_date: date | None
    checksum: str
    row_count: int
    imported_at: datetime
    published: bool


@dataclass(frozen=True, slots=True)
class Change:
    provider_id: str
    name: str
    fields: tuple[str, ...] = ()


class AllAdded(Sequence[Change]):
    """The `added` of a new source's diff: every provider, as Changes in id order, made
    only as far as they are read (an import's report reads the count and the first 50;
    making 100k Changes was a tenth of an import). Equal to the tuple it stands for."""

    __slots__ = ("_ids", "_made", "_names", "_order")

    def __init__(self, ids: Sequence[str], names: Sequence[str]) -> None:
        self._ids, self._names = ids, names
        self._order: list[int] | None = None
        self._made: tuple[Change, ...] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def _sorted(self) -> list[int]:
        if self._order is None:
            self._order = sorted(range(len(self._ids)), key=self._ids.__getitem__)
        return self._order

    def _changes(self, positions: Sequence[int]) -> list[Change]:
        return _new_changes(
            list(map(self._ids.__getitem__, positions)),
            list(map(self._names.__getitem__, positions)),
        )

    def _all(self) -> tuple[Change, ...]:
        if self._made is None:
            self._made = tuple(self._changes(self._sorted()))
        return self._made

    @overload
    def __getitem__(self, index: int) -> Change: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Change, ...]: ...
    def __getitem__(self, index: int | slice) -> Change | tuple[Change, ...]:
        if self._made is not None:
            return self._made[index]
        if isinstance(index, slice):
            return tuple(self._changes(self._sorted()[index]))
        return self._changes([self._sorted()[index]])[0]

    def __iter__(self) -> Iterator[Change]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AllAdded | tuple | list):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())


@dataclass(frozen=True)
class Diff:
    source: str
    from_version: int | None
    to_version: int | None
    added: Sequence[Change]  # a tuple, or AllAdded for a new source
    removed: tuple[Change, ...]
    changed: tuple[Change, ...]
    unchanged: int


@dataclass(frozen=True)
class PublishResult:
    source: str
    version: int | None  # None for a dry run
    data_version: int
    diff: Diff


def slugify(name: str) -> str:
    """'CAK apotheken 2026' -> 'cak-apotheken-2026'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        raise ValueError(f"source name {name!r} gives an empty slug")
    return slug[:200]


def identity_keys(row: ProviderRow) -> Identity:
    """(external-id key, name+postcode+house-number key): what makes two rows the same place."""
    ext = f"ext:{row.external_id.strip()}" if row.external_id else None
    npa = "npa:" + "|".join(fold(v) for v in (row.name, row.postcode, row.house_number))
    return ext, npa


def identity_keys_of(
    external_ids: Sequence[str | None],
    names: Sequence[str | None],
    postcodes: Sequence[str | None],
    house_numbers: Sequence[str | None],
) -> list[Identity]:
    """identity_keys of many rows given as columns: the same keys, a chunk at a time."""
    if all(external_ids):  # every row gives an id
        ext: list[str | None] = list(map("ext:".__add__, map(str.strip, external_ids)))  # type: ignore[arg-type]
    else:
        ext = [f"ext:{e.strip()}" if e else None for e in external_ids]
    texts = [[v or "" for v in column] for column in (names, postcodes, house_numbers)]
    npa: list[str] = []
    for start in range(0, len(ext), 2000):
        npa += _npa_keys([column[start : start + 2000] for column in texts])
    return list(zip(ext, npa, strict=True))


# Whitespace that fold() would change in ASCII text: str.split() splits at these too, and it
# drops a space at either end of a part (next to a "|" or to the "\x00" between rows).
_UNEVEN: tuple[str, ...] = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
_UNEVEN += ("  ", " |", "| ", " \x00", "\x00 ")


def _npa_keys(columns: list[list[str]]) -> list[str]:
    """'npa:' + folded name|postcode|house number of some rows, given as three columns.
    For ASCII with single spaces inside words only, fold() is lower(): one call does all."""
    joined = "\x00".join(map("|".join, zip(*columns, strict=True)))
    if (
        joined.isascii()
        and joined.count("\x00") == len(columns[0]) - 1
        and not joined.startswith(" ")
        and not joined.endswith(" ")
        and not any(s in joined for s in _UNEVEN)
    ):
        return ("npa:" + joined.lower()).replace("\x00", "\x00npa:").split("\x00")
    return [f"npa:{fold(n)}|{fold(p)}|{fold(h)}" for n, p, h in zip(*columns, strict=True)]


def row_identity_keys(rows: Sequence[ProviderRow]) -> list[Identity]:
    """[identity_keys(row) for row in rows], a column at a time."""
    return identity_keys_of(
        [r.external_id for r in rows],
        [r.name for r in rows],
        [r.postcode for r in rows],
        [r.house_number for r in rows],
    )


def stable_id(slug: str, key: str) -> str:
    """Deterministic provider id for a place in a source."""
    return hashlib.sha1(f"{slug}\x00{key}".encode()).hexdigest()[:12]


def stable_ids(slug: str, keys: Sequence[str]) -> list[str]:
    """[stable_id(slug, key) for key in keys]."""
    sha1, prefix = hashlib.sha1, f"{slug}\x00"
    return [sha1((prefix + key).encode()).hexdigest()[:12] for key in keys]


def assign_ids(
    slug: str,
    rows: Sequence[ProviderRow],
    previous: Mapping[str, Values],
    identities: Sequence[Identity] | None = None,
) -> list[str]:
    """Reuse the previous version's id for the same place, else a deterministic new one.
    `identities`: the rows' identity_keys, if the caller has them (the importer does)."""
    known: dict[str, str] = {}
    old = list(previous.values())
    old_keys = identity_keys_of(*([v[i] for v in old] for i in (_EXT, _NAME, _POSTCODE, _HOUSE)))
    for pid, (ext, npa) in zip(previous, old_keys, strict=True):
        if ext:
            known.setdefault(ext, pid)
        known.setdefault(npa, pid)
    keys = identities if identities is not None else row_identity_keys(rows)
    if len(keys) != len(rows):
        raise ValueError(f"{len(keys)} identities for {len(rows)} rows")
    # Usually every row gets the id it asks for (its previous one, else its hash) and no two
    # ask for the same: then the loop below would give exactly these.
    if known:
        get = known.get
        wanted = [get(ext or "") or get(npa) or stable_id(slug, ext or npa) for ext, npa in keys]
    else:  # a new source: every row asks for its hash
        wanted = stable_ids(slug, [ext or npa for ext, npa in keys])
    if len(set(wanted)) == len(wanted):
        return wanted
    taken: set[str] = set()
    ids = []
    for ext, npa in keys:
        own = ext or npa
        found = known.get(ext or "") or known.get(npa)
        pid = stable_id(slug, own) if found is None or found in taken else found
        n = 1
        while pid in taken:  # rows the importer let through as distinct but that hash alike
            pid = stable_id(slug, f"{own}#{n}")
            n += 1
        taken.add(pid)
        ids.append(pid)
    return ids


def compare(
    slug: str,
    old_v: int | None,
    new_v: int | None,
    old: Mapping[str, Values],
    new: Mapping[str, Values],
) -> Diff:
    """Providers (id -> values in PROVIDER_FIELDS order) added, removed and changed."""
    fresh = sorted(new.keys() - old.keys()) if old else sorted(new)
    added = tuple(map(Change, fresh, [new[pid][_NAME] for pid in fresh]))
    removed = tuple(Change(pid, old[pid][_NAME]) for pid in sorted(old.keys() - new.keys()))
    changed = []
    unchanged = 0
    for pid in sorted(new.keys() & old.keys()):
        before, after = old[pid], new[pid]
        if before == after:
            unchanged += 1
            continue
        diff_fields = tuple(
            f for f, a, b in zip(PROVIDER_FIELDS, before, after, strict=True) if a != b
        )
        if diff_fields:
            changed.append(Change(pid, after[_NAME], diff_fields))
        else:
            unchanged += 1
    return Diff(slug, old_v, new_v, added, removed, tuple(changed), unchanged)


def compare_new(
    slug: str, old_v: int | None, new_v: int | None, ids: Sequence[str], names: Sequence[str]
) -> Diff:
    """compare(slug, old_v, new_v, {}, new) for new = {ids[i]: values with names[i]}: every
    provider added (ids must be distinct)."""
    return Diff(slug, old_v, new_v, AllAdded(ids, names), (), (), 0)


def _new_changes(ids: list[str], names: list[str]) -> list[Change]:
    """list(map(Change, ids, names)) without Change.__init__ (a frozen dataclass sets each
    field through object.__setattr__): slots filled a column at a time, as importer._new_rows."""
    changes = list(map(object.__new__, repeat(Change, len(ids))))
    for name, column in (("provider_id", ids), ("name", names), ("fields", repeat(()))):
        deque(map(getattr(Change, name).__set__, changes, column), maxlen=0)
    return changes
