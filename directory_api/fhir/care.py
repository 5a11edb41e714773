"""HealthcareService searches: one service per provider, care type and scheme that the
rules make reimbursable, ranked with search/ranking.py's `nearest` like /v1/search."""

from __future__ import annotations

from typing import Any

import numpy as np

from directory_api.fhir.params import FhirError, Near
from directory_api.fhir.resources import fhir_code
from directory_api.fhir.search import Found, derived, grow, origin_of, page
from directory_api.models import Provider
from directory_api.search.directory import Directory
from directory_api.search.ranking import eligible_keys, nearest
from directory_api.search.rules import CareRule, Eligibility, Rules


def chosen_rules(rules: Rules, args: dict[str, Any]) -> list[CareRule]:
    cares = args.get("service-type") or tuple(rules.care_types)
    schemes = args.get("scheme") or tuple(rules.schemes)
    return [
        rules.care_types[c].rules[s]
        for c in rules.care_types
        if c in cares
        for s in rules.schemes
        if s in schemes
    ]


def parse_service_id(rules: Rules, directory: Directory, sid: str) -> tuple[int, CareRule] | None:
    for care in rules.care_types:
        for scheme in rules.schemes:
            tail = f"-{fhir_code(care)}-{fhir_code(scheme)}"
            if sid.endswith(tail):
                position = directory.by_id.get(sid[: -len(tail)])
                if position is not None:
                    return position, rules.care_types[care].rules[scheme]
    return None


def service_at(directory: Directory, position: int, rule: CareRule) -> Eligibility | None:
    p: Provider = directory.providers[position]
    return eligible_keys(rule).get((p.category, p.cak_contracted))


def location_positions(directory: Directory, refs: tuple[str, ...]) -> set[int]:
    found = set()
    for ref in refs:
        kind, _, rid = ref.rpartition("/")
        if kind not in ("", "Location"):
            raise FhirError(
                400, f"location: not a Location reference: {ref!r}", expression="location"
            )
        if rid in directory.by_id:
            found.add(directory.by_id[rid])
    return found


def search_services(
    directory: Directory, rules: Rules, args: dict[str, Any], offset: int, count: int
) -> Found:
    """Items (position, rule, terms, km or None), by distance or in provider order."""
    chosen = chosen_rules(rules, args)
    order = {id(r): n for n, r in enumerate(chosen)}
    allowed: set[int] | None = None
    if "location" in args:
        allowed = location_positions(directory, args["location"])
    if "_id" in args:
        ids: set[tuple[int, int]] = set()
        for sid in args["_id"]:
            parsed = parse_service_id(rules, directory, sid)
            if parsed and id(parsed[1]) in order:
                ids.add((parsed[0], order[id(parsed[1])]))
    near: Near | None = args.get("location.near")

    def keep(x: tuple[int, CareRule, Eligibility, Any]) -> bool:
        if allowed is not None and x[0] not in allowed:
            return False
        return "_id" not in args or (x[0], order[id(x[1])]) in ids

    filtered = "_id" in args or allowed is not None
    if near is not None:
        origin = origin_of(near)

        def fetch(limit: int) -> tuple[list[Any], bool]:
            merged, exhausted = [], True
            for rule in chosen:
                found = nearest(directory, rule, origin, limit=limit, max_km=near.km)
                exhausted &= len(found) < limit
                merged += [(item, rule, terms, km) for item, km, terms in found]
            merged.sort(key=lambda x: (x[3], x[0], order[id(x[1])]))
            return merged, exhausted

        items = grow(fetch, keep if filtered else None, offset + count + 1)
        return page(items, offset, count, None)
    if filtered:
        positions = sorted(allowed if allowed is not None else {p for p, _ in ids})
        items = [
            (pos, rule, terms, None)
            for pos in positions
            for rule in chosen
            if (terms := service_at(directory, pos, rule)) is not None
        ]
        items = [x for x in items if keep(x)]
        return page(items, offset, count, len(items))
    return _enumerate_services(directory, chosen, offset, count)


def _enumerate_services(
    directory: Directory, chosen: list[CareRule], offset: int, count: int
) -> Found:
    """Every service of the chosen rules, in provider order then rule order, paged without
    expanding the providers before `offset`."""
    _, keys, key_list = derived(directory).keys()
    per_key = [
        [(rule, terms) for rule in chosen if (terms := eligible_keys(rule).get(k)) is not None]
        for k in key_list
    ]
    counts = (
        np.asarray([len(s) for s in per_key], dtype=np.int64)[keys]
        if len(keys)
        else (np.empty(0, dtype=np.int64))
    )
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    items: list[Any] = []
    position = int(np.searchsorted(ends, offset, side="right"))
    skip = offset - (int(ends[position - 1]) if position else 0)
    while position < len(counts) and len(items) < count:
        for rule, terms in per_key[keys[position]][skip:]:
            items.append((position, rule, terms, None))
        skip = 0
        position += 1
    return Found(items[:count], total, offset + count < total)
