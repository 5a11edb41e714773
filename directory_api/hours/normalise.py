"""Opening hours as lists write them, to the OpenStreetMap `opening_hours` syntax.

Valid OSM syntax is kept as it is (`Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off`, `24/7`).
Otherwise the common Dutch spreadsheet forms are read: day names and abbreviations
(`ma`, `di.`, `maandag`; `werkdagen`, `weekend`, `dagelijks`, `feestdagen`), day ranges
with `-`, `t/m`, `tot en met` or `tot`, day lists with `,` or `en`, times as `8`, `8:00`,
`8.00`, `8u`, `8u30` or `08:30 uur` in ranges with `-` or `tot` (`van 9 tot 17`), several
ranges per day, `gesloten`/`dicht`, and `24 uur`/`dag en nacht`. Anything else is a
HoursError, never a guess: times without days are refused, as they might mean any days.
"""

from __future__ import annotations

import re
from functools import lru_cache

from directory_api.hours.evaluate import HoursError, compile_hours

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_WORDS: dict[str, tuple[str, ...]] = {
    "Mo": ("ma", "maa", "maan", "maandag", "maandags", "mon", "monday"),
    "Tu": ("di", "din", "dins", "dinsdag", "dinsdags", "tue", "tues", "tuesday"),
    "We": ("wo", "woe", "woens", "woensdag", "woensdags", "wed", "wednesday"),
    "Th": ("do", "don", "dond", "donderdag", "donderdags", "thu", "thur", "thurs", "thursday"),
    "Fr": ("vr", "vrij", "vrijdag", "vrijdags", "fri", "friday"),
    "Sa": ("za", "zat", "zaterdag", "zaterdags", "sat", "saturday"),
    "Su": ("zo", "zon", "zondag", "zondags", "sun", "sunday"),
}
DAY_NAMES: dict[str, str] = {w: day for day, words in _DAY_WORDS.items() for w in words}
# Words for several days at once: day selectors as OSM writes them.
GROUPS: dict[str, str] = {
    "werkdagen": "Mo-Fr",
    "weekdagen": "Mo-Fr",
    "weekdays": "Mo-Fr",
    "weekend": "Sa-Su",
    "weekends": "Sa-Su",
    "dagelijks": "Mo-Su",
    "daily": "Mo-Su",
    "feestdagen": "PH",
    "feestdag": "PH",
    "holidays": "PH",
}
CLOSED = frozenset(("gesloten", "dicht", "closed", "off"))
FILLER = frozenset(("van", "uur", "u", "open", "geopend", "from", "op", "en", "and", "s"))
ALWAYS = re.compile(
    r"\s*(?:24/7|24\s*uur(?:\s*per\s*dag)?|dag\s+en\s+nacht(?:\s+geopend)?|altijd\s+open)\s*",
    re.IGNORECASE,
)
_TOKEN = re.compile(
    r"""
    (?P<allday>24\s*uur\b|dag\s+en\s+nacht\b)
    | (?P<time>\d{1,2}(?:\s*[:.hu]\s*\d{2}(?!\d))?)(?:\s*u(?:ur)?\b)? # 8, 8:00, 8.00, 8u30, 8 uur
    | (?P<through>t\s*/\s*m\b\.?|tot\s+en\s+met\b|tot\b|to\b|till\b|until\b)
    | (?P<dash>[-\u2013\u2014])
    | (?P<word>[^\W\d_]+)\.?
    | (?P<sep>[,;/&+|\n]|\s+en\s+)
    | (?P<space>\s+)
    """,
    re.VERBOSE | re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # lists repeat their hours: an import reads each string once
def normalise_hours(text: str) -> str:
    """The OSM `opening_hours` form of `text`; HoursError if it is neither OSM syntax nor
    a Dutch form this module reads."""
    text = " ".join(text.split())
    if not text:
        raise HoursError("opening hours are empty")
    if _is_osm(text):
        return text
    if ALWAYS.fullmatch(text):
        return "24/7"
    osm = "; ".join(_rules(text))
    compile_hours(osm)  # what this module writes must parse
    return osm


def _is_osm(text: str) -> bool:
    try:
        compile_hours(text)
    except HoursError:
        return False
    return True


class _Rule:
    def __init__(self) -> None:
        self.days: list[str] = []  # selectors: "Mo", "Mo-Fr", "PH"
        self.times: list[str] = []  # "08:00-17:00"
        self.closed = False

    def osm(self) -> str:
        if not self.days:
            raise HoursError("times without days: say which days (e.g. 'ma-vr 9-17')")
        days = ",".join(self.days)
        if self.closed:
            if self.times:
                raise HoursError(f"{days}: both times and closed")
            return f"{days} off"
        if not self.times:
            raise HoursError(f"{days}: no opening times (or 'gesloten')")
        return f"{days} {','.join(self.times)}"


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise HoursError(f"cannot read {text[pos : pos + 12]!r}")
        kind = match.lastgroup or "space"
        if kind != "space":
            out.append((kind, match.group(kind).strip().lower()))
        pos = match.end()
    return out


def _clock(raw: str, end: bool = False) -> str:
    parts = re.split(r"\s*[:.hu]\s*", raw)
    hour, minute = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    if hour > 24 or minute > 59 or (hour == 24 and minute) or (hour == 24 and not end):
        raise HoursError(f"not a time of day: {raw!r}")
    return f"{hour:02d}:{minute:02d}"


def _rules(text: str) -> list[str]:
    tokens = _tokens(text)
    rules: list[_Rule] = []
    rule = _Rule()
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "word" and (value in DAY_NAMES or value in GROUPS):
            if rule.times or rule.closed:  # days after times start the next rule
                rules.append(rule)
                rule = _Rule()
            i = _days(tokens, i, rule)
            continue
        if kind == "time":
            i = _time_range(tokens, i, rule)
            continue
        if kind == "allday":
            rule.times.append("00:00-24:00")
        elif kind == "word" and value in CLOSED:
            rule.closed = True
        elif not (kind in ("sep", "dash") or (kind == "word" and value in FILLER)):
            raise HoursError(f"cannot read {value!r}")
        i += 1
    rules.append(rule)
    # In OSM a later rule overrides an earlier one: holidays go last, so that 'feestdagen
    # gesloten, ma-vr 9-17' stays closed on a holiday Monday.
    rules.sort(key=lambda r: r.days == ["PH"])
    return [r.osm() for r in rules]


def _days(tokens: list[tuple[str, str]], i: int, rule: _Rule) -> int:
    """Read a day, a group or a day range at tokens[i]; the position after it."""
    value = tokens[i][1]
    if value in GROUPS:
        rule.days.append(GROUPS[value])
        return i + 1
    first = DAY_NAMES[value]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
    after = tokens[i + 2] if i + 2 < len(tokens) else ("", "")
    if nxt[0] in ("dash", "through") and after[0] == "word" and after[1] in DAY_NAMES:
        last = DAY_NAMES[after[1]]
        rule.days.append(first if first == last else f"{first}-{last}")
        return i + 3
    rule.days.append(first)
    return i + 1


def _time_range(tokens: list[tuple[str, str]], i: int, rule: _Rule) -> int:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
    after = tokens[i + 2] if i + 2 < len(tokens) else ("", "")
    if nxt[0] not in ("dash", "through") or after[0] != "time":
        raise HoursError(f"a time without an end: {tokens[i][1]!r} (write e.g. '9-17')")
    start, end = _clock(tokens[i][1]), _clock(after[1], end=True)
    if start == end:
        raise HoursError(f"opens and closes at {start}")
    rule.times.append(f"{start}-{end}")
    return i + 3
