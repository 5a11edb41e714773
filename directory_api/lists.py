"""Versioned lists without SQL: slugs, stable ids for the same place, and diffs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

from .models import ProviderRow
from .text import fold

# Fields of a provider that are compared between versions.
PROVIDER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ProviderRow) if f.name != "line")


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


@dataclass(frozen=True)
class Change:
    provider_id: str
    name: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diff:
    source: str
    from_version: int | None
    to_version: int | None
    added: tuple[Change, ...]
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


def identity_keys(row: ProviderRow) -> tuple[str | None, str]:
    """(external-id key, name+postcode+house-number key): what makes two rows the same place."""
    ext = f"ext:{row.external_id.strip()}" if row.external_id else None
    npa = "npa:" + "|".join(fold(v) for v in (row.name, row.postcode, row.house_number))
    return ext, npa


def stable_id(slug: str, key: str) -> str:
    """Deterministic provider id for a place in a source."""
    return hashlib.sha1(f"{slug}\x00{key}".encode()).hexdigest()[:12]


def assign_ids(slug: str, rows: Iterable[ProviderRow], previous: dict[str, dict]) -> list[str]:
    """Reuse the previous version's id for the same place, else a deterministic new one."""
    known: dict[str, str] = {}
    for pid, values in previous.items():
        ext, npa = identity_keys(ProviderRow(**values))
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
        n = 1
        while pid in taken:  # rows the importer let through as distinct but that hash alike
            pid = stable_id(slug, f"{own}#{n}")
            n += 1
        taken.add(pid)
        ids.append(pid)
    return ids


def compare(
    slug: str, old_v: int | None, new_v: int | None, old: dict[str, dict], new: dict[str, dict]
) -> Diff:
    added = tuple(Change(pid, new[pid]["name"]) for pid in sorted(new.keys() - old.keys()))
    removed = tuple(Change(pid, old[pid]["name"]) for pid in sorted(old.keys() - new.keys()))
    changed = []
    unchanged = 0
    for pid in sorted(new.keys() & old.keys()):
        diff_fields = tuple(
            f for f in PROVIDER_FIELDS if f != "line" and old[pid][f] != new[pid][f]
        )
        if diff_fields:
            changed.append(Change(pid, new[pid]["name"], diff_fields))
        else:
            unchanged += 1
    return Diff(slug, old_v, new_v, added, removed, tuple(changed), unchanged)
