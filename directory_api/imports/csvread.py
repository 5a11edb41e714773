"""Reading spreadsheet exports: encoding, delimiter, records with line numbers, headers,
and one marshmallow field per kind of cell value.

Rows are assembled and validated in importer.py. Nothing here raises on bad input: every
failure becomes a reason string, an InvalidRow or a marshmallow ValidationError.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

from marshmallow import ValidationError, fields

from directory_api.errors import InvalidRow, MalformedPostcode
from directory_api.geo.geocode import normalize_postcode
from directory_api.models import CATEGORIES

NOT_TEXT = "not a text/CSV file"

# Canonical field -> accepted header names (Dutch and English). Compared by header_key().
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("naam", "name"),
    "street": ("adres", "straat", "street", "address"),
    "house_number": ("huisnummer", "house_number", "housenumber", "nr", "huisnr"),
    "postcode": ("postcode", "postal_code", "zip", "zipcode"),
    "city": ("plaats", "woonplaats", "city", "stad"),
    "phone": ("telefoon", "telefoonnummer", "phone", "tel"),
    "website": ("website", "url", "web"),
    "email": ("e-mail", "email", "mail"),
    "opening_hours": ("openingstijden", "opening_hours"),
    "lat": ("lat", "latitude", "breedtegraad"),
    "lon": ("lon", "lng", "longitude", "lengtegraad"),
    "category": ("categorie", "category"),
    "cak_contracted": ("gecontracteerd", "cak_contracted", "contracted", "contract"),
    "external_id": ("id", "external_id", "extern_id"),
}
FIELDS: tuple[str, ...] = tuple(HEADER_ALIASES)


def header_key(text: str) -> str:
    """' E-mail ' -> 'email', 'House Number' -> 'housenumber': case and punctuation ignored."""
    return re.sub(r"[\W_]+", "", text.casefold())


_ALIAS_TO_FIELD = {header_key(a): f for f, names in HEADER_ALIASES.items() for a in names}


# --- encoding -------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str | None  # None when the bytes are not text
    encoding: str
    warning: str | None = None


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> Decoded:
    """UTF-32/16 with BOM, UTF-8 with or without BOM, else Windows-1252; binary -> text None."""
    encoding = next((enc for bom, enc in _WIDE_BOMS if data.startswith(bom)), None)
    encoding = encoding or _bomless_utf16(data)
    if encoding:
        try:
            decoded = Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            return Decoded(None, encoding)
    elif b"\x00" in data:
        return Decoded(None, "binary")
    else:
        decoded = _decode_narrow(data)
    if decoded.text is None or _looks_binary(decoded.text):
        return Decoded(None, decoded.encoding)
    return decoded


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:400]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) == len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) == len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode_narrow(data: bytes) -> Decoded:
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(body.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
        return Decoded(text, "cp1252", "some bytes are not Windows-1252 and were replaced")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return "\x00" in text or len(_CONTROL.findall(sample)) > len(sample) // 20


# --- delimiter and records ------------------------------------------------------------


def detect_delimiter(text: str) -> str:
    """The most frequent of tab, ';' and ',' outside quotes on the first non-blank line."""
    lines = text[:65536].splitlines()
    if len(text) > 65536:
        lines.pop()  # may be cut short; splitting all of a large file is slow
    first = next((line for line in lines if line.strip()), None)
    if first is None and len(text) > 65536:
        first = next((line for line in text.splitlines() if line.strip()), "")
    first = first or ""
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Record:
    line: int  # physical line where the record starts
    fields: list[str] | None  # None when the record could not be parsed
    error: str | None = None


def iter_records(text: str, delimiter: str) -> Iterator[Record]:
    """Non-blank records with their starting line; csv errors become Records with an error."""
    limit = min(len(text) + 1, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(start, None, _csv_reason(exc))
        else:
            if any(f.strip() for f in fields):
                yield Record(start, fields)
        if reader.line_num < start:  # nothing consumed: never loop forever
            return
        start = reader.line_num + 1


class SpansLines(Exception):
    """A record spans lines or cannot be read: read the file with iter_records instead."""


def record_chunks(
    text: str, delimiter: str, size: int = 2000
) -> Iterator[tuple[list[int], list[list[str]]]]:
    """What iter_records gives (start lines and fields of the non-blank records), `size`
    records of one csv.reader pass at a time, while every record is one line; raises
    SpansLines at the first that is not (after the chunks before it)."""
    limit = min(len(text) + 1, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
    if not any(c in text for c in _OTHER_BREAKS):
        yield from _line_chunks(text, delimiter, size)
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    done = 0  # records read, all one line each
    while True:
        try:
            rows = list(islice(reader, size))
        except csv.Error:
            raise SpansLines from None
        if not rows:
            return
        # Every record takes at least one line, so as many records as lines means one line
        # each: record i starts on line i + 1.
        if reader.line_num != done + len(rows):
            raise SpansLines
        kept = _non_blank(rows)
        if len(kept) == len(rows):
            yield list(range(done + 1, done + len(rows) + 1)), rows
        else:
            yield [done + i + 1 for i in kept], [rows[i] for i in kept]
        done += len(rows)


# Where str.splitlines() ends a line but csv.reader (reading lines that end in "\r", "\n"
# or "\r\n") does not; and NUL, which csv.reader refuses.
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x00")


def _line_chunks(
    text: str, delimiter: str, size: int
) -> Iterator[tuple[list[int], list[list[str]]]]:
    """record_chunks for a text split where csv.reader splits it: a line without a '"' is
    its cells split at the delimiter (csv.reader gives [] for an empty line, this [""]: both
    are blank), and lines with one go through csv.reader, which must find one record in
    each (else SpansLines)."""
    lines, quoted = text.splitlines(), '"' in text
    for start in range(0, len(lines), size):
        part = lines[start : start + size]
        if quoted and '"' in "\n".join(part):
            reader = csv.reader(part, delimiter=delimiter, strict=True)
            try:
                rows = list(reader)
            except csv.Error:
                raise SpansLines from None
            if reader.line_num != len(part) or len(rows) != len(part):
                raise SpansLines
        else:
            rows = list(map(str.split, part, repeat(delimiter)))
        kept = _non_blank(rows)
        if len(kept) == len(rows):
            yield list(range(start + 1, start + len(rows) + 1)), rows
        else:
            yield [start + i + 1 for i in kept], [rows[i] for i in kept]


def _non_blank(rows: list[list[str]]) -> list[int] | range:
    """Positions of the rows with a cell that is not blank."""
    try:
        if all(map(str.strip, map(itemgetter(0), rows))):  # the usual case, a bit faster
            return range(len(rows))
    except IndexError:  # an empty row
        pass
    return [i for i, f in enumerate(rows) if f and (f[0].strip() or any(map(str.strip, f)))]


def fast_records(
    text: str, delimiter: str, size: int = 2000
) -> tuple[list[int], list[list[str]]] | None:
    """All of record_chunks at once; None where it raises SpansLines (use iter_records)."""
    lines: list[int] = []
    rows: list[list[str]] = []
    try:
        for chunk_lines, chunk_rows in record_chunks(text, delimiter, size):
            lines += chunk_lines
            rows += chunk_rows
    except SpansLines:
        return None
    return lines, rows


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "unterminated quoted field: a '\"' opened here is never closed"
    if "expected after" in message:
        return "text after a closing quote (a quote inside a quoted value must be doubled)"
    return f"cannot read this line as CSV ({message})"


# --- headers --------------------------------------------------------------------------


@dataclass
class Columns:
    """Which position holds which canonical field, and the header text the user wrote."""

    width: int
    index: dict[int, str] = field(default_factory=dict)  # position -> canonical field
    header: dict[str, str] = field(default_factory=dict)  # canonical field -> header text
    problems: list[InvalidRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # ignored header texts

    def assign(self, position: int, name: str, text: str) -> None:
        self.index[position] = name
        self.header[name] = text

    def pick(self, values: Sequence[str]) -> dict[str, str]:
        return {name: values[i] for i, name in self.index.items() if i < len(values)}

    def column(self, name: str | None) -> str | None:
        """The header text for a canonical field (the canonical name if there is no column)."""
        return None if name is None else self.header.get(name, name)


def map_columns(
    headers: Sequence[str], column_map: Mapping[str, str] | None = None, *, line: int = 1
) -> Columns:
    """Map header texts to canonical fields: column_map first, then the aliases."""
    columns = Columns(width=len(headers))
    _apply_column_map(columns, headers, column_map or {}, line)
    unknown = columns.unknown
    for position, text in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(header_key(text))
        if position in columns.index or not text.strip():
            continue
        if name is None:
            unknown.append(text.strip())
        elif name in columns.header:
            columns.warnings.append(
                f"column {text.strip()!r} ignored: {columns.header[name]!r} already gives {name}"
            )
        else:
            columns.assign(position, name, text.strip())
    if unknown:
        columns.warnings.append(unknown_warning(unknown))
    return columns


def _apply_column_map(
    columns: Columns, headers: Sequence[str], column_map: Mapping[str, str], line: int
) -> None:
    folded = [h.strip().casefold() for h in headers]
    for name, wanted in column_map.items():
        if name not in FIELDS:
            reason = f"unknown field {name!r} in the column map (known: {', '.join(FIELDS)})"
            columns.problems.append(InvalidRow(line, None, reason))
        elif wanted.strip().casefold() not in folded:
            reason = f"column {wanted!r} (given for {name}) is not in the header"
            columns.problems.append(InvalidRow(line, wanted, reason))
        else:
            position = folded.index(wanted.strip().casefold())
            columns.assign(position, name, headers[position].strip())


def unknown_warning(names: list[str], shown: int = 10) -> str:
    """One warning for any number of ignored columns: 'ignored extra columns: a, b and 9 more'."""
    text = ", ".join(n if len(n) <= 40 else n[:40] + "…" for n in names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"ignored extra columns: {text}{more}"


# --- cell values ----------------------------------------------------------------------

_TRUE = frozenset({"true", "ja", "yes", "j", "y", "1", "waar"})
_FALSE = frozenset({"false", "nee", "no", "n", "0", "onwaar"})


def parse_contracted(value: str) -> bool | None:
    """'ja'/'Yes'/'1'/'waar' -> True, 'nee'/'no'/'0'/'onwaar' -> False, '' -> None."""
    text = value.strip().casefold()
    if not text:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"not a yes/no value: {value!r}")


def _category_key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())


_DUTCH_CATEGORIES = {
    "ziekenhuis": "hospital",
    "apotheek": "pharmacy",
    "ggz": "mental_health_institution",
    "ggz-instelling": "mental_health_institution",
    "wlz": "long_term_care_institution",
    "wlz-instelling": "long_term_care_institution",
    "hulpmiddelenleverancier": "medical_aids_supplier",
    "tandartsenpool": "dental_pool",
    "huisarts": "gp",
    "verloskundige": "midwife",
    "kraamzorg": "maternity_carer",
    "kraamverzorgende": "maternity_carer",
    "tandarts": "dentist",
    "fysiotherapeut": "paramedic",
    "paramedicus": "paramedic",
    "jgz": "youth_health",
    "steunorganisatie": "support_organisation",
    "vriendennetwerk": "friendly_network",
}
_CATEGORY_WORDS = {_category_key(c): c for c in CATEGORIES} | {
    _category_key(word): code for word, code in _DUTCH_CATEGORIES.items()
}


def category_code(text: str) -> str | None:
    """'Apotheek' -> 'pharmacy', 'GGZ-instelling' -> 'mental_health_institution'."""
    return _CATEGORY_WORDS.get(_category_key(text))


def looks_like_formula(value: str) -> bool:
    """Would a spreadsheet run this as a formula? (=, +, - or @ first, or a tab or CR)"""
    text = value.strip()
    return value[:1] in ("\t", "\r") or text[:1] in ("=", "+", "-", "@")


def show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*")
_DOMAIN = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}\.?(?::[0-9]+)?"
_URL = re.compile(rf"https?://{_DOMAIN}(?:[/?#]\S*)?", re.IGNORECASE)
_BARE = re.compile(rf"{_DOMAIN}(?:[/?#]\S*)?", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


# --- marshmallow fields: one per kind of cell ------------------------------------------


# The longest value the store keeps per field (its VARCHAR lengths): a longer one is a
# problem in the row, not a database error. tests/reliability checks them against store.py.
COLUMN_LENGTHS: dict[str, int] = {
    "external_id": 200,
    "name": 300,
    "street": 300,
    "house_number": 50,
    "postcode": 16,
    "city": 200,
    "phone": 100,
    "email": 300,
}


# A whole column at a time (Text.load_column): most cells of a list are "plain", values that
# _deserialize would return unchanged or convert trivially. One regular expression per field
# kind (PLAIN) recognises them, matched once over the column's cells joined by "\x00" (which
# no decoded file contains: decode() takes such bytes for binary). Every other cell goes
# through _deserialize as before, so values and error messages are the same; the property
# tests in tests/test_import_columns.py compare the two paths cell by cell.


@lru_cache(maxsize=32)
def _plain_patterns(plain: str, longest: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(one cell, a whole "\x00"-joined column), both for cells of at most `longest`
    characters; atomic groups never backtrack across cells."""
    cell = rf"(?=[^\x00]{{0,{longest}}}(?![^\x00]))(?>{plain})"
    return re.compile(cell), re.compile(rf"{cell}(?:\x00{cell})*")


