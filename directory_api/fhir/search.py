"""FHIR searches over one Directory, on search/ranking.py's `nearest` (never a copy of it).

`near` searches ask `nearest` for the best offset + count + 1 (more while filters that
ranking does not know, such as name, throw some away), so their order is exactly that of
/v1/search: great-circle km rounded to 2 decimals, then name, then id.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from directory_api.fhir.params import Near, StringMatch
from directory_api.fhir.resources import organisation_id, site_base
from directory_api.models import CATEGORIES, Origin
from directory_api.search.directory import Directory, IndexKey
from directory_api.search.ranking import nearest
from directory_api.search.rules import CareRule, Eligibility
from directory_api.text import fold

GROW_TO = 1_000  # a filter that keeps fewer: rank everything within the distance at once
ALL_STATUSES: frozenset[bool | None] = frozenset({True, False, None})


@dataclass
class Found:
    """One page: (item, km or None) pairs, the total when it is cheap, and whether more."""

    items: list[Any]
    total: int | None
    more: bool


@dataclass(slots=True)
class Org:
    id: str
    name: str
    folded: str
    sites: list[int]


@dataclass
class Derived:
    """What the FHIR view keeps per data version (built once, on first use)."""

    directory: weakref.ref[Directory]
    texts: dict[Any, bytes] = field(default_factory=dict)  # encoded resources
    _keys: tuple[np.ndarray, np.ndarray, list[IndexKey]] | None = None
    _names: list[str] | None = None
    _sites: Counter[tuple[str, str]] | None = None
    _orgs: dict[str, Org] | None = None
    org_texts: tuple[list[str], list[str]] = ([], [])  # folded names and names, as orgs
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self) -> tuple[np.ndarray, np.ndarray, list[IndexKey]]:
        """(category number, IndexKey number) per provider position, and the IndexKeys."""
        with self._lock:
            if self._keys is None:
                directory = self.directory()
                assert directory is not None
                numbers = {c: n for n, c in enumerate(CATEGORIES)}
                key_numbers: dict[IndexKey, int] = {}
                keys = [
                    key_numbers.setdefault((p.category, p.cak_contracted), len(key_numbers))
                    for p in directory.providers
                ]
                categories = [numbers[p.category] for p in directory.providers]
                self._keys = (
                    np.asarray(categories, dtype=np.int16),
                    np.asarray(keys, dtype=np.int64),
                    list(key_numbers),
                )
            return self._keys

    def org_of(self, position: int) -> tuple[str, str]:
        """(id, name) of a provider's organisation, by the rule in resources.py: names of one
        source list that are the same once a trailing '(...)' is removed, when at least two
        are, share an organisation of that name; anything else is one of its own."""
        directory = self.directory()
        assert directory is not None
        p = directory.providers[position]
        base = site_base(p.name)
        if base is not None:
            names, sites = self._site_names(directory)
            # Providers named exactly `base` (sorted by name), and sites sharing that base.
            at = bisect_left(names, base)
            bare = 0
            while at < len(names) and names[at] == base:
                bare += directory.providers[at].source == p.source
                at += 1
            if bare + sites[(p.source, base)] >= 2:
                return organisation_id(p.source, base), base
        return organisation_id(p.source, p.name), p.name

    def _site_names(self, directory: Directory) -> tuple[list[str], Counter[tuple[str, str]]]:
        with self._lock:
            if self._names is None or self._sites is None:
                self._names = [p.name for p in directory.providers]
                self._sites = Counter(
                    (p.source, b) for p in directory.providers if (b := site_base(p.name))
                )
            return self._names, self._sites

    @property
    def orgs(self) -> dict[str, Org]:
        """Every provider organisation by id, ordered by folded name then id (built when
        Organization is first searched)."""
        directory = self.directory()
        assert directory is not None
        with self._lock:
            orgs = self._orgs
        if orgs is None:
            groups: dict[str, Org] = {}
            for i in range(len(directory.providers)):
                oid, name = self.org_of(i)
                org = groups.get(oid)
                if org is None:
                    org = groups[oid] = Org(oid, name, fold(name), [])
                org.sites.append(i)
            ordered = sorted(groups.values(), key=lambda o: (o.folded, o.id))
            orgs = {o.id: o for o in ordered}
            with self._lock:
                self.org_texts = ([o.folded for o in ordered], [o.name for o in ordered])
                self._orgs = orgs
        return orgs


_DERIVED: list[Derived] = []
_DERIVED_LOCK = threading.Lock()


def derived(directory: Directory) -> Derived:
    """The Derived of this directory (the last two directories are kept)."""
    for d in _DERIVED:
        if d.directory() is directory:
            return d
    with _DERIVED_LOCK:
        for d in _DERIVED:
            if d.directory() is directory:
                return d
        made = Derived(directory=weakref.ref(directory))
        _DERIVED[:] = [*_DERIVED[-1:], made]
        return made


def matches(match: StringMatch, folded: str, raw: str | None) -> bool:
    if match.modifier == "exact":
        return raw == match.value
    if match.modifier == "contains":
        return match.value in folded
    return folded.startswith(match.value)


_ANY: dict[tuple[str, ...], CareRule] = {}


def any_rule(categories: Iterable[str]) -> CareRule:
    """A rule that admits every provider of these categories, whatever its contract: what
    Location?near ranks with `nearest` (one per category set, kept, so ids stay unique)."""
    chosen = set(categories)
    key = tuple(c for c in CATEGORIES if c in chosen)
    rule = _ANY.get(key)
    if rule is None:
        eligible = tuple(Eligibility(c, ALL_STATUSES, None, "none", None, (), ()) for c in key)
        rule = _ANY[key] = CareRule("location", "any", eligible, (), None, ())
    return rule


def origin_of(near: Near) -> Origin:
    return Origin(near.lat, near.lon, "coordinates", "coordinates")


def grow(
    fetch: Callable[[int], tuple[list[Any], bool]],
    keep: Callable[[Any], bool] | None,
    need: int,
) -> list[Any]:
    """At least `need` kept items from fetch(limit) (-> items, exhausted), or all there are:
    the limit grows fourfold, then (past GROW_TO) to everything within the distance."""
    limit = need
    while True:
        items, exhausted = fetch(limit)
        kept = items if keep is None else [x for x in items if keep(x)]
        if len(kept) >= need or exhausted:
            return kept
        limit = limit * 4 if limit * 4 <= GROW_TO else 2**62


def page(items: list[Any], offset: int, count: int, total: int | None) -> Found:
    return Found(items[offset : offset + count], total, len(items) > offset + count)


# -- Location ----------------------------------------------------------------------------


def location_mask(directory: Directory, args: dict[str, Any]) -> np.ndarray | None:
    """Providers that pass name, address-city, type and _id (None: no such filter)."""
    mask = None
    if "_id" in args:
        mask = np.zeros(len(directory.providers), dtype=bool)
        mask[[directory.by_id[i] for i in args["_id"] if i in directory.by_id]] = True
    if "type" in args:
        numbers = [CATEGORIES.index(c) for c in args["type"]]
        in_type = np.isin(derived(directory).keys()[0], numbers)
        mask = in_type if mask is None else mask & in_type
    for name, folded, attr in (
        ("name", directory.folded_names, "name"),
        ("address-city", directory.folded_cities, "city"),
    ):
        if name in args:
            raw = [getattr(p, attr) for p in directory.providers] if args[name].modifier else ()
            found = np.zeros(len(folded), dtype=bool)
            found[string_positions(args[name], folded, raw)] = True
            mask = found if mask is None else mask & found
    return mask


def string_positions(
    match: StringMatch, folded: Sequence[str], raw: Sequence[str | None]
) -> list[int]:
    """Positions whose text matches (folded: starts with, :contains; raw: :exact)."""
    value = match.value
    if match.modifier == "exact":
        return [i for i, text in enumerate(raw) if text == value]
    if match.modifier == "contains":
        return [i for i, text in enumerate(folded) if value in text]
    return [i for i, text in enumerate(folded) if text.startswith(value)]


def search_locations(directory: Directory, args: dict[str, Any], offset: int, count: int) -> Found:
    near: Near | None = args.get("near")
    if near is None:
        mask = location_mask(directory, args)
        if mask is None:
            total = len(directory.providers)
            items = [(i, None) for i in range(offset, min(total, offset + count + 1))]
            return Found(items[:count], total, offset + count < total)
        positions = np.flatnonzero(mask)
        chosen = positions[offset : offset + count].tolist()
        return Found([(i, None) for i in chosen], len(positions), offset + count < len(positions))
    rule = any_rule(args.get("type") or CATEGORIES)
    others = {k: v for k, v in args.items() if k in ("_id", "name", "address-city")}
    origin = origin_of(near)

    def fetch(limit: int) -> tuple[list[Any], bool]:
        found = nearest(directory, rule, origin, limit=limit, max_km=near.km)
        return [(item, km) for item, km, _ in found], len(found) < limit

    def keep(x: tuple[int, float]) -> bool:
        """The filters `nearest` does not know, on one candidate."""
        p = directory.providers[x[0]]
        if "_id" in others and p.id not in others["_id"]:
            return False
        for name, folded, text in (
            ("name", directory.folded_names, p.name),
            ("address-city", directory.folded_cities, p.city),
        ):
            if name in others and not matches(others[name], folded[x[0]], text):
                return False
        return True

    return page(grow(fetch, keep if others else None, offset + count + 1), offset, count, None)


# -- Organization ------------------------------------------------------------------------


def search_orgs(directory: Directory, args: dict[str, Any], offset: int, count: int) -> Found:
    """Items: an Org, or None for the CAK network (listed first)."""
    orgs: list[Org | None] = [None, *derived(directory).orgs.values()]
    if "_id" in args:
        wanted = set(args["_id"])
        orgs = [o for o in orgs if (o.id if o else "cak-network") in wanted]
    if "name" in args:
        m: StringMatch = args["name"]
        listed = [o for o in orgs if o is not None]
        if "_id" in args:
            texts = ([o.folded for o in listed], [o.name for o in listed])
        else:
            texts = derived(directory).org_texts  # of all orgs, in the same order
        hits = string_positions(m, *texts)
        network = [None] if orgs and orgs[0] is None and matches(m, "cak", "CAK") else []
        orgs = [*network, *(listed[i] for i in hits)]
    return page(orgs, offset, count, len(orgs))
