"""The directory as CSV (GET /v1/providers.csv, `directory-api export --format csv`).

The header names are the import's own (models.PROVIDER_FIELDS: the field name is one of each
field's header names), so an export imports again to the same providers: same fields, and,
imported under the same source name, the same ids. The columns the import does not read
come after them: `provider_id`, `location_precision`, `source`, `source_version`,
`source_list_date` and `example` (true when the list is invented example data, never a real
list).

`lat`/`lon` hold the coordinates a list gave (location_precision `coordinates`); a place the
import located from its postcode or city leaves them empty, so that importing the export
locates it the same way again (the GeoJSON export has every point).

A text cell that a spreadsheet would run as a formula (=, +, -, @, a tab or CR first: the
import's `looks_like_formula`) is written with a `'` before it, which spreadsheets take as
"text"; the import removes that one `'` again. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any

from directory_api.models import PROVIDER_FIELDS, Provider

EXPORTED = tuple(f for f in PROVIDER_FIELDS if f.headers)  # the fields the import reads
EXTRA = ("location_precision", "source", "source_version", "source_list_date", "example")
HEADER: tuple[str, ...] = ("provider_id", *(f.name for f in EXPORTED), *EXTRA)
MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_FIRST = frozenset("=+-@\t\r")
_BOOL = {True: "true", False: "false", None: ""}


def neutralise(value: str | None) -> str:
    """'' for None; a `'` before a value a spreadsheet would run as a formula."""
    if not value:
        return ""
    return "'" + value if value[0] in _FORMULA_FIRST else value


def _row_maker() -> Any:
    """A function Provider -> the CSV row, built once from the field declarations. csv.writer
    writes None as an empty cell, a date as YYYY-MM-DD and a float as its repr."""
    names = ("id", *(f.name for f in EXPORTED), "location_precision", "source")
    get = attrgetter(*names, "source_version", "source_list_date")
    texts = [i for i, f in enumerate(EXPORTED, 1) if f.type is str] + [len(names) - 1]
    flags = [i for i, f in enumerate(EXPORTED, 1) if f.type is bool]
    numbers = [i for i, f in enumerate(EXPORTED, 1) if f.type is float]
    precision = len(names) - 2
    formula = _FORMULA_FIRST

    def row(p: Provider) -> list[Any]:
        out = list(get(p))
        for i in texts:
            value = out[i]
            if value and value[0] in formula:
                out[i] = "'" + value
        for i in flags:
            out[i] = _BOOL[out[i]]
        if out[precision] != "coordinates":  # placed by postcode or city: the import again
            for i in numbers:
                out[i] = None
        out.append("true" if getattr(p, "example", False) else "false")
        return out

    return row


provider_row = _row_maker()


def stream_csv(providers: Iterable[Provider], chunk: int = 2000) -> Iterator[bytes]:
    """The header, then the rows, in UTF-8 pieces of about `chunk` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows: list[list[Any]] = []
    for p in providers:
        rows.append(provider_row(p))
        if len(rows) >= chunk:
            writer.writerows(rows)
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            rows = []
    writer.writerows(rows)
    yield buffer.getvalue().encode("utf-8")


def export_pieces(directory: Any, fmt: str) -> Iterator[bytes]:
    """The whole directory as `fmt` ("csv" or "geojson"), in pieces (for the CLI's export)."""
    from directory_api.web.geojson import stream_providers_geojson

    if fmt == "csv":
        return stream_csv(directory.providers)
    members = {"total": len(directory.providers), "data_version": directory.data_version}
    everyone = range(len(directory.providers))
    return stream_providers_geojson(directory, everyone, members, keep=False)