def _has_empty(cells: Sequence[str], joined: str) -> bool:
    """Is one of the cells ""? (joined: the cells joined by "\x00")"""
    ends = joined[:1] + joined[-1:]
    return bool(cells) and (not joined or "\x00" in ends or "\x00\x00" in joined)


class _Memo(dict[str, Any]):
    """load(cell) computed once per distinct cell."""

    def __init__(self, load: Callable[[str], Any]) -> None:
        super().__init__()
        self.load = load

    def __missing__(self, cell: str) -> Any:
        value = self[cell] = self.load(cell)
        return value


class Text(fields.Field):
    """Stripped text, '' -> None; rejects over-long values and spreadsheet formulas."""

    # A plain cell (see load_column) is empty or has no whitespace around it and no formula
    # character first, so that strip() and looks_like_formula() change nothing. None: no
    # plain cells; every distinct cell goes through _deserialize once.
    PLAIN: str | None = r"(?:[^\s=+\-@\x00][^\x00]*+(?<!\s))?"

    def longest(self, attr: str) -> int:
        """The longest plain cell: both length checks of _deserialize pass."""
        limit: int = getattr(self.root, "max_field_chars", 10_000)
        return min(limit, COLUMN_LENGTHS.get(attr, limit))

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        """What _deserialize returns for each of these plain cells (joined: them joined by
        "\x00"); None if some need _deserialize after all."""
        return [cell or None for cell in cells] if _has_empty(cells, joined) else cells

    def load_column(
        self, attr: str, cells: Sequence[str], slow: Callable[[str], Any]
    ) -> Sequence[Any]:
        """The value of every cell in a column: plain_column() for plain cells, else slow(cell)
        (the caller's _deserialize, which turns a ValidationError into a marker)."""
        memo = _Memo(slow)
        if self.PLAIN is None:
            return list(map(memo.__getitem__, cells))
        one, every = _plain_patterns(self.PLAIN, self.longest(attr))
        joined = "\x00".join(cells)
        if joined.count("\x00") == len(cells) - 1 and every.fullmatch(joined):
            values = self.plain_column(cells, joined)
            if values is not None:
                return values
        return [self._load_cell(cell, one, memo) for cell in cells]

    def _load_cell(self, cell: str, plain: re.Pattern[str], memo: Mapping[str, Any]) -> Any:
        if plain.fullmatch(cell):
            values = self.plain_column([cell], cell)
            if values is not None:
                return values[0]
        return memo[cell]

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", None)
        super().__init__(allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError("must be text")
        limit = getattr(self.root, "max_field_chars", 10_000)
        if len(value) > limit:
            raise ValidationError(f"value is longer than {limit} characters ({len(value)})")
        text = value.strip()
        if not text or text == "-":  # a lone dash is a spreadsheet's "nothing here"
            return self.empty()
        if looks_like_formula(value) and not self.harmless(text):
            raise ValidationError("looks like a spreadsheet formula")
        cleaned = self.clean(text)
        longest = COLUMN_LENGTHS.get(attr or "")
        if longest is not None and isinstance(cleaned, str) and len(cleaned) > longest:
            raise ValidationError(f"longer than {longest} characters ({len(cleaned)})")
        return cleaned

    def empty(self) -> Any:
        return None

    def harmless(self, text: str) -> bool:
        """May this value start with a formula character?"""
        return False

    def clean(self, text: str) -> Any:
        return text


class Name(Text):
    PLAIN = r"[^\s=+\-@\x00][^\x00]*+(?<!\s)"  # never empty

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        return cells

    def empty(self) -> Any:
        raise ValidationError("name is empty")

    def clean(self, text: str) -> Any:
        if len(text) > 300:
            raise ValidationError(f"name is longer than 300 characters ({len(text)})")
        return text


class Category(Text):
    PLAIN = None  # a handful of distinct values

    def empty(self) -> Any:
        raise ValidationError("category is missing")

    def clean(self, text: str) -> Any:
        code = category_code(text)
        if code is None:
            raise ValidationError(
                f"unknown category {show(text)} (use one of: " + ", ".join(CATEGORIES) + ")"
            )
        return code


class Contracted(Text):
    PLAIN = None  # a handful of distinct values

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            return value
        return super()._deserialize(value, attr, data, **kwargs)

    def clean(self, text: str) -> Any:
        try:
            return parse_contracted(text)
        except ValueError:
            raise ValidationError(f"not a yes/no value: {show(text)}") from None


class Postcode(Text):
    PLAIN = r"(?:[1-9][0-9]{3}(?: (?!S[ADS])[A-Z]{2})?)?"  # normalize_postcode keeps these

    def clean(self, text: str) -> Any:
        try:
            postcode = normalize_postcode(text)
        except MalformedPostcode:
            postcode = None
        if postcode is None:
            raise ValidationError(f"malformed postcode {show(text)}")
        return postcode


class Phone(Text):
    def harmless(self, text: str) -> bool:
        digits = sum(c.isdigit() for c in text)
        return bool(_PHONE.fullmatch(text)) and 3 <= digits <= 15


class Website(Text):
    # What _URL takes as it is, with ASCII domain names only (a faster expression)
    PLAIN = (
        r"(?:[hH][tT][tT][pP][sS]?://(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*+(?<!-))?\.)++"
        r"[a-zA-Z]{2,}+\.?(?::[0-9]+)?(?:[/?#][^\s\x00]*+)?)?"
    )

    def clean(self, text: str) -> Any:
        if _URL.fullmatch(text):
            return text
        if _BARE.fullmatch(text):
            return "https://" + text
        raise ValidationError(f"not a website address: {show(text)}")


class Email(Text):
    # _EMAIL without "mailto:" in front and with no formula character first
    PLAIN = r"(?:(?!mailto:)[^@\s=+\-\x00][^@\s\x00]*@[^@\s\x00]+\.[^@\s.\x00]+)?"

    def clean(self, text: str) -> Any:
        text = text.removeprefix("mailto:")
        if not _EMAIL.fullmatch(text):
            raise ValidationError(f"not an e-mail address: {show(text)}")
        return text


class Coordinate(Text):
    PLAIN = r"(?:[0-9]+(?:[.,][0-9]*)?)?"  # _NUMBER without a sign

    def __init__(self, low: float, high: float, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high, self.label = low, high, label

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        if "," in joined:  # decimal commas
            cells = joined.replace(",", ".").split("\x00")
        values: list[float | None]
        if _has_empty(cells, joined):
            values = [float(c) if c else None for c in cells]
            numbers = [v for v in values if v is not None]
        else:
            values = numbers = list(map(float, cells))  # type: ignore[assignment]
        if numbers and not (self.low <= min(numbers) and max(numbers) <= self.high):
            return None  # some out of the range
        return values

    def harmless(self, text: str) -> bool:
        return _number(text) is not None

    def clean(self, text: str) -> Any:
        value = _number(text)
        if value is None:
            raise ValidationError(f"{self.label} is not a number: {show(text)}")
        if not self.low <= value <= self.high:
            raise ValidationError(
                f"{self.label} {value} is outside the Netherlands ({self.low} to {self.high})"
            )
        return value
