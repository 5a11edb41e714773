"""Text to records: the delimiter, and csv.reader's records with the line each starts on.

iter_records is the reference reader, for any file; record_chunks.py is the fast path for
the usual file whose records are one line each, and must give what iter_records gives.
A record that cannot be read is a Record with an error, never an exception.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass


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


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "unterminated quoted field: a '\"' opened here is never closed"
    if "expected after" in message:
        return "text after a closing quote (a quote inside a quoted value must be doubled)"
    return f"cannot read this line as CSV ({message})"
