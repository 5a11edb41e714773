"""The columnar fast path beside rows.py, which it must equal: rows of one width loaded a
column at a time (one regular expression over a column's plain cells, each other distinct
cell parsed once), ProviderRows built a column at a time, and whole chunks of new rows that
give their coordinates added at once; a row with anything unusual goes through
RowChecker.check as before, so every problem is worded by rows.py.

fast_load, load_columns, load_column and ColumnChecker must give what
ProviderRowSchema.load, Text._deserialize and rows.RowChecker give: the property tests in
tests/imports/test_import_columns.py hold each pair equal on mostly valid input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any, cast

from marshmallow import ValidationError, missing

from directory_api.imports.cells import Name, Text
from directory_api.imports.headers import Columns
from directory_api.imports.rows import ProviderRowSchema, RowChecker, fits_header
from directory_api.models import ProviderRow
from directory_api.versions.identity_fast import identity_key_of

# --- a row without marshmallow's machinery --------------------------------------------


def fast_load(schema: ProviderRowSchema, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """What schema.load() returns for a valid row, without marshmallow's per-field machinery
    (about 2 x faster); None for anything load() might reject, so load() words it."""
    items = schema.field_items
    if not items.keys() >= data.keys():
        return None
    data = schema.apply_defaults(data)
    try:
        out = {name: load_cell(schema, name, data.get(name, missing), data) for name in items}
    except ValidationError:
        return None
    if (out.get("lat") is None) != (out.get("lon") is None):
        return None
    return out


def load_cell(
    schema: ProviderRowSchema, name: str, value: Any, data: Mapping[str, Any] | None = None
) -> Any:
    """One field's value as load() gives it (defaults already applied); may raise."""
    cell = schema.field_items[name]
    if isinstance(value, str) and not cell.validators:
        return cell._deserialize(value, name, data)
    return cell.deserialize(value, name, data)


def cell_loader(schema: ProviderRowSchema, name: str, invalid: set[str]) -> Callable[[str], Any]:
    """load_cell for a column's cells, defaults included as apply_defaults() does them;
    a cell it rejects is added to `invalid` (its row then goes through load())."""
    fallback = schema.default(name)

    def load(cell: str) -> Any:
        value = fallback if fallback is not None and cell.strip() in ("", "-") else cell
        try:
            return load_cell(schema, name, value)
        except ValidationError:
            invalid.add(cell)
            return None

    return load


# --- a column at a time ----------------------------------------------------------------


def load_columns(
    schema: ProviderRowSchema,
    rows: Sequence[Sequence[str]],
    columns: Columns,
    rejected: dict[str, set[str]] | None = None,
) -> tuple[dict[str, Sequence[Any]], set[int]]:
    """fast_load for many rows of one width, a column at a time (load_column): every
    field's values, and the positions of the rows to load one by one instead (a cell
    rejected, or one coordinate without the other). Needs no unknown columns.
    `rejected` (if given) gets the cells rejected, per field."""
    position = {name: i for i, name in columns.index.items()}
    by_position = list(zip(*rows, strict=True)) if rows else [()] * columns.width
    loaded: dict[str, Sequence[Any]] = {}  # in ProviderRowSchema's field order
    slow: set[int] = set()
    for name, cell in schema.field_items.items():
        invalid: set[str] = set()
        load = cell_loader(schema, name, invalid)
        if name in position:
            cells = by_position[position[name]]
            # Only Category and Contracted have defaults, and neither has plain cells
            # (Text.PLAIN): every cell of theirs goes through `load`.
            assert name not in ("category", "cak_contracted") or cell.PLAIN is None
            values = load_column(cell, name, cells, load)
            if invalid:
                slow.update(i for i, c in enumerate(cells) if c in invalid)
                if rejected is not None:
                    rejected[name] = invalid
        else:  # a column the file does not have: what fast_load does with a missing key
            try:
                default = schema.default(name)
                value = load_cell(schema, name, missing if default is None else default)
            except ValidationError:
                value = None
                slow.update(range(len(rows)))
            values = [value] * len(rows)
        loaded[name] = values
    lat, lon = loaded["lat"], loaded["lon"]
    if None in lat or None in lon:
        slow.update(
            i for i, (a, b) in enumerate(zip(lat, lon, strict=True)) if (a is None) != (b is None)
        )
    return loaded, slow


# Most cells of a list are "plain", values that Text._deserialize would return unchanged or
# convert trivially. One regular expression per field kind (Text.PLAIN) recognises them,
# matched once over the column's cells joined by "\x00" (which no decoded file contains:
# decoding.decode() takes such bytes for binary). Every other cell goes through
# _deserialize as before, so values and error messages are the same.


