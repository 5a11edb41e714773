"""Diffs between two versions of a list (the reference): which providers were added, removed
and changed, their counts and pages, and a bounded cache of diffs. A new source's diff
has a fast twin in diff_fast.py."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
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


# -- pages and the cache (issue 14: a 20k-row diff was a 2 MB body, recomputed every time) --

PAGE_DEFAULT = 100  # entries of each kind per page unless asked otherwise
PAGE_MAX = 1000


def counts(diff: Diff) -> dict[str, int]:
    return {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "changed": len(diff.changed),
        "unchanged": diff.unchanged,
    }


def page(changes: Sequence[Change], limit: int, offset: int) -> Sequence[Change]:
    """changes[offset : offset + limit] (AllAdded makes only the Changes of that slice)."""
    return changes[offset : offset + limit]


def report_lines(d: Diff, limit: int, offset: int) -> list[str]:
    """A diff as the CLI prints it: versions, counts, then one page of each kind."""
    lines = [
        f"{d.source}: v{d.from_version} -> v{d.to_version}",
        f"added {len(d.added)}, removed {len(d.removed)}, changed {len(d.changed)}, "
        f"unchanged {d.unchanged}",
    ]
    lines += [f"+ {c.provider_id} {c.name}" for c in page(d.added, limit, offset)]
    lines += [f"- {c.provider_id} {c.name}" for c in page(d.removed, limit, offset)]
    lines += [
        f"~ {c.provider_id} {c.name}: {', '.join(c.fields)}" for c in page(d.changed, limit, offset)
    ]
    if offset + limit < max(len(d.added), len(d.removed), len(d.changed)):
        lines.append(f"(entries {offset + 1}-{offset + limit} of each kind; see --offset)")
    return lines


class DiffCache:
    """The last `max_entries` diffs by key (source, from, to, data version), least recently
    used out first. Versions never change, so a diff is computed once, then paged."""

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max(0, max_entries)
        self._diffs: OrderedDict[Hashable, Diff] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0

    def get(self, key: Hashable, compute: Callable[[], Diff]) -> Diff:
        with self._lock:
            found = self._diffs.get(key)
            if found is not None:
                self._diffs.move_to_end(key)
                return found
        diff = compute()
        with self._lock:
            self.computed += 1
            self._diffs[key] = diff
            while len(self._diffs) > self.max_entries:
                self._diffs.popitem(last=False)
        return diff
