"""The hours of one data version: every distinct hours string compiled once (HoursBook),
and their states at one moment (Evaluator), each string evaluated once per moment through
the day's tables (hours.evaluate_fast, equal to hours.evaluate.status).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from opening_hours import OpeningHours

from directory_api.hours.evaluate import UNKNOWN, HoursError, Status, compile_hours, local_time
from directory_api.hours.evaluate_fast import DayTable, DayTables, fast_status


class HoursBook:
    """Every distinct hours string of a data version compiled once (None where it does not
    compile: lists imported before hours were checked), and evaluations at one moment
    remembered per string (`at`). The last moment's evaluations are kept for the next
    request at the same moment: searches without open_at are evaluated at the current
    minute, so within a minute each string is evaluated once in all. Other moments of the
    same day read the day's tables (hours.evaluate_fast)."""

    def __init__(self, texts: Iterable[str | None]) -> None:
        compiled: dict[str, OpeningHours | None] = {}
        for text in texts:
            if text and text not in compiled:
                try:
                    compiled[text] = compile_hours(text)
                except HoursError:
                    compiled[text] = None
        self.compiled: Mapping[str, OpeningHours | None] = compiled
        self.tables = DayTables()
        self._last: Evaluator | None = None

    def __len__(self) -> int:
        return len(self.compiled)

    def at(self, moment: datetime) -> Evaluator:
        local = local_time(moment)
        last = self._last
        if (
            last is not None
            and last.moment == local
            and last.moment.utcoffset() == local.utcoffset()
        ):
            return last
        self._last = evaluator = Evaluator(self, local)
        return evaluator


class Evaluator:
    """The status of hours strings at one moment (Europe/Amsterdam), each string evaluated
    once."""

    def __init__(self, book: HoursBook, at: datetime) -> None:
        self.book, self.moment = book, at
        self.seen: dict[str | None, Status] = {None: UNKNOWN}
        self._tables: dict[str, DayTable | None] | None = None

    def __call__(self, text: str | None) -> Status:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = self._evaluate(text or "")
        return found

    def _evaluate(self, text: str) -> Status:
        hours = self.book.compiled.get(text)
        if hours is None:
            return UNKNOWN
        if self._tables is None:
            self._tables = self.book.tables.of_day(self.moment.date())
        return fast_status(self._tables, text, hours, self.moment)