def load_column(
    field: Text, attr: str, cells: Sequence[str], slow: Callable[[str], Any]
) -> Sequence[Any]:
    """The value of every cell in a column: field.plain_column() for plain cells, else
    slow(cell) (the caller's _deserialize, which turns a ValidationError into a marker)."""
    memo = _Memo(slow)
    if field.PLAIN is None:
        return list(map(memo.__getitem__, cells))
    longest = field.longest(attr)
    one, every = _plain_patterns(field.PLAIN, longest)
    joined = "\x00".join(cells)
    if joined.count("\x00") == len(cells) - 1 and (
        _plain_ascii_text(field.PLAIN, cells, joined, longest)
        or (every.fullmatch(joined) and _nfc(joined))
    ):
        values = field.plain_column(cells, joined)
        if values is not None:
            return values
    return [_load_cell(field, cell, one, memo) for cell in cells]


# What Text.PLAIN and Name.PLAIN mean for printable ASCII (the usual name, street or city
# column): no space, formula character or apostrophe first, no space last, the length.
_FIRST_NOT = (" ", "=", "+", "-", "@", "'")
_TEXT_KINDS = {Text.PLAIN: True, Name.PLAIN: False}  # PLAIN -> may a cell be empty?
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
_FIRST = itemgetter(slice(1))  # a cell's first character ("" for an empty cell)


def _plain_ascii_text(plain: str, cells: Sequence[str], joined: str, longest: int) -> bool:
    """True only if `plain` (Text's or Name's) matches every cell, found with string methods
    instead of the expression: every character printable ASCII, so none is whitespace but
    the space or one text.FORBIDDEN holds, and NFC; False: ask the expression. `joined`: the
    cells joined by "\x00", none holding one. Each test is one pass in C over the column or
    its first characters: deleting the printable characters leaves the separators only, and
    a one-character `in` is a memchr (searching a two-character string is ten times slower)."""
    empty_ok = _TEXT_KINDS.get(plain)
    if empty_ok is None or not cells or not joined.isascii():
        return False
    firsts = "".join(map(_FIRST, cells))
    return (
        len(joined.encode("ascii").translate(None, _PRINTABLE_ASCII)) == len(cells) - 1
        and not any(map(firsts.__contains__, _FIRST_NOT))
        and not joined.endswith(" ")
        and (" " not in joined or " \x00" not in joined)
        and (empty_ok or all(cells))
        and max(map(len, cells)) <= longest
    )


def _load_cell(field: Text, cell: str, plain: re.Pattern[str], memo: Mapping[str, Any]) -> Any:
    if plain.fullmatch(cell) and _nfc(cell):
        values = field.plain_column([cell], cell)
        if values is not None:
            return values[0]
    return memo[cell]


def _nfc(text: str) -> bool:
    """Is the text NFC already? (cells.clean_text normalises the others: the slow way)"""
    return text.isascii() or unicodedata.is_normalized("NFC", text)


