"""Diffs between two versions of a list (the reference): which providers were added, removed
and changed. A new source's diff has a fast twin in diff_fast.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from directory_api.versions.values import NAME, PROVIDER_FIELDS, Values


@dataclass(frozen=True, slots=True)
class Change:
    provider_id: str
    name: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diff:
    source: str
    from_version: int | None
    to_version: int | None
    added: Sequence[Change]  # a tuple, or AllAdded for a new source
    removed: tuple[Change, ...]
    changed: tuple[Change, ...]
    unchanged: int


def compare(
    slug: str,
    old_v: int | None,
    new_v: int | None,
    old: Mapping[str, Values],
    new: Mapping[str, Values],
) -> Diff:
    """Providers (id -> values in PROVIDER_FIELDS order) added, removed and changed."""
    fresh = sorted(new.keys() - old.keys()) if old else sorted(new)
    added = tuple(map(Change, fresh, [new[pid][NAME] for pid in fresh]))
    removed = tuple(Change(pid, old[pid][NAME]) for pid in sorted(old.keys() - new.keys()))
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
            changed.append(Change(pid, after[NAME], diff_fields))
        else:
            unchanged += 1
    return Diff(slug, old_v, new_v, added, removed, tuple(changed), unchanged)
