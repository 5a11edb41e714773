"""directory_api/hours: Dutch forms normalised to OSM syntax, evaluation in Europe/Amsterdam
with the Dutch public holidays and across the changes of summer time."""

from __future__ import annotations

from datetime import datetime

import pytest

from directory_api.hours.book import HoursBook
from directory_api.hours.evaluate import (
    HoursError,
    compile_hours,
    local_time,
    parse_moment,
    status,
)
from directory_api.hours.normalise import normalise_hours


@pytest.mark.parametrize(
    ("written", "osm"),
    [
        ("Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off", "Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off"),
        ("24/7", "24/7"),
        ("ma-vr 08:30-17:00, za 10:00-13:00", "Mo-Fr 08:30-17:00; Sa 10:00-13:00"),
        ("maandag t/m vrijdag 8.00-17.00", "Mo-Fr 08:00-17:00"),
        ("Maandag tot en met vrijdag 08:00 - 17:00 uur", "Mo-Fr 08:00-17:00"),
        ("ma. - vr. van 8u30 tot 17 uur", "Mo-Fr 08:30-17:00"),
        ("ma-vr 9-17", "Mo-Fr 09:00-17:00"),
        ("ma, wo en vr 9-12, 13-17; za gesloten", "Mo,We,Fr 09:00-12:00,13:00-17:00; Sa off"),
        ("feestdagen gesloten, ma-vr 9-17", "Mo-Fr 09:00-17:00; PH off"),
        ("werkdagen 8-17, weekend 10-14", "Mo-Fr 08:00-17:00; Sa-Su 10:00-14:00"),
        ("ma-zo 24 uur", "Mo-Su 00:00-24:00"),
        ("dag en nacht geopend", "24/7"),
        ("  ma-vr   17:00-01:00 ", "Mo-Fr 17:00-01:00"),
    ],
)
def test_dutch_forms_are_normalised_to_osm(written, osm):
    assert normalise_hours(written) == osm
    compile_hours(osm)


@pytest.mark.parametrize(
    "written", ["op afspraak", "9-17", "ma-vr 8-", "ma-vr 25:00-26:00", "ma-vr", "ma 9-9", "?"]
)
def test_what_cannot_be_read_is_an_error_not_a_guess(written):
    with pytest.raises(HoursError):
        normalise_hours(written)


def at(text: str) -> datetime:
    return parse_moment(text)


WEEKDAYS = compile_hours("Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off")


def test_dutch_public_holidays_are_closed_on_ph_off():
    assert status(WEEKDAYS, at("2026-12-24T11:00:00+01:00")).open is True  # a Thursday
    christmas = status(WEEKDAYS, at("2026-12-25T11:00:00+01:00"))  # Friday, Eerste Kerstdag
    assert christmas.open is False
    # Saturday 26th is Tweede Kerstdag: the next opening is Monday morning.
    assert christmas.next_change == "2026-12-28T08:00:00+01:00"
    assert status(WEEKDAYS, at("2026-04-27T11:00:00+02:00")).open is False  # Koningsdag


def test_summer_time_is_local_time():
    # The same 06:30 UTC is 07:30 on Friday (CET) and 08:30 on Monday (CEST).
    assert status(WEEKDAYS, at("2026-03-27T06:30:00Z")).open is False
    assert status(WEEKDAYS, at("2026-03-30T06:30:00Z")).open is True
    sunday = status(WEEKDAYS, at("2026-03-29T00:30:00Z"))
    assert (sunday.open, sunday.next_change) == (False, "2026-03-30T08:00:00+02:00")
    # Back to winter time: Monday 26 October 07:30 UTC is 08:30 CET.
    assert status(WEEKDAYS, at("2026-10-26T07:30:00Z")).open is True
    assert status(WEEKDAYS, at("2026-10-26T06:30:00Z")).open is False


def test_unknown_hours_are_never_open():
    book = HoursBook(["ma-vr 9-17", "Mo-Fr 09:00-17:00 unknown", None, "24/7"])
    now = book.at(at("2026-12-08T11:00:00+01:00"))
    assert now(None).open is None
    assert now("ma-vr 9-17").open is None  # stored before hours were checked: unknown
    assert now("Mo-Fr 09:00-17:00 unknown").open is None
    assert (now("24/7").open, now("24/7").next_change) == (True, None)


def test_moments_need_an_offset():
    assert local_time(at("2026-12-05T21:00:00Z")).isoformat() == "2026-12-05T22:00:00+01:00"
    assert at("2026-12-05T22:00:00 01:00").isoformat() == "2026-12-05T22:00:00+01:00"
    for bad in ["2026-12-05T22:00", "2026-12-05", "tomorrow", "2026-02-30T10:00+01:00"]:
        with pytest.raises(HoursError):
            parse_moment(bad)
