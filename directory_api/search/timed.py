"""Search by time: every result's opening status at a moment, and with a time filter only
the places open then (plus, at the hours the rules name, the out-of-hours route). No Flask.

Hours are evaluated only for the shortlisted results, each distinct hours string once per
request (hours.book.Evaluator over the directory's compiled HoursBook). With a filter,
ranking.nearest is asked for more candidates (half as many again as wanted, then 4 x more
each round) until `limit` open ones are found or none are left; at equal distance (2
decimals) the rule's own terms come before the out-of-hours route, then name, then id.
Unknown hours are never open: when no place is open, the nearest places of the rule whose
hours are unknown are returned instead (`fallback`), each with open None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from directory_api.hours.evaluate import Status
from directory_api.models import Origin
from directory_api.search.directory import Directory
from directory_api.search.ranking import nearest
from directory_api.search.rules import OUT_OF_HOURS_ROUTE, CareRule, Eligibility

Found = tuple[int, float, Eligibility]  # (position in the directory, distance_km, terms)


@dataclass(frozen=True)
class Timed:
    """The results, each one's status at `at`, and how they were chosen."""

    found: list[Found]
    statuses: list[Status]
    at: datetime
    only_open: bool  # a time filter was asked for
    out_of_hours: bool  # the rule's out-of-hours route applied at `at`
    fallback: bool  # nothing was open: these are the places with unknown hours


def timed_nearest(
    directory: Directory,
    rule: CareRule,
    origin: Origin,
    *,
    at: datetime,
    only_open: bool,
    limit: int = 10,
    max_km: float | None = None,
) -> Timed:
    """ranking.nearest with each result's status at `at` (aware); with `only_open`, only
    the places open then (see the module docstring)."""
    evaluate = directory.hours.at(at)
    providers = directory.providers

    def status_of(found: Found) -> Status:
        return evaluate(providers[found[0]].opening_hours)

    if not only_open:
        found = nearest(directory, rule, origin, limit=limit, max_km=max_km)
        return Timed(found, [status_of(f) for f in found], at, False, False, False)
    route = rule.out_of_hours is not None and rule.out_of_hours.applies(at)
    wider = rule.with_out_of_hours if route and rule.with_out_of_hours else rule
    picked = _first(directory, wider, origin, limit, max_km, lambda f: status_of(f).open is True)
    fallback = not picked
    if fallback:
        picked = _first(directory, rule, origin, limit, max_km, lambda f: status_of(f).open is None)
    return Timed(picked, [status_of(f) for f in picked], at, True, route, fallback)


def _first(
    directory: Directory,
    rule: CareRule,
    origin: Origin,
    limit: int,
    max_km: float | None,
    wanted: Callable[[Found], bool],
) -> list[Found]:
    """The first `limit` candidates that are `wanted`, in result order (distance, the
    rule's own terms before the route, name, id). nearest is asked for half as many again
    as wanted (most places are open in the daytime: one round), then 4 x more each time."""
    total = sum(len(directory.indexes[k]) for k in rule.index_keys if k in directory.indexes)
    ask = limit + max(5, limit // 2)
    while True:
        found = nearest(directory, rule, origin, limit=ask, max_km=max_km)
        complete = len(found) < ask or ask >= total
        # Candidates at the last distance may have been cut: only those nearer are sure.
        sure = float("inf") if complete or not found else found[-1][1]
        ranked = sorted(found, key=lambda f: (f[1], f[2].basis == OUT_OF_HOURS_ROUTE))
        picked: list[Found] = []
        for candidate in ranked:
            if candidate[1] >= sure:
                break
            if wanted(candidate):
                picked.append(candidate)
                if len(picked) == limit:
                    return picked
        if complete:
            return picked
        ask *= 4
