"""Evaluating opening hours: compile an OSM `opening_hours` string once (opening-hours-py,
Europe/Amsterdam, Dutch public holidays for `PH`), then ask whether it is open at a moment
and when that changes. A place whose hours are not known, or say `unknown`, is never open:
its state is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import opening_hours
from opening_hours import OpeningHours, State

TIMEZONE = ZoneInfo("Europe/Amsterdam")
COUNTRY = "NL"  # the public holidays `PH` stands for
# A change further away than this is taken as none: bounds the cost of next_change().
HORIZON_DAYS = 366


# The library's parse error (missing from its type stubs).
_PARSER_ERROR: type[Exception] = getattr(opening_hours, "ParserError", SyntaxError)


class HoursError(ValueError):
    """Opening hours that cannot be understood (the message says why, for a report)."""


def compile_hours(text: str) -> OpeningHours:
    """The compiled expression; HoursError if it is not valid OSM `opening_hours` syntax."""
    try:
        return OpeningHours(
            text,
            timezone=TIMEZONE,
            country=COUNTRY,
            auto_country=False,
            auto_timezone=False,
            max_interval_days=HORIZON_DAYS,
        )
    except (_PARSER_ERROR, SyntaxError, ValueError) as exc:
        first = str(exc).strip().splitlines()[:1]
        raise HoursError(first[0] if first else "not valid opening_hours syntax") from None


def local_time(moment: datetime) -> datetime:
    """The moment in Europe/Amsterdam (the library takes only ZoneInfo-aware times)."""
    if moment.tzinfo is None:
        raise ValueError("a moment needs a UTC offset")
    return moment.astimezone(TIMEZONE)


@dataclass(frozen=True, slots=True)
class Status:
    """open: True, False or None (unknown); next_change: ISO 8601 with offset, if known."""

    open: bool | None
    next_change: str | None


UNKNOWN = Status(None, None)


def status(hours: OpeningHours | None, at: datetime) -> Status:
    """Open or not at `at` (Europe/Amsterdam, from local_time) and the next change."""
    if hours is None:
        return UNKNOWN
    state, _comment = hours.state(at)
    if state == State.UNKNOWN:
        return UNKNOWN
    change = hours.next_change(at)
    return Status(state == State.OPEN, None if change is None else change.isoformat())


def is_open(hours: OpeningHours | None, at: datetime) -> bool:
    """status(hours, at).open is True, without looking for the next change (which may
    search up to HORIZON_DAYS ahead): only the state at `at` is asked of the library."""
    return hours is not None and hours.state(at)[0] == State.OPEN


_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})", re.ASCII
)


def parse_moment(raw: str) -> datetime:
    """An ISO 8601 date-time with a UTC offset ('2026-12-05T22:00:00+01:00', '...Z'), in
    Europe/Amsterdam; HoursError says what is wrong. A space where the '+' of the offset
    was (a '+' left unescaped in a query string arrives as a space) is read as '+'."""
    text = raw
    if len(text) > 19 and text[-6] == " " and text[-5:-3].isdigit():
        text = text[:-6] + "+" + text[-5:]
    if not _MOMENT.fullmatch(text):
        raise HoursError(
            "must be an ISO 8601 date-time with a UTC offset, e.g. 2026-12-05T22:00:00+01:00"
        )
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise HoursError(f"not a valid date-time: {exc}") from None
    if not 2000 <= moment.year <= 2100:
        raise HoursError("must be a date-time between the years 2000 and 2100")
    return local_time(moment)
