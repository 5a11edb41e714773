"""find_nearest: rank reimbursable providers by great-circle distance. No Flask."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from directory_api.geo.distance import HALF_CIRCUMFERENCE_KM, PointIndex
from directory_api.models import Match, Origin, Reimbursement
from directory_api.search.directory import Directory, IndexKey

if TYPE_CHECKING:
    from directory_api.search.rules import CareRule, Eligibility

NL_AREA_KM2 = 41_500.0  # only to guess a first search radius from density
STATUSES: tuple[bool | None, ...] = (True, False, None)


_KEYS: dict[int, tuple[CareRule, dict[IndexKey, Eligibility]]] = {}


def eligible_keys(rule: CareRule) -> dict[IndexKey, Eligibility]:
    """(category, contract status) -> the terms the rules give it; first entry wins.
    Worked out once per rule (kept with the rule, so its id cannot be reused)."""
    cached = _KEYS.get(id(rule))
    if cached is None:
        keys: dict[IndexKey, Eligibility] = {}
        for entry in rule.eligible:
            for status in STATUSES:
                if entry.admits(status):
                    keys.setdefault((entry.category, status), entry)
        cached = _KEYS[id(rule)] = (rule, keys)
    return cached[1]


_TERMS: dict[tuple[int, str], tuple[Eligibility, Reimbursement]] = {}


def reimbursement(terms: Eligibility, lang: str) -> Reimbursement:
    """The terms of one eligibility entry in one language (one shared object per pair)."""
    key = (id(terms), lang)
    cached = _TERMS.get(key)
    if cached is None:  # the entry is kept with it, so its id cannot be reused
        cached = (
            terms,
            Reimbursement(
                basis=terms.basis,
                share_percent=terms.share_percent,
                patient_contribution=terms.patient_contribution.get(lang)
                if terms.patient_contribution
                else None,
                conditions=tuple(c.get(lang) for c in terms.conditions),
                restricted_to=tuple(t.get(lang) for t in terms.restricted_to),
            ),
        )
        _TERMS[key] = cached
    return cached[1]


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
        Match(providers[item], km, reimbursement(terms, lang))
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
    keys = eligible_keys(rule)
    indexes = [(k, directory.indexes[k]) for k in keys if k in directory.indexes]
    items, dists = _nearest(indexes, origin, limit, max_km)
    if len(indexes) == 1:
        terms = keys[indexes[0][0]]
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
    indexes: list[tuple[IndexKey, PointIndex]], origin: Origin, limit: int, max_km: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Item numbers and rounded distances of the best `limit`, best first."""
    total = sum(len(ix) for _, ix in indexes)
    if total == 0 or limit <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    # Rounded distances are compared, so anything up to max_km + 0.005 may round into range.
    cap = HALF_CIRCUMFERENCE_KM if max_km is None else max_km + 0.005
    radius = min(cap, _first_radius(total, limit))
    while True:
        # Every provider within `radius` is a candidate (and maybe some farther ones).
        items, dists = _gather([ix for _, ix in indexes], origin, radius)
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
