"""hours.evaluate_fast (a day's intervals, then a binary search) gives what the reference
hours.evaluate.status gives, for valid hours strings built the way lists write them and
moments across the year: on the hour and the half hour (where intervals begin and end),
public holidays, and the nights summer time begins and ends. `hypothesis.event` counts
which answer each comparison checked (run with --hypothesis-show-statistics)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest import mock

from hypothesis import event, given, settings
from hypothesis import strategies as st

from directory_api.hours import evaluate_fast
from directory_api.hours.book import HoursBook
from directory_api.hours.evaluate import TIMEZONE, compile_hours, is_open, parse_moment, status
from directory_api.hours.evaluate_fast import DayTable, DayTables

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


@st.composite
def day_selectors(draw: st.DrawFn) -> str:
    first = draw(st.integers(0, 6))
    last = draw(st.integers(first, 6))
    return DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"


@st.composite
def time_spans(draw: st.DrawFn) -> str:
    start = draw(st.integers(0, 47)) * 30  # minutes, on the half hour as lists write them
    length = draw(st.integers(1, 30)) * 30
    end = start + length
    if end > 24 * 60 and not draw(st.booleans()):
        end = 24 * 60  # most lists stop at midnight; some run past it (17:00-01:00)
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@st.composite
def rules(draw: st.DrawFn) -> str:
    days = draw(day_selectors())
    spans = draw(st.lists(time_spans(), min_size=1, max_size=3))
    rule = f"{days} {','.join(spans)}"
    tail = draw(st.sampled_from(["", "", "", ' "op afspraak"', " unknown", " off"]))
    return rule + tail


@st.composite
def hours_texts(draw: st.DrawFn) -> str:
    special = draw(st.sampled_from([None, None, None, None, "24/7", "off", "unknown"]))
    if special:
        return special
    parts = draw(st.lists(rules(), min_size=1, max_size=3))
    parts += draw(st.sampled_from([[], [], ["PH off"], ["PH 10:00-14:00"], ["Sa off"]]))
    text = "; ".join(parts)
    compile_hours(text)  # every drawn string is valid OSM syntax
    return text


# Days where things happen: summer time begins and ends, Koningsdag, Christmas, New Year.
SPECIAL_DAYS = [
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 4, 27),
    date(2026, 12, 25),
    date(2026, 12, 31),
    date(2027, 1, 1),
]


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    day = draw(
        st.one_of(
            st.sampled_from(SPECIAL_DAYS),
            st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
        )
    )
    minute = draw(st.one_of(st.integers(0, 47).map(lambda h: h * 30), st.integers(0, 1439)))
    second = draw(st.sampled_from([0, 0, 0, 59]))
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute, seconds=second)
    # As parse_moment gives them: an instant, read in Europe/Amsterdam (a wall time in the
    # hour summer time skips becomes the instant it would be at winter time).
    return naive.replace(tzinfo=TIMEZONE).astimezone(UTC).astimezone(TIMEZONE)


@settings(max_examples=600, deadline=None)
@given(hours_texts(), st.lists(moments(), min_size=1, max_size=6))
def test_day_tables_equal_status(text, ats):
    hours = compile_hours(text)
    for at in ats:
        with mock.patch.object(evaluate_fast, "status", wraps=evaluate_fast.status) as asked:
            fast = DayTable(hours, at.date()).status(at)
        assert fast == status(hours, at), (text, at.isoformat())
        state = {True: "open", False: "closed", None: "unknown"}[fast.open]
        by = "status()" if asked.call_count else "the table alone"
        event(f"compared equal: {state}, {'a' if fast.next_change else 'no'} next change, by {by}")


@st.composite
def moments_of_a_day(draw: st.DrawFn) -> list[datetime]:
    """Several moments of one day (as searches with open_at on that day ask), then others."""
    first = draw(moments())
    minutes = draw(st.lists(st.integers(0, 1439), min_size=1, max_size=6))
    midnight = first.replace(hour=0, minute=0, second=0).astimezone(UTC)
    same_day = [(midnight + timedelta(minutes=m)).astimezone(TIMEZONE) for m in minutes]
    return [first, *same_day, *draw(st.lists(moments(), max_size=3))]


@settings(max_examples=200, deadline=None)
@given(st.lists(hours_texts(), min_size=1, max_size=5), moments_of_a_day())
def test_the_book_answers_what_status_answers(texts, ats):
    """Through HoursBook.at: one evaluator per moment, the tables of each day shared (a
    table is built the second time a day asks for a string)."""
    book = HoursBook(texts)
    with mock.patch.object(evaluate_fast, "DayTable", wraps=evaluate_fast.DayTable) as built:
        for at in ats:
            evaluate = book.at(at)
            for text in texts:
                assert evaluate(text) == status(book.compiled[text], at), (text, at.isoformat())
    event(f"compared equal, {'with' if built.call_count else 'without'} day tables built")


def test_a_moment_on_the_night_summer_time_ends_is_the_instant_it_names():
    """02:30 happens twice on 25 October 2026 (the library's intervals have the second
    only, its state() says open at both): the table answers as status() does."""
    hours = compile_hours("Su 02:00-03:00")
    first = parse_moment("2026-10-25T02:30:00+02:00")
    second = parse_moment("2026-10-25T02:30:00+01:00")
    table = DayTable(hours, first.date())
    assert table.status(first) == status(hours, first)
    assert table.status(second) == status(hours, second)


def test_a_weekend_is_in_the_table_and_a_longer_closure_comes_from_the_library():
    hours = compile_hours("Mo-Fr 08:00-17:00; Sa 10:00-13:00; PH off")
    saturday = parse_moment("2026-12-05T14:00:00+01:00")
    with mock.patch.object(evaluate_fast, "status", wraps=evaluate_fast.status) as asked:
        found = DayTable(hours, saturday.date()).status(saturday)
    assert (found.open, found.next_change) == (False, "2026-12-07T08:00:00+01:00")
    assert asked.call_count == 0
    # Christmas Eve 17:00 to Monday 28 December 08:00 runs past the four days.
    christmas_eve = parse_moment("2026-12-24T18:00:00+01:00")
    with mock.patch.object(evaluate_fast, "status", wraps=evaluate_fast.status) as asked:
        found = DayTable(hours, christmas_eve.date()).status(christmas_eve)
    assert (found.open, found.next_change) == (False, "2026-12-28T08:00:00+01:00")
    assert asked.call_count == 1


def test_a_book_keeps_the_tables_of_a_few_days_only():
    tables = DayTables()
    for offset in range(30):
        tables.of_day(date(2026, 12, 1) + timedelta(days=offset))["x"] = None  # type: ignore[assignment]
    assert len(tables._days) == 4
    assert sorted(tables._days)[0] == date(2026, 12, 27)


@settings(max_examples=300, deadline=None)
@given(hours_texts(), st.lists(moments(), min_size=1, max_size=6))
def test_is_open_is_status_open(text, ats):
    """The out-of-hours route asks only whether a moment is within its hours (is_open):
    the same answer as status(), without its next change."""
    hours = compile_hours(text)
    for at in ats:
        expected = status(hours, at).open is True
        assert is_open(hours, at) == expected, (text, at.isoformat())
        event(f"compared equal: {'open' if expected else 'not open'}")
    assert is_open(None, ats[0]) is False
