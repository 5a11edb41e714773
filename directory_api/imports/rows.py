"""Validate imported provider lists (CSV exports or JSON records) into ProviderRows.

No Flask, no SQL: bytes or records in, a ParsedFile (valid rows + every problem) out.
Raw CSV handling (encodings, delimiters, headers) and the per-cell marshmallow fields
live in csvread.py.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, Protocol, cast

from marshmallow import Schema, ValidationError, missing, pre_load, validates_schema

from directory_api.errors import InvalidRow, LocationError
from directory_api.geo.geocode import Gazetteer
from directory_api.imports import csvread
from directory_api.imports.csvread import (
    Category,
    Contracted,
    Coordinate,
    Email,
    Name,
    Phone,
    Postcode,
    Text,
    Website,
    category_code,
    parse_contracted,
    show,
)
from directory_api.models import CATEGORIES, ProviderRow
from directory_api.versions.lists import Identity, identity_keys, identity_keys_of

__all__ = [
    "ParsedFile",
    "ProviderRowSchema",
    "RowLocator",
    "category_code",
    "format_report",
    "identity_key",
    "parse_contracted",
    "read_provider_file",
    "read_provider_records",
]


class RowLocator(Protocol):
    """Anything that can place a row without coordinates (geocode.Gazetteer does)."""

    def locate_row(
        self, postcode: str | None, city: str | None
    ) -> tuple[float, float, str] | None: ...


@dataclass
class ParsedFile:
    rows: list[ProviderRow] = field(default_factory=list)  # valid rows only
    identities: list[Identity] = field(default_factory=list)  # lists.identity_keys of each row
    problems: list[InvalidRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checksum: str = ""  # sha256 hex of the raw bytes
    encoding: str = ""
    delimiter: str = ""
    total_rows: int = 0  # data rows seen

    def problem(self, line: int, column: str | None, reason: str) -> None:
        self.problems.append(InvalidRow(line, column, reason))


class ProviderRowSchema(Schema):
    """One row, canonical field names -> raw text. Defaults apply where the row is blank."""

    external_id = Text()
    name = Name(required=True, error_messages={"required": "name is missing"})
    category = Category(required=True, error_messages={"required": "category is missing"})
    cak_contracted = Contracted()
    street = Text()
    house_number = Text()
    postcode = Postcode()
    city = Text()
    phone = Phone()
    website = Website()
    email = Email()
    opening_hours = Text()
    lat = Coordinate(50.6, 53.7, "latitude")
    lon = Coordinate(3.2, 7.3, "longitude")

    def __init__(
        self,
        *,
        default_category: str | None = None,
        default_contracted: bool | None = None,
        max_field_chars: int = 10_000,
    ) -> None:
        super().__init__()
        self.default_category = default_category
        self.default_contracted = default_contracted
        self.max_field_chars = max_field_chars

    @pre_load
    def apply_defaults(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = dict(data)
        for key, default in (
            ("category", self.default_category),
            ("cak_contracted", self.default_contracted),
        ):
            value = data.get(key)
            if default is not None and (value is None or str(value).strip() in ("", "-")):
                data[key] = default
        return data

    def fast_load(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        """What load() returns for a valid row, without marshmallow's per-field machinery
        (about 2 x faster); None for anything load() might reject, so load() words it."""
        if not self._field_items.keys() >= data.keys():
            return None
        data = self.apply_defaults(data)
        try:
            out = {
                name: self.load_cell(name, data.get(name, missing), data)
                for name in self._field_items
            }
        except ValidationError:
            return None
        if (out.get("lat") is None) != (out.get("lon") is None):
            return None
        return out

    def load_cell(self, name: str, value: Any, data: Mapping[str, Any] | None = None) -> Any:
        """One field's value as load() gives it (defaults already applied); may raise."""
        cell = self._field_items[name]
        if isinstance(value, str) and not cell.validators:
            return cell._deserialize(value, name, data)
        return cell.deserialize(value, name, data)

    def default(self, name: str) -> Any:
        """What apply_defaults() puts in a blank or missing cell of this field (None: nothing)."""
        return {"category": self.default_category, "cak_contracted": self.default_contracted}.get(
            name
        )

    def cell_loader(self, name: str, invalid: set[str]) -> Callable[[str], Any]:
        """load_cell for a column's cells, defaults included as apply_defaults() does them;
        a cell it rejects is added to `invalid` (its row then goes through load())."""
        fallback = self.default(name)

        def load(cell: str) -> Any:
            value = fallback if fallback is not None and cell.strip() in ("", "-") else cell
            try:
                return self.load_cell(name, value)
            except ValidationError:
                invalid.add(cell)
                return None

        return load

    def load_columns(
        self, rows: Sequence[Sequence[str]], columns: csvread.Columns
    ) -> tuple[dict[str, Sequence[Any]], set[int]]:
        """fast_load for many rows of one width, a column at a time (Text.load_column): every
        field's values, and the positions of the rows to load one by one instead (a cell
        rejected, or one coordinate without the other). Needs no unknown columns."""
        position = {name: i for i, name in columns.index.items()}
        by_position = list(zip(*rows, strict=True)) if rows else [()] * columns.width
        loaded: dict[str, Sequence[Any]] = {}  # in ProviderRowSchema's field order
        slow: set[int] = set()
        for name, cell in self._field_items.items():
            invalid: set[str] = set()
            load = self.cell_loader(name, invalid)
            if name in position:
                cells = by_position[position[name]]
                # Only Category and Contracted have defaults, and neither has plain cells
                # (Text.PLAIN): every cell of theirs goes through `load`.
                assert name not in ("category", "cak_contracted") or cell.PLAIN is None
                values = cell.load_column(name, cells, load)
                if invalid:
                    slow.update(i for i, c in enumerate(cells) if c in invalid)
            else:  # a column the file does not have: what fast_load does with a missing key
                try:
                    default = self.default(name)
                    value = self.load_cell(name, missing if default is None else default)
                except ValidationError:
                    value = None
                    slow.update(range(len(rows)))
                values = [value] * len(rows)
            loaded[name] = values
        lat, lon = loaded["lat"], loaded["lon"]
        if None in lat or None in lon:
            slow.update(
                i
                for i, (a, b) in enumerate(zip(lat, lon, strict=True))
                if (a is None) != (b is None)
            )
        return loaded, slow

    @cached_property
    def _field_items(self) -> dict[str, Any]:
        return dict(self.load_fields.items())

    @validates_schema
    def coordinates_in_pairs(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if data.get("lat") is None and data.get("lon") is not None:
            raise ValidationError("longitude given without latitude", field_name="lat")
        if data.get("lon") is None and data.get("lat") is not None:
            raise ValidationError("latitude given without longitude", field_name="lon")


# --- identity -------------------------------------------------------------------------


def identity_key(row: ProviderRow) -> str:
    """'ext:<id>' when the list gives an id, else 'npa:' name|postcode|house number, folded:
    the same place, as versions of a list match it (lists.identity_keys)."""
    ext, npa = identity_keys(row)
    return ext or npa


# --- row checking ---------------------------------------------------------------------

_ROW_FIELDS = tuple(f.name for f in fields(ProviderRow))
_PC4 = itemgetter(slice(4))  # a postcode's PC4 area
# ProviderRow's fields before and after (lat, lon, location_precision), line left out
_HEAD = attrgetter(*_ROW_FIELDS[: _ROW_FIELDS.index("lat")])
_TAIL = attrgetter(*_ROW_FIELDS[_ROW_FIELDS.index("location_precision") + 1 : -1])
assert _ROW_FIELDS[-1] == "line"
assert hasattr(ProviderRow, "__slots__") and not hasattr(ProviderRow, "__post_init__")


def _new_rows(columns: Sequence[Sequence[Any]]) -> list[ProviderRow]:
    """[ProviderRow(*values) for values in zip(*columns)], without ProviderRow.__init__: a
    frozen dataclass sets each field through object.__setattr__, half the time of an import's
    validation. The slots are filled a column at a time instead, by their descriptors."""
    rows = list(map(object.__new__, repeat(ProviderRow, len(columns[0]))))
    for name, column in zip(_ROW_FIELDS, columns, strict=True):
        deque(map(getattr(ProviderRow, name).__set__, rows, column), maxlen=0)
    return rows


def _widths(rows: Sequence[list[str] | None]) -> set[int | None]:
    """The lengths of the rows (None for a row that is None)."""
    try:
        return set(map(len, rows))  # type: ignore[arg-type]
    except TypeError:
        return {None}


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection for a while: an import makes millions of small objects
    and no cycles, and the collector would walk them all again and again (~20 % of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                # What the import made and keeps (its rows) goes straight to the oldest
                # generation, as if it had survived the young collections it skipped,
                # instead of being walked by one now (both calls just move list heads).
                # Not if something froze objects for good (directory.load_directory).
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class _RowChecker:
    """Validates rows one by one into a ParsedFile, locating them and dropping duplicates."""

    SHOWN_WARNINGS = 20

    def __init__(self, parsed: ParsedFile, locator: RowLocator, schema: ProviderRowSchema):
        self.parsed, self.locator, self.schema = parsed, locator, schema
        self.seen: dict[str, int] = {}
        # Only a locator with the real postcode table (geocode.Gazetteer) can tell that a
        # well-formed postcode does not exist; without one, nothing is claimed.
        self.checks_postcodes = bool(getattr(locator, "available", False))
        self.unknown_postcodes: list[str] = []
        # A Gazetteer places a normalised postcode by its first four characters (its PC4
        # area) alone, so one answer per area and city does for every row.
        self.by_area = type(locator) is Gazetteer
        self.placed: dict[tuple[str | None, str | None], tuple[float, float, str] | None] = {}
        self.unknown_areas: dict[str, bool] = {}

    def check(self, line: int, raw: Mapping[str, Any], columns: csvread.Columns) -> None:
        """Add the row, or its problems; `columns` names the columns in problems."""
        try:
            values = self.schema.fast_load(raw) or self.schema.load(raw)
        except ValidationError as exc:
            self._report(line, exc.normalized_messages(), columns)
            return
        lat, lon, postcode = values["lat"], values["lon"], values["postcode"]
        place = self._locate(line, lat, lon, postcode, values["city"], columns)
        if place is not None:
            lat, lon, precision = place
            values = {k: v for k, v in values.items() if k not in ("lat", "lon")}
            row = ProviderRow(lat=lat, lon=lon, location_precision=precision, line=line, **values)
            self._add(row, columns)

    def check_table(
        self,
        lines: Sequence[int],
        rows: Sequence[list[str] | None],
        errors: Mapping[int, str],
        columns: csvread.Columns,
    ) -> None:
        """check() every data record in file order; rows[i] is None where errors[i] says
        why it could not be read. Rows as wide as the header are loaded a column at a time
        first (ProviderRowSchema.load_columns); the rest, and the rows with a cell it
        rejects, go through check() one by one, so their problems are worded as before."""
        self.parsed.total_rows += len(lines)
        # A few thousand rows at a time: their cells stay in the CPU cache from one
        # column pass to the next (twice as fast as whole columns of a large file).
        for start in range(0, len(lines), self.CHUNK):
            part = slice(start, start + self.CHUNK)
            self._check_chunk(lines[part], rows[part], errors, start, columns)

    CHUNK = 2000  # 5000 measured a little slower (more of the cells fall out of the cache)

    def _check_chunk(
        self,
        lines: Sequence[int],
        rows: Sequence[list[str] | None],
        errors: Mapping[int, str],
        offset: int,
        columns: csvread.Columns,
    ) -> None:
        loaded, identities, postcodes = self._load_table(lines, rows, columns)
        if postcodes is not None and self._add_all(
            loaded,  # type: ignore[arg-type]
            identities,
            lines,
            postcodes,
            columns,
        ):
            return
        add, unknown = self._add, self._postcode_unknown
        for i, line in enumerate(lines):
            row = loaded[i]
            if row is None:
                fields = rows[i]
                if fields is None:
                    reason = errors.get(offset + i) or "cannot read this line"
                    self.parsed.problem(line, None, reason)
                elif _fits_header(self.parsed, line, fields, columns):
                    self.check(line, columns.pick(fields), columns)
                continue
            # What check() does with the values fast_load() gives for this row:
            if row.lat is None:
                place = self._locate(line, None, None, row.postcode, row.city, columns)
                if place is None:
                    continue
                row = ProviderRow(*_HEAD(row), *place, *_TAIL(row), line)
            elif row.postcode and unknown(row.postcode):
                self._warn_unknown(line, row.postcode, "its coordinates", columns)
            add(row, columns, identities[i])

    def _add_all(
        self,
        rows: list[ProviderRow],
        identities: list[Identity],
        lines: Sequence[int],
        postcodes: Sequence[str | None],
        columns: csvread.Columns,
    ) -> bool:
        """What the loop of _check_chunk does with rows that all give their coordinates
        (`postcodes`: theirs), a column at a time: False (nothing done) if some are
        duplicates (the loop words them) or the locator is asked about every row."""
        if self.checks_postcodes and not self.by_area:
            return False
        keys = [ext or npa for ext, npa in identities]  # identity_key of each row
        seen = self.seen
        if len(set(keys)) != len(keys) or not seen.keys().isdisjoint(keys):
            return False
        if self.checks_postcodes:
            areas = self.unknown_areas  # PC4 area -> unknown?, filled by _postcode_unknown
            here = set(map(_PC4, filter(None, postcodes)))
            if not areas.keys() >= here:  # areas not asked about before: ask, first row first
                for postcode in postcodes:
                    if postcode and postcode[:4] not in areas:
                        self._postcode_unknown(postcode)
            unknown = set(filter(areas.__getitem__, here))
            if unknown:
                for row in rows:
                    if row.postcode and row.postcode[:4] in unknown:
                        self._warn_unknown(row.line, row.postcode, "its coordinates", columns)
        seen.update(zip(keys, lines, strict=True))
        self.parsed.rows += rows
        self.parsed.identities += identities
        return True

    def _load_table(
        self, lines: Sequence[int], rows: Sequence[list[str] | None], columns: csvread.Columns
    ) -> tuple[list[ProviderRow | None], list[Identity], Sequence[str | None] | None]:
        """ProviderRows (location_precision 'coordinates', lat None where the row gives none)
        and their identity keys for the rows load_columns takes; None for the others. Their
        postcodes if every row was taken and gives its coordinates, else None."""
        regular: Sequence[int]
        if _widths(rows) == {columns.width}:  # every row readable and as wide as the header
            regular = range(len(rows))
        else:
            regular = [i for i, r in enumerate(rows) if r is not None and len(r) == columns.width]
        out: list[ProviderRow | None] = [None] * len(rows)
        identities: list[Identity] = [(None, "")] * len(rows)
        if not regular:
            return out, identities, None
        every = len(regular) == len(rows)
        table = rows if every else [rows[i] for i in regular]
        values, slow = self.schema.load_columns(cast(list[list[str]], table), columns)
        values["location_precision"] = ["coordinates"] * len(regular)
        values["line"] = lines if every else [lines[i] for i in regular]
        built = cast(list[ProviderRow | None], _new_rows([values[f] for f in _ROW_FIELDS]))
        found = identity_keys_of(
            values["external_id"], values["name"], values["postcode"], values["house_number"]
        )
        for j in slow:
            built[j] = None
        if len(built) == len(rows):
            located = not slow and None not in values["lat"]
            return built, found, values["postcode"] if located else None
        for j, i in enumerate(regular):
            out[i], identities[i] = built[j], found[j]
        return out, identities, None

    def _report(self, line: int, messages: Mapping[str, Any], columns: csvread.Columns) -> None:
        for name in [*csvread.FIELDS, *(k for k in messages if k not in csvread.FIELDS)]:
            found = messages.get(name, [])
            for reason in found if isinstance(found, list) else [found]:
                column = None if name == "_schema" else columns.column(name)
                self.parsed.problem(line, column, str(reason))

    def _locate(
        self,
        line: int,
        lat: float | None,
        lon: float | None,
        postcode: str | None,
        city: str | None,
        columns: csvread.Columns,
    ) -> tuple[float, float, str] | None:
        if lat is not None and lon is not None:
            if postcode and self._postcode_unknown(postcode):
                self._warn_unknown(line, postcode, "its coordinates", columns)
            return lat, lon, "coordinates"
        if postcode is None and city is None:
            self.parsed.problem(line, None, "no coordinates, postcode or city")
            return None
        found = self._locate_row(postcode, city)
        if found is None:
            column = columns.column("postcode" if postcode else "city")
            self.parsed.problem(line, column, "no coordinates and postcode/city not found")
        elif postcode and found[2] == "place" and self.checks_postcodes:
            self._warn_unknown(line, postcode, "its city", columns)
        return found

    def _locate_row(
        self, postcode: str | None, city: str | None
    ) -> tuple[float, float, str] | None:
        """locator.locate_row (None if it fails), asked once per PC4 area and city if the
        locator is a Gazetteer."""
        key = (postcode and postcode[:4], city)
        if self.by_area and key in self.placed:
            return self.placed[key]
        try:
            found = self.locator.locate_row(postcode, city)
        except LocationError:
            found = None
        if self.by_area:
            self.placed[key] = found
        return found

    def _postcode_unknown(self, postcode: str) -> bool:
        if not self.checks_postcodes:
            return False
        if not self.by_area:
            return self._locate_row(postcode, None) is None
        unknown = self.unknown_areas.get(postcode[:4])
        if unknown is None:
            unknown = self.unknown_areas[postcode[:4]] = self._locate_row(postcode, None) is None
        return unknown

    def _warn_unknown(
        self, line: int, postcode: str, placed_by: str, columns: csvread.Columns
    ) -> None:
        """A postcode the table does not know is probably a typo: import, but say so."""
        self.unknown_postcodes.append(
            f"line {line}, column {columns.column('postcode')!r}: postcode {postcode!r} is not "
            f"in the postcode table; placed by {placed_by} (check the postcode)"
        )

    def finish(self) -> None:
        """Add the gathered warnings to the ParsedFile (a bounded number, then a count)."""
        found = self.unknown_postcodes
        self.parsed.warnings += found[: self.SHOWN_WARNINGS]
        if len(found) > self.SHOWN_WARNINGS:
            self.parsed.warnings.append(
                f"and {len(found) - self.SHOWN_WARNINGS} more rows whose postcode is not "
                "in the postcode table"
            )

    def _add(
        self, row: ProviderRow, columns: csvread.Columns, identity: Identity | None = None
    ) -> None:
        """Keep the row unless it is a duplicate; `identity`: its identity_keys if known."""
        identity = identity or identity_keys(row)
        key = identity[0] or identity[1]  # identity_key(row)
        if key not in self.seen:
            self.seen[key] = row.line
            self.parsed.rows.append(row)
            self.parsed.identities.append(identity)
            return
        by_id = key.startswith("ext:")
        same = "same external id" if by_id else "same name, postcode and house number"
        column = columns.column("external_id" if by_id else "name")
        self.parsed.problem(row.line, column, f"duplicate of line {self.seen[key]} ({same})")


def _check_defaults(parsed: ParsedFile, default_category: str | None) -> str | None:
    if default_category is None:
        return None
    code = category_code(default_category)
    if code is None:
        parsed.problem(
            1,
            None,
            f"unknown category {show(default_category)} given with "
            f"--category (use one of: {', '.join(CATEGORIES)})",
        )
    return code


# --- entry points ---------------------------------------------------------------------


def read_provider_file(
    data: bytes,
    *,
    locator: RowLocator,
    default_category: str | None = None,
    default_contracted: bool | None = None,
    column_map: Mapping[str, str] | None = None,
    max_field_chars: int = 10_000,
) -> ParsedFile:
    """Read a CSV export (',', ';' or tab; UTF-8/16, Windows-1252). Never raises on bad data."""
    parsed = ParsedFile(checksum=hashlib.sha256(data).hexdigest())
    decoded = csvread.decode(data)
    parsed.encoding = decoded.encoding
    parsed.warnings += [decoded.warning] if decoded.warning else []
    if decoded.text is None:
        parsed.problem(1, None, csvread.NOT_TEXT)
        return parsed
    if not decoded.text.strip():
        parsed.problem(1, None, "file is empty")
        return parsed
    text = decoded.text
    parsed.delimiter = csvread.detect_delimiter(text)
    options = (locator, default_category, default_contracted, column_map, max_field_chars)
    # Records of one line each are read and checked a chunk at a time, while their cells
    # are still in the CPU cache; if one spans lines (or cannot be read), the whole file
    # is read again the slow way, on a fresh ParsedFile.
    chunks: Iterator[Chunk] = (
        (lines, rows, {})
        for lines, rows in csvread.record_chunks(text, parsed.delimiter, _RowChecker.CHUNK)
    )
    try:
        fresh = replace(parsed, rows=[], identities=[], problems=[], warnings=[*parsed.warnings])
        return _read_records(fresh, chunks, *options)
    except csvread.SpansLines:
        pass
    return _read_records(parsed, iter([_slow_records(text, parsed.delimiter)]), *options)


Chunk = tuple[list[int], Sequence[list[str] | None], dict[int, str]]


def _read_records(
    parsed: ParsedFile,
    chunks: Iterator[Chunk],
    locator: RowLocator,
    default_category: str | None,
    default_contracted: bool | None,
    column_map: Mapping[str, str] | None,
    max_field_chars: int,
) -> ParsedFile:
    """The rest of read_provider_file, given its records in chunks: start lines, fields of
    the non-blank records (None where errors[i] says why the record cannot be read)."""
    lines, rows, errors = next((c for c in chunks if c[0]), ([], [], {}))
    if not lines:  # only delimiters and whitespace
        parsed.problem(1, None, "file is empty")
        return parsed
    header = rows[0]
    if header is None:
        parsed.problem(lines[0], None, f"cannot read the header: {errors.get(0)}")
        return parsed
    columns = _header_columns(parsed, lines[0], header, column_map, default_category)
    category = _check_defaults(parsed, default_category)
    if parsed.problems:
        return parsed
    schema = ProviderRowSchema(
        default_category=category,
        default_contracted=default_contracted,
        max_field_chars=max_field_chars,
    )
    checker = _RowChecker(parsed, locator, schema)
    with gc_paused():
        checker.check_table(lines[1:], rows[1:], {i - 1: e for i, e in errors.items()}, columns)
        for more_lines, more_rows, more_errors in chunks:
            checker.check_table(more_lines, more_rows, more_errors, columns)
    checker.finish()
    if parsed.total_rows == 0:
        parsed.problem(lines[0] + 1, None, "no data rows")
    return parsed


def _slow_records(text: str, delimiter: str) -> Chunk:
    """All records by csvread.iter_records, for files with records that span lines."""
    lines: list[int] = []
    rows: list[list[str] | None] = []
    errors: dict[int, str] = {}
    for record in csvread.iter_records(text, delimiter):
        if record.fields is None:
            errors[len(rows)] = record.error or "cannot read this line"
        lines.append(record.line)
        rows.append(record.fields)
    return lines, rows, errors


def _header_columns(
    parsed: ParsedFile,
    line: int,
    header: list[str],
    column_map: Mapping[str, str] | None,
    default_category: str | None,
) -> csvread.Columns:
    columns = csvread.map_columns(header, column_map, line=line)
    parsed.problems += columns.problems
    parsed.warnings += columns.warnings
    if "name" not in columns.header and not columns.problems:
        parsed.problem(line, "name", "no name column (expected a column 'naam' or 'name')")
    if "category" not in columns.header and default_category is None:
        parsed.problem(line, "category", "no category column and no --category given")
    return columns


def _fits_header(
    parsed: ParsedFile, line: int, values: list[str], columns: csvread.Columns
) -> bool:
    if any(v.strip() for v in values[columns.width :]):
        parsed.problem(
            line,
            None,
            f"this row has {len(values)} values but the header "
            f"has {columns.width} columns (unquoted {parsed.delimiter!r} in a value?)",
        )
        return False
    other = [d for d in ("\t", ";", ",") if d != parsed.delimiter and d in values[0]]
    if len(values) == 1 and columns.width > 1 and other:
        parsed.problem(
            line,
            None,
            f"this row has 1 value but the header has {columns.width} columns: is it "
            f"separated by {other[0]!r} instead of {parsed.delimiter!r} like the header?",
        )
        return False
    return True


def read_provider_records(
    records: Sequence[Mapping[str, object]],
    *,
    locator: RowLocator,
    default_category: str | None = None,
    default_contracted: bool | None = None,
    max_field_chars: int = 10_000,
) -> ParsedFile:
    """JSON rows, validated like CSV rows (keys as headers); record i is reported as line i + 2."""
    dump = json.dumps(list(records), ensure_ascii=False, default=str)
    parsed = ParsedFile(checksum=hashlib.sha256(dump.encode()).hexdigest(), encoding="json")
    category = _check_defaults(parsed, default_category)
    if parsed.problems:
        return parsed
    schema = ProviderRowSchema(
        default_category=category,
        default_contracted=default_contracted,
        max_field_chars=max_field_chars,
    )
    checker = _RowChecker(parsed, locator, schema)
    keys = _RecordKeys()
    for line, record in enumerate(records, start=2):
        parsed.total_rows += 1
        if not isinstance(record, Mapping):
            parsed.problem(line, None, "not an object")
            continue
        columns = keys.columns(record)
        raw = _record_values(parsed, line, record, columns)
        if raw is not None:
            checker.check(line, raw, columns)
    checker.finish()
    parsed.warnings += keys.warnings()
    if parsed.total_rows == 0:
        parsed.problem(2, None, "no data rows")
    return parsed


class _RecordKeys:
    """Header mapping per distinct key set of JSON records; warnings gathered once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, ...], csvread.Columns] = {}

    def columns(self, record: Mapping[Any, object]) -> csvread.Columns:
        keys = tuple(str(k) for k in record)
        if keys not in self.cache:
            self.cache[keys] = csvread.map_columns(keys)
        return self.cache[keys]

    def warnings(self) -> list[str]:
        unknown = dict.fromkeys(n for c in self.cache.values() for n in c.unknown)
        other = dict.fromkeys(
            w
            for c in self.cache.values()
            for w in c.warnings
            if not w.startswith("ignored extra columns:")
        )
        return list(other) + ([csvread.unknown_warning(list(unknown))] if unknown else [])


def _record_values(
    parsed: ParsedFile, line: int, record: Mapping[Any, object], columns: csvread.Columns
) -> dict[str, str] | None:
    raw: dict[str, str] = {}
    for position, value in enumerate(record.values()):
        name = columns.index.get(position)
        if name is None or value is None:
            continue
        if isinstance(value, bool):
            raw[name] = "true" if value else "false"
        elif isinstance(value, int | float):
            raw[name] = repr(value)
        elif isinstance(value, str):
            raw[name] = value
        else:
            parsed.problem(line, columns.column(name), "must be text, a number or true/false")
            return None
    return raw


# --- report ---------------------------------------------------------------------------


def format_report(parsed: ParsedFile, *, skipped: bool = False) -> str:
    """Human-readable import report for the CLI: a summary, warnings, one line per problem."""
    delimiter = {"\t": "tab", "": "none"}.get(parsed.delimiter, repr(parsed.delimiter))
    lines = [
        f"{parsed.total_rows} data rows read (encoding {parsed.encoding or 'unknown'}, "
        f"delimiter {delimiter}): {len(parsed.rows)} valid, {len(parsed.problems)} "
        + ("problem" if len(parsed.problems) == 1 else "problems")
    ]
    if skipped:
        lines.insert(
            0, f"unchanged since the last import (sha256 {parsed.checksum[:12]}…): nothing imported"
        )
    lines += [f"warning: {w}" for w in parsed.warnings]
    lines += [str(p) for p in parsed.problems]
    return "\n".join(lines)
