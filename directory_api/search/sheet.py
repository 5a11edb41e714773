"""The referral sheet (issue 12): several kinds of care from one origin, one section each,
in the order asked. No Flask: the web layer parses the query, resolves the origin once and
encodes the sections (web/views/referral.py); this module only assembles them.

An empty section carries the notice an empty search answer carries (search.notice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from directory_api.models import CARE_CODES, Origin
from directory_api.search.directory import Directory
from directory_api.search.notice import empty_notice
from directory_api.search.rules import CareRule, Eligibility, Rules
from directory_api.search.timed import Timed, timed_nearest

MAX_CARE_TYPES = 6  # one sheet, two A4 pages: a handful of kinds of care
MAX_PER_CARE = 10

Found = list[tuple[int, float, Eligibility]]  # ranking.nearest's (position, km, terms)


@dataclass(frozen=True)
class Section:
    """One kind of care on the sheet: its rule (advice, referral), the nearest places."""

    care: str
    rule: CareRule
    timed: Timed  # the places (found) and their opening status at the sheet's moment

    @property
    def found(self) -> Found:
        return self.timed.found

    notice: dict[str, str] | None


def parse_care_list(text: str) -> tuple[str, ...]:
    """'pharmacy,hospital,gp' -> the codes in that order; ValueError saying why not (the web
    layer reports it under the field `care`)."""
    codes = tuple(part.strip() for part in text.split(","))
    if not text.strip() or any(not code for code in codes):
        raise ValueError("give care types separated by commas, e.g. pharmacy,hospital,gp")
    unknown = [code for code in codes if code not in CARE_CODES]
    if unknown:
        raise ValueError(f"unknown care type {unknown[0]!r}; use one of: {', '.join(CARE_CODES)}")
    if len(set(codes)) != len(codes):
        twice = next(code for code in codes if codes.count(code) > 1)
        raise ValueError(f"care type {twice!r} is given twice")
    if len(codes) > MAX_CARE_TYPES:
        raise ValueError(f"at most {MAX_CARE_TYPES} care types on one sheet ({len(codes)} given)")
    return codes


def sections(
    directory: Directory,
    rules: Rules,
    origin: Origin,
    cares: Sequence[str],
    *,
    scheme: str,
    lang: str,
    per_care: int,
    at: datetime,
    only_open: bool = False,
    age_group: str | None = None,
    max_km: float | None = None,
) -> list[Section]:
    """One section per care type, in the order given, each with at most `per_care` places
    from the same origin, ranked and read against opening hours at `at` as a search is
    (search.timed: with `only_open`, only the places open then)."""
    out = []
    for care in cares:
        rule = rules.rule(care, scheme, age_group)
        timed = timed_nearest(
            directory, rule, origin, at=at, only_open=only_open, limit=per_care, max_km=max_km
        )
        notice = empty_notice(directory, rule, found=len(timed.found), max_km=max_km, lang=lang)
        out.append(Section(care, rule, timed, None if notice is None else notice.as_dict()))
    return out
