"""The columnar fast path (imports/columns.py) and the record chunks (record_chunks.py) give
what the reference paths beside them give (rows.py, records.iter_records).

Each property draws mostly valid input: cells from pools of valid values (VALID), an
awkward cell now and then (SAMPLES and random text), and counts with hypothesis.event how
many examples compared equal on valid rows (pytest --hypothesis-show-statistics shows it).
"""

from __future__ import annotations

import csv
import hashlib
import io

import marshmallow as ma
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from directory_api.geo.gazetteer import Gazetteer
from directory_api.imports import decoding
from directory_api.imports.cells import Name, Text
from directory_api.imports.columns import (
    ColumnChecker,
    _plain_ascii_text,
    _plain_patterns,
    cell_loader,
    fast_load,
    load_column,
    load_columns,
)
from directory_api.imports.headers import map_columns
from directory_api.imports.reader import _header_columns, read_provider_file
from directory_api.imports.records import detect_delimiter, iter_records
from directory_api.imports.report import ParsedFile
from directory_api.imports.rows import ProviderRowSchema, RowChecker, fits_header
from directory_api.versions import identity
from tests.imports.helpers import (
    FIELDS,
    cells,
    header_fields,
    how_many,
    mostly_valid,
    one_in_ten,
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header of canonical field names and rows exactly as wide, mostly valid."""
    header = draw(header_fields())
    rows = draw(st.lists(st.tuples(*map(mostly_valid, header)).map(list), max_size=8))
    return header, rows


schemas = st.builds(
    ProviderRowSchema,
    default_category=st.sampled_from([None, "pharmacy"]),
    default_contracted=st.sampled_from([None, True, False]),
    max_field_chars=st.sampled_from([10_000, 10_000, 10_000, 300, 8]),
)


@settings(max_examples=700, deadline=None)
@given(table=tables(), schema=schemas)
def test_load_columns_equals_fast_load_row_by_row(table, schema):
    header, rows = table
    columns = map_columns(header)
    values, slow = load_columns(schema, rows, columns)
    equal = 0
    for i, row in enumerate(rows):
        expected = fast_load(schema, columns.pick(row))
        assert (i in slow) == (expected is None)
        if expected is not None:
            assert {name: values[name][i] for name in FIELDS} == expected
            equal += 1
    event(f"valid rows compared equal: {how_many(equal, len(rows))}")


@pytest.mark.parametrize("name", [f for f in FIELDS if f not in ("category", "cak_contracted")])
@settings(max_examples=400, deadline=None)
@given(data=st.data(), max_field_chars=st.sampled_from([10_000, 10_000, 300, 8]))
def test_load_column_equals_deserialize_cell_by_cell(name, data, max_field_chars):
    column = data.draw(st.lists(mostly_valid(name), max_size=12))
    schema = ProviderRowSchema(max_field_chars=max_field_chars)
    field = schema.load_fields[name]
    invalid: set[str] = set()
    got = load_column(field, name, column, cell_loader(schema, name, invalid))
    equal = 0
    for cell, value in zip(column, got, strict=True):
        try:
            expected = field._deserialize(cell, name, {})
        except ma.ValidationError:
            assert cell in invalid
        else:
            assert cell not in invalid and value == expected and type(value) is type(expected)
            equal += 1
    event(f"valid cells compared equal: {how_many(equal, len(column))}")


TEXT_KINDS = [
    name
    for name in FIELDS
    if ProviderRowSchema().load_fields[name].PLAIN in (Text.PLAIN, Name.PLAIN)
]


@pytest.mark.parametrize("name", TEXT_KINDS)
@settings(max_examples=300, deadline=None)
@given(data=st.data(), max_field_chars=st.sampled_from([10_000, 10_000, 300, 8]))
def test_the_ascii_test_of_plain_text_implies_the_plain_expression(name, data, max_field_chars):
    """load_column takes a text column as plain by string methods where it can: whatever
    they take, the expression (Text.PLAIN, Name.PLAIN) takes too."""
    column = data.draw(st.lists(mostly_valid(name), min_size=1, max_size=12))
    field = ProviderRowSchema(max_field_chars=max_field_chars).load_fields[name]
    longest = field.longest(name)
    joined = "\x00".join(column)
    readable = joined.count("\x00") == len(column) - 1  # load_column asks this first
    quick = readable and _plain_ascii_text(field.PLAIN, column, joined, longest)
    matched = readable and bool(_plain_patterns(field.PLAIN, longest)[1].fullmatch(joined))
    if quick:
        assert matched, column
    event(
        f"the string test {'took' if quick else 'left'} the column, "
        f"the expression {'matched' if matched else 'did not match'}"
    )


def test_plain_columns_take_the_fast_path():
    """The common cells never reach _deserialize (else load_columns would be slow); opening
    hours are normalised once per distinct cell instead (test_hours_cells_are_read_once)."""
    schema = ProviderRowSchema()
    plain = {
        "external_id": "syn-1",
        "name": "Apotheek Müller",
        "street": "Dorpsstraat",
        "house_number": "12a",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "phone": "030 123 4567",
        "website": "https://example.org/a?b=c",
        "email": "info@example.org",
        "lat": "52,09",
        "lon": "5.12",
    }

    def refuse(cell: str) -> object:
        raise AssertionError(f"{cell!r} went the slow way")

    for name, cell in plain.items():
        field = schema.load_fields[name]
        column = [cell] if name == "name" else [cell, ""]  # a name is never empty
        expected = [field._deserialize(c, name, {}) for c in column[:1]] + [None] * (
            len(column) - 1
        )
        assert list(load_column(field, name, column, refuse)) == expected


def test_hours_cells_are_read_once():
    schema = ProviderRowSchema()
    field = schema.load_fields["opening_hours"]
    seen: list[str] = []

    def slow(cell: str) -> object:
        seen.append(cell)
        return field._deserialize(cell, "opening_hours", {})

    column = ["ma-vr 9-17", "", "ma-vr 9-17", "24/7", "ma-vr 9-17"]
    got = load_column(field, "opening_hours", column, slow)
    assert list(got) == [
        "Mo-Fr 09:00-17:00",
        None,
        "Mo-Fr 09:00-17:00",
        "24/7",
        "Mo-Fr 09:00-17:00",
    ]
    assert sorted(seen) == ["", "24/7", "ma-vr 9-17"]


# --- whole files --------------------------------------------------------------------------

GAZETTEER = Gazetteer(
    {"3511": (52.09, 5.12, "Utrecht"), "1012": (52.37, 4.89, "Amsterdam")},
    {"utrecht": (52.09, 5.12, "Utrecht"), "zwolle": (52.51, 6.09, "Zwolle")},
)


class Locator:
    """Any other locator: asked every time."""

    available = True

    def locate_row(self, postcode, city):
        if postcode and postcode.startswith("35"):
            return (52.0, 5.0, "postcode4")
        return (52.5, 6.0, "place") if city == "Zwolle" else None


def _reference(data: bytes, *, locator, default_category) -> ParsedFile:
    """read_provider_file as it was: iter_records, and RowChecker.check() (schema.load)
    row by row."""
    parsed = ParsedFile(checksum=hashlib.sha256(data).hexdigest())
    decoded = decoding.decode(data)
    parsed.encoding = decoded.encoding
    parsed.delimiter = detect_delimiter(decoded.text or "")
    records = iter_records(decoded.text or "", parsed.delimiter)
    header = next(records)
    assert header.fields is not None
    columns = _header_columns(parsed, header.line, header.fields, None, default_category)
    schema = ProviderRowSchema(default_category=default_category)
    checker = RowChecker(parsed, locator, schema)
    checker.by_area = False  # ask the locator about every row: no answers per PC4 area
    for record in records:
        parsed.total_rows += 1
        if record.fields is None:
            parsed.problem(record.line, None, record.error or "cannot read this line")
        elif fits_header(parsed, record.line, record.fields, columns):
            checker.check(record.line, columns.pick(record.fields), columns)
    checker.finish()
    if parsed.total_rows == 0:
        parsed.problem(header.line + 1, None, "no data rows")
    return parsed


# Mostly good values from small pools (so duplicates, unknown postcodes and rows placed by
# postcode or city occur), now and then an awkward cell.
GOOD = {
    "name": ["Apotheek A", "Apotheek B", "Müller", "a  b", " X ", "'t Winkeltje"],
    "category": ["pharmacy", "Apotheek", "gp", "", "-"],
    "postcode": ["3511 AB", "1012", "9999 ZZ", "3511ab", "3599 XX", ""],
    "city": ["Utrecht", "Zwolle", "Nergens", "", "'s-Hertogenbosch"],
    "lat": ["52.1", "52,09", "", "51.5"],
    "lon": ["5.1", "4,9", "", "6.0"],
    "id": ["", "A1", "A2", " A1"],
    "huisnummer": ["1", "2a", "", "1 "],
}


@st.composite
def files(draw: st.DrawFn) -> bytes:
    header = draw(st.permutations(list(GOOD)))[: draw(st.integers(3, len(GOOD)))]
    if "name" not in header and draw(st.integers(0, 9)):  # mostly a list that can be read
        header.insert(draw(st.integers(0, len(header))), "name")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(1, 12))):
        row = [draw(st.sampled_from(GOOD[h]) if draw(st.integers(0, 5)) else cells) for h in header]
        width = draw(st.sampled_from([len(header)] * 8 + [len(header) - 1, len(header) + 1, 0]))
        writer.writerow((row + ["x"])[:width])
    return out.getvalue().encode()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=files(),
    locator=st.sampled_from([GAZETTEER, Locator()]),
    default_category=st.sampled_from([None, "pharmacy"]),
)
def test_read_provider_file_equals_row_by_row(data, locator, default_category):
    text = decoding.decode(data).text
    if text is None:
        event("files compared: none (not text)")
        return  # not text: nothing read either way
    if "\x00" in text:  # lines with a NUL are reported and blanked before either path
        event("files compared: none (a NUL byte)")
        return
    ColumnChecker.CHUNK, chunk = 3, ColumnChecker.CHUNK  # rows across chunks
    try:
        got = read_provider_file(data, locator=locator, default_category=default_category)
    finally:
        ColumnChecker.CHUNK = chunk
    expected = _reference(data, locator=locator, default_category=default_category)
    if expected.problems and expected.problems[0].line == 1:
        event("files compared: none (a header problem)")
        return  # a header problem: no rows are read
    assert got.rows == expected.rows
    assert got.problems == expected.problems
    assert got.warnings == expected.warnings
    assert got.total_rows == expected.total_rows
    assert got.keys == [identity.identity_key(r) for r in got.rows]
    event(f"files compared equal with valid rows: {'none' if not got.rows else 'some'}")


@settings(max_examples=300, deadline=None)
@given(
    postcodes=st.lists(
        st.sampled_from(GOOD["postcode"] + ["1012 AB", "9999", "3599"]), max_size=14
    ),
    chunk=st.sampled_from([1, 2, 5, 5000]),
    duplicate=st.booleans(),
)
def test_chunks_added_at_once_warn_and_keep_as_row_by_row(postcodes, chunk, duplicate):
    """Rows that all give coordinates and are all new go in a chunk at a time
    (ColumnChecker._add_all): same warnings, in the same order, as row by row."""
    lines = ["naam,categorie,postcode,lat,lon"]
    lines += [f"n{i},gp,{p},52.{i},5.{i}" for i, p in enumerate(postcodes)]
    if duplicate and postcodes:
        lines.append(f"n0,gp,{postcodes[0]},52.5,5.5")
    data = "\n".join(lines).encode()
    ColumnChecker.CHUNK, old = chunk, ColumnChecker.CHUNK
    try:
        got = read_provider_file(data, locator=GAZETTEER)
    finally:
        ColumnChecker.CHUNK = old
    expected = _reference(data, locator=GAZETTEER, default_category=None)
    assert got.rows == expected.rows
    assert got.problems == expected.problems
    assert got.warnings == expected.warnings
    event(f"files compared equal with valid rows: {'none' if not got.rows else 'some'}")


# --- one row: fast_load and ProviderRowSchema.load --------------------------------------

ROW_CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            *("", "-", "3511 AB", "3511ab", "12345", "ja", "nee", "maybe", "52,09", "52.1"),
            *("5.12", "91", "pharmacy", "apotheek", "winkel", "=SUM(A1)", "+31 20 123 4567"),
            *("@x", "www.example.nl", "http://x", "a@b.nl", "a@", " Apotheek "),
        ]
    ),
)


@st.composite
def row_dicts(draw: st.DrawFn) -> dict[str, str]:
    """A row as the header maps it: mostly valid cells of some fields, now and then an
    awkward cell or a key that is no field."""
    row = {name: draw(mostly_valid(name, ROW_CELLS)) for name in draw(header_fields())}
    if draw(one_in_ten):
        row["unknown"] = draw(ROW_CELLS)
    return row


@settings(max_examples=800, deadline=None)
@given(
    row=row_dicts(),
    default_category=st.sampled_from([None, "pharmacy"]),
    default_contracted=st.sampled_from([None, True]),
)
def test_row_fast_load_equals_schema_load(row, default_category, default_contracted):
    schema = ProviderRowSchema(
        default_category=default_category, default_contracted=default_contracted
    )
    fast = fast_load(schema, row)
    try:
        slow = schema.load(row)
    except ma.ValidationError:
        assert fast is None
        event("rows compared: load rejects, fast_load too")
        return
    if fast is not None:
        assert fast == slow
        event("rows compared equal: valid, fast_load took it")
    else:
        event("rows compared: valid, fast_load left it to load")
