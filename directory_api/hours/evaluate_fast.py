"""The fast path of hours.evaluate.status: one hours string's intervals over four days
(WINDOW_DAYS), asked of the library once per string per day, then each moment of that day
answered by a binary search. It must equal status() (tests/hours/test_evaluate_fast.py):
the state is the library's for the interval the moment falls in, next_change the end of
that interval (the library's own next_change where the interval runs past those days).
Where summer time begins or ends within them, status() itself answers.

Why: searches evaluate a dozen hours strings per request; without open_at they share the
current minute (hours.book.Evaluator keeps it), but every open_at names its own minute,
and status() costs a library state() and next_change() each time. A table costs about
eight status() calls to build and answers any minute of its day in a few microseconds.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from datetime import date, datetime, time, timedelta

from opening_hours import OpeningHours, State

from directory_api.hours.evaluate import TIMEZONE, UNKNOWN, Status, status

WINDOW_DAYS = 4  # from the day's local midnight: a weekend or a holiday and the day after
DAYS_KEPT = 4  # days whose tables a book keeps (today, and the days open_at asked about)

_STATE = {State.OPEN: True, State.CLOSED: False}  # anything else is unknown (None)


class DayTable:
    """One string's intervals from a local midnight for WINDOW_DAYS (POSIX seconds)."""

    __slots__ = ("_hours", "_starts", "_ends", "_states", "_changes", "_end")

    def __init__(self, hours: OpeningHours, day: date) -> None:
        start = datetime.combine(day, time(0), TIMEZONE)
        end = start + timedelta(days=WINDOW_DAYS)  # wall-clock days: summer time is fine
        self._hours, self._end = hours, end.timestamp()
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._states: list[bool | None] = []
        self._changes: list[str | None] = []
        if start.utcoffset() != end.utcoffset():
            # Summer time begins or ends in the window: in the hour that happens twice the
            # library's intervals and its state() disagree, so the reference answers.
            return
        for begins, ends, state, _comment in hours.intervals(start, end):
            self._starts.append(begins.timestamp())
            self._ends.append(ends.timestamp())
            self._states.append(_STATE.get(state))
            # Past the window the interval may go on: the library is asked (status()).
            self._changes.append(ends.isoformat() if ends.timestamp() < self._end else None)

    def status(self, at: datetime) -> Status:
        """status(hours, at) for a moment on the table's day (aware, Europe/Amsterdam)."""
        moment = at.timestamp()
        i = bisect_right(self._starts, moment) - 1
        if i < 0 or moment >= self._ends[i]:
            return status(self._hours, at)  # not in the table (or none): the reference
        state = self._states[i]
        if state is None:
            return UNKNOWN
        change = self._changes[i]
        if change is None:
            return status(self._hours, at)
        return Status(state, change)


class DayTables:
    """The tables of one hours book, built on demand, for the last DAYS_KEPT days asked."""

    def __init__(self) -> None:
        self._days: dict[date, dict[str, DayTable | None]] = {}
        self._lock = threading.Lock()

    def of_day(self, day: date) -> dict[str, DayTable | None]:
        """The (growing) tables of `day`; the oldest day asked about is dropped."""
        with self._lock:
            tables = self._days.pop(day, None)
            if tables is None:
                tables = {}
                while len(self._days) >= DAYS_KEPT:
                    del self._days[next(iter(self._days))]
            self._days[day] = tables  # last asked = last in order
            return tables


def fast_status(
    tables: dict[str, DayTable | None], text: str, hours: OpeningHours, at: datetime
) -> Status:
    """status(hours, at) through the day's table for `text`. A table costs about eight
    status() calls to build, so it is built the second time a day asks for the string:
    a day asked about once (an open_at far off) costs what status() costs."""
    table = tables.get(text)
    if table is None:
        if text not in tables:
            tables[text] = None
            return status(hours, at)
        table = tables[text] = DayTable(hours, at.date())
    return table.status(at)