@lru_cache(maxsize=32)
def _plain_patterns(plain: str, longest: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(one cell, a whole "\x00"-joined column), both for cells of at most `longest`
    characters; atomic groups never backtrack across cells."""
    cell = rf"(?=[^\x00]{{0,{longest}}}(?![^\x00]))(?>{plain})"
    return re.compile(cell), re.compile(rf"{cell}(?:\x00{cell})*")


class _Memo(dict[str, Any]):
    """load(cell) computed once per distinct cell."""

    def __init__(self, load: Callable[[str], Any]) -> None:
        super().__init__()
        self.load = load

    def __missing__(self, cell: str) -> Any:
        value = self[cell] = self.load(cell)
        return value


# --- ProviderRows a column at a time ----------------------------------------------------

_ROW_FIELDS = ProviderRow._fields
_PC4 = itemgetter(slice(4))  # a postcode's PC4 area
# ProviderRow's fields before and after (lat, lon, location_precision), line left out
_HEAD = itemgetter(slice(_ROW_FIELDS.index("lat")))
_TAIL = itemgetter(slice(_ROW_FIELDS.index("location_precision") + 1, -1))
assert _ROW_FIELDS[-1] == "line"


def _new_rows(columns: Sequence[Sequence[Any]]) -> list[ProviderRow]:
    """[ProviderRow(*values) for values in zip(*columns)], without ProviderRow.__new__'s
    Python frame per row: each row is made from its values by tuple.__new__, as
    ProviderRow._make does it (a column for every field, in ProviderRow's order)."""
    if len(columns) != len(_ROW_FIELDS):
        raise ValueError(f"{len(columns)} columns for {len(_ROW_FIELDS)} fields")
    return list(map(tuple.__new__, repeat(ProviderRow), zip(*columns, strict=True)))


def _widths(rows: Sequence[list[str] | None]) -> set[int | None]:
    """The lengths of the rows (None for a row that is None)."""
    try:
        return set(map(len, rows))  # type: ignore[arg-type]
    except TypeError:
        return {None}


class ColumnChecker(RowChecker):
    """RowChecker with the fast paths: rows loaded by fast_load, tables of rows a column at
    a time (check_table). It must give the ParsedFile RowChecker gives, row by row."""

    CHUNK = 2000  # 5000 measured a little slower (more of the cells fall out of the cache)

    def load_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return fast_load(self.schema, raw) or super().load_row(raw)

    def check_table(
        self,
        lines: Sequence[int],
        rows: Sequence[list[str] | None],
        errors: Mapping[int, str],
        columns: Columns,
    ) -> None:
        """check() every data record in file order; rows[i] is None where errors[i] says
        why it could not be read. Rows as wide as the header are loaded a column at a time
        first (load_columns); the rest, and the rows with a cell it
        rejects, go through check() one by one, so their problems are worded as before."""
        self.parsed.total_rows += len(lines)
        # A few thousand rows at a time: their cells stay in the CPU cache from one
        # column pass to the next (twice as fast as whole columns of a large file).
        for start in range(0, len(lines), self.CHUNK):
            part = slice(start, start + self.CHUNK)
            self._check_chunk(lines[part], rows[part], errors, start, columns)

    def _check_chunk(
        self,
        lines: Sequence[int],
        rows: Sequence[list[str] | None],
        errors: Mapping[int, str],
        offset: int,
        columns: Columns,
    ) -> None:
        loaded, keys, postcodes = self._load_table(lines, rows, columns)
        if postcodes is not None and self._add_all(
            loaded,  # type: ignore[arg-type]
            keys,
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
                elif fits_header(self.parsed, line, fields, columns):
                    if not (self.parsed.full and self._count_rejected(fields, columns)):
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
            add(row, columns, keys[i])

    def _count_rejected(self, fields: Sequence[str], columns: Columns) -> bool:
        """Count a problem per cell of the row that load_columns rejected (the same cell
        gives the same problem wherever it is) without wording it; False if none was."""
        rejected, found = self.rejected, False
        for position, name in columns.index.items():
            if position < len(fields) and fields[position] in rejected.get(name, ()):
                self.parsed.count(columns.column(name))
                found = True
        return found

    def _add_all(
        self,
        rows: list[ProviderRow],
        keys: list[str],
        lines: Sequence[int],
        postcodes: Sequence[str | None],
        columns: Columns,
    ) -> bool:
        """What the loop of _check_chunk does with rows that all give their coordinates
        (`postcodes`: theirs), a column at a time: False (nothing done) if some are
        duplicates (the loop words them) or the locator is asked about every row."""
        if self.checks_postcodes and not self.by_area:
            return False
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
        self.parsed.keys += keys
        return True

    def _load_table(
        self, lines: Sequence[int], rows: Sequence[list[str] | None], columns: Columns
    ) -> tuple[list[ProviderRow | None], list[str], Sequence[str | None] | None]:
        """ProviderRows (location_precision 'coordinates', lat None where the row gives none)
        and their identity_key for the rows load_columns takes; None and "" for the others. Their
        postcodes if every row was taken and gives its coordinates, else None."""
        regular: Sequence[int]
        if _widths(rows) == {columns.width}:  # every row readable and as wide as the header
            regular = range(len(rows))
        else:
            regular = [i for i, r in enumerate(rows) if r is not None and len(r) == columns.width]
        out: list[ProviderRow | None] = [None] * len(rows)
        keys = [""] * len(rows)
        if not regular:
            return out, keys, None
        every = len(regular) == len(rows)
        table = rows if every else [rows[i] for i in regular]
        self.rejected: dict[str, set[str]] = {}
        table = cast(list[list[str]], table)
        values, slow = load_columns(self.schema, table, columns, self.rejected)
        values["location_precision"] = ["coordinates"] * len(regular)
        values["line"] = lines if every else [lines[i] for i in regular]
        built = cast(list[ProviderRow | None], _new_rows([values[f] for f in _ROW_FIELDS]))
        found = identity_key_of(
            values["external_id"], values["name"], values["postcode"], values["house_number"]
        )
        for j in slow:
            built[j] = None
        if len(built) == len(rows):
            located = not slow and None not in values["lat"]
            return built, found, values["postcode"] if located else None
        for j, i in enumerate(regular):
            out[i], keys[i] = built[j], found[j]
        return out, keys, None
