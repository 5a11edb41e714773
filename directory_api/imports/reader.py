"""Reading a provider list, start to end: a CSV export (read_provider_file: decode,
delimiter, records, header, rows) or JSON records (read_provider_records), into a
ParsedFile of valid rows and every problem. No Flask, no SQL; never raises on bad data.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from directory_api.imports import decoding
from directory_api.imports.cells import category_code, show
from directory_api.imports.columns import ColumnChecker
from directory_api.imports.headers import Columns, map_columns, unknown_warning
from directory_api.imports.record_chunks import SpansLines, record_chunks
from directory_api.imports.records import detect_delimiter, iter_records
from directory_api.imports.report import MAX_PROBLEMS, ParsedFile
from directory_api.imports.rows import ProviderRowSchema, RowLocator
from directory_api.models import CATEGORIES


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
            # What the import made and keeps (its rows) goes straight to the oldest
            # generation, as if it had survived the young collections it skipped, instead
            # of being walked by them now (~0.15 s per 100k rows). Both calls just move list
            # heads: the frozen heap is never walked (gc.get_freeze_count() would walk it).
            # Objects frozen before (a serving worker's) go to the oldest generation too: a
            # worker that freezes its heap should freeze it again once it has built its
            # next index (an import makes it build one).
            gc.freeze()
            gc.unfreeze()
            gc.enable()


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


def read_provider_file(
    data: bytes,
    *,
    locator: RowLocator,
    default_category: str | None = None,
    default_contracted: bool | None = None,
    column_map: Mapping[str, str] | None = None,
    max_field_chars: int = 10_000,
    max_problems: int = MAX_PROBLEMS,
    check_all: bool = True,
) -> ParsedFile:
    """Read a CSV export (',', ';' or tab; UTF-8/16, Windows-1252). Never raises on bad data.
    The first `max_problems` problems are kept in detail, the others counted; without
    check_all the rows after them are not checked (report.py)."""
    parsed = ParsedFile(
        checksum=hashlib.sha256(data).hexdigest(), max_problems=max_problems, check_all=check_all
    )
    decoded = decoding.decode(data)
    parsed.encoding = decoded.encoding
    parsed.warnings += [decoded.warning] if decoded.warning else []
    if decoded.text is None:
        parsed.problem(1, None, decoding.NOT_TEXT)
        return parsed
    if not decoded.text.strip():
        parsed.problem(1, None, "file is empty")
        return parsed
    text = decoded.text
    if "\x00" in text:
        kept = _drop_nul_lines(parsed, text)
        if kept is None:
            return parsed
        text = kept
    parsed.delimiter = detect_delimiter(text)
    options = (locator, default_category, default_contracted, column_map, max_field_chars)
    # Records of one line each are read and checked a chunk at a time, while their cells
    # are still in the CPU cache; if one spans lines (or cannot be read), the whole file
    # is read again the slow way, on a fresh ParsedFile.
    chunks: Iterator[Chunk] = (
        (lines, rows, {})
        for lines, rows in record_chunks(text, parsed.delimiter, ColumnChecker.CHUNK)
    )
    try:
        fresh = replace(
            parsed,
            rows=[],
            keys=[],
            problems=[*parsed.problems],
            warnings=[*parsed.warnings],
            problem_counts=Counter(parsed.problem_counts),
        )
        return _read_records(fresh, chunks, *options)
    except SpansLines:
        pass
    return _read_records(parsed, iter([_slow_records(text, parsed.delimiter)]), *options)


def _drop_nul_lines(parsed: ParsedFile, text: str) -> str | None:
    """The text with every line that holds a NUL byte blanked, each a problem naming its
    line (a NUL is no character of any list); None if the header holds one."""
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            parsed.problem(number, None, "holds a NUL byte (U+0000): the line was not read")
            lines[number - 1] = ""
    header = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header is None or parsed.problems[0].line <= header + 1:
        return None  # the header (or all there is) was blanked
    return "\n".join(lines)


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
    before = parsed.problem_total  # the lines with a NUL
    columns = _header_columns(parsed, lines[0], header, column_map, default_category)
    category = _check_defaults(parsed, default_category)
    if parsed.problem_total > before:
        return parsed
    schema = ProviderRowSchema(
        default_category=category,
        default_contracted=default_contracted,
        max_field_chars=max_field_chars,
    )
    checker = ColumnChecker(parsed, locator, schema)
    with gc_paused():
        checker.check_table(lines[1:], rows[1:], {i - 1: e for i, e in errors.items()}, columns)
        for more_lines, more_rows, more_errors in chunks:
            if parsed.done:  # the report is full and the file rejected: count the rows
                parsed.total_rows += len(more_lines)
                parsed.unchecked_rows += len(more_lines)
                continue
            checker.check_table(more_lines, more_rows, more_errors, columns)
    checker.finish()
    if parsed.total_rows == 0:
        parsed.problem(lines[0] + 1, None, "no data rows")
    return parsed


def _slow_records(text: str, delimiter: str) -> Chunk:
    """All records by records.iter_records, for files with records that span lines."""
    lines: list[int] = []
    rows: list[list[str] | None] = []
    errors: dict[int, str] = {}
    for record in iter_records(text, delimiter):
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
) -> Columns:
    columns = map_columns(header, column_map, line=line)
    parsed.problems += columns.problems
    parsed.warnings += columns.warnings
    if "name" not in columns.header and not columns.problems:
        parsed.problem(line, "name", "no name column (expected a column 'naam' or 'name')")
    if "category" not in columns.header and default_category is None:
        parsed.problem(line, "category", "no category column and no --category given")
    return columns


def read_provider_records(
    records: Sequence[Mapping[str, object]],
    *,
    locator: RowLocator,
    default_category: str | None = None,
    default_contracted: bool | None = None,
    max_field_chars: int = 10_000,
    max_problems: int = MAX_PROBLEMS,
    check_all: bool = True,
) -> ParsedFile:
    """JSON rows, validated like CSV rows (keys as headers); record i is reported as line i + 2."""
    dump = json.dumps(list(records), ensure_ascii=False, default=str)
    parsed = ParsedFile(
        checksum=hashlib.sha256(dump.encode()).hexdigest(),
        encoding="json",
        max_problems=max_problems,
        check_all=check_all,
    )
    category = _check_defaults(parsed, default_category)
    if parsed.problems:
        return parsed
    schema = ProviderRowSchema(
        default_category=category,
        default_contracted=default_contracted,
        max_field_chars=max_field_chars,
    )
    checker = ColumnChecker(parsed, locator, schema)
    keys = _RecordKeys()
    for line, record in enumerate(records, start=2):
        parsed.total_rows += 1
        if parsed.done:
            parsed.unchecked_rows += 1
            continue
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
        self.cache: dict[tuple[str, ...], Columns] = {}

    def columns(self, record: Mapping[Any, object]) -> Columns:
        keys = tuple(str(k) for k in record)
        if keys not in self.cache:
            self.cache[keys] = map_columns(keys)
        return self.cache[keys]

    def warnings(self) -> list[str]:
        unknown = dict.fromkeys(n for c in self.cache.values() for n in c.unknown)
        other = dict.fromkeys(
            w
            for c in self.cache.values()
            for w in c.warnings
            if not w.startswith("ignored extra columns:")
        )
        return list(other) + ([unknown_warning(list(unknown))] if unknown else [])


def _record_values(
    parsed: ParsedFile, line: int, record: Mapping[Any, object], columns: Columns
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
