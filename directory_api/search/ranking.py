"""find_nearest: rank reimbursable providers by great-circle distance. No Flask."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from directory_api.geo.distance import HALF_CIRCUMFERENCE_KM, PointIndex
from directory_api.models import Match, Origin, Reimbursement
from directory_api.search.directory import Directory, IndexKey

if TYPE_CHECKING:
    from directory_api.search.rules import CareRule, Eligibility

NL_AREA_KM2 = 41_500.0  # only to guess a first search radius from density


def eligible_keys(rule: CareRule) -> Mapping[IndexKey, Eligibility]:
    """(category, contract status) -> the terms the rules give it; first entry wins.
    Compiled onto the rule when the rules load (CareRule.index_keys)."""
    return rule.index_keys


def reimbursement(terms: Eligibility, lang: str) -> Reimbursement:
    """The terms of one eligibility entry in one language (compiled when the rules load)."""
    return terms.reimbursement(lang)


def find_nearest(
    directory: Directory,
    rule: CareRule,
    origin: Origin,
    *,
    limit: int = 10,
    max_km: float | None = None,
    lang: str = "nl",
) -> list[Match]:
    """The `limit` nearest reimbursable providers, by distance_km (2 decimals), name, id."""
    providers = directory.providers
    return [
        Match(providers[item], km, terms.reimbursement(lang))
        for item, km, terms in nearest(directory, rule, origin, limit=limit, max_km=max_km)
    ]


def nearest(
    directory: Directory,
    rule: CareRule,
    origin: Origin,
    *,
    limit: int = 10,
    max_km: float | None = None,
) -> list[tuple[int, float, Eligibility]]:
    """find_nearest as (position in the directory, distance_km, the rule's terms for it)."""
    keys = rule.index_keys
    # Each (category, contract status) shortlist, narrowed to the locations that suit the
    # care where the rule has a facility rule for the category (Directory.index_for).
    indexes = []
    first: IndexKey | None = None
    for key, facility in rule.shortlists:
        index = directory.index_for(key, facility)
        if index is not None and len(index):
            indexes.append(index)
            first = key if first is None else first
    items, dists = _nearest(indexes, origin, limit, max_km)
    if len(indexes) == 1 and first is not None:
        terms = keys[first]
        return [
            (item, dist, terms) for item, dist in zip(items.tolist(), dists.tolist(), strict=True)
        ]
    providers = directory.providers
    found = []
    for item, dist in zip(items.tolist(), dists.tolist(), strict=True):
        provider = providers[item]
        found.append((item, dist, keys[(provider.category, provider.cak_contracted)]))
    return found


def _nearest(
    indexes: list[PointIndex], origin: Origin, limit: int, max_km: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Item numbers and rounded distances of the best `limit`, best first."""
    total = sum(len(ix) for ix in indexes)
    if total == 0 or limit <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    # Rounded distances are compared, so anything up to max_km + 0.005 may round into range.
    cap = HALF_CIRCUMFERENCE_KM if max_km is None else max_km + 0.005
    radius = min(cap, _first_radius(total, limit))
    while True:
        # Every provider within `radius` is a candidate (and maybe some farther ones).
        items, dists = _gather(indexes, origin, radius)
        rounded = dists.round(2)
        # Items are numbered in (name, id) order, so they break ties on distance.
        order = np.lexsort((items, rounded))
        if len(items) == total or radius >= cap:
            break
        if len(items) >= limit:
            # Every provider whose distance rounds to the last place's must be a candidate
            # too (ties are broken by name). Those that are not lie beyond `radius`, so that
            # holds when kth + 0.0051 is within it; if not, that radius is enough.
            needed = float(rounded[order[limit - 1]]) + 0.0051
            if needed <= radius:
                break
            radius = min(cap, needed)
        else:
            radius = min(cap, radius * 4)
    order = order[:limit]
    items, rounded = items[order], rounded[order]
    if max_km is not None:
        keep = rounded <= max_km
        items, rounded = items[keep], rounded[keep]
    return items, rounded


def _gather(
    indexes: list[PointIndex], origin: Origin, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    found = [ix.candidates(lat=origin.lat, lon=origin.lon, radius_km=radius) for ix in indexes]
    if len(found) == 1:
        return found[0]
    if not found:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])


def _first_radius(total: int, limit: int) -> float:
    """A radius that holds about 2 x limit providers if they were spread evenly."""
    density = total / NL_AREA_KM2
    return max(1.0, min(60.0, math.sqrt(2 * limit / (math.pi * density))))
