"""The fast path beside records.iter_records: records of one line each, read a chunk at a
time (one csv.reader pass per chunk, or str.split for lines without quotes), while every
record is one line; SpansLines where one is not, and the file is read by iter_records.

It must give what iter_records gives (start lines and fields of the non-blank records):
tests/imports/test_import_columns.py holds the two equal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice, repeat
from operator import itemgetter


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
