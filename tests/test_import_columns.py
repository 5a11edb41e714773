"""The column-at-a-time import paths give what the row-by-row ones give.

read_provider_file loads rows a column at a time (csvread.fast_records,
ProviderRowSchema.load_columns, Text.load_column); each is held equal here to the slow path
it stands in for, on awkward input. The versions fast paths (identity keys, assign_ids'
shortcut, a new source's diff) are held equal in tests/versions/.
"""

from __future__ import annotations

import csv
import hashlib
import io

import marshmallow as ma
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_api.geo.gazetteer import Gazetteer
from directory_api.imports import csvread, importer
from directory_api.imports.importer import ParsedFile, ProviderRowSchema, read_provider_file
from directory_api.versions.identity import identity_keys

FIELDS = list(ProviderRowSchema().load_fields)

SAMPLES = [
    *("", " ", "-", " - ", "\t", "x", " x", "x ", "x\t", "\tx", "\rx", "a  b", "a\nb", "\xa0x"),
    *("=SUM(A1)", "+31 20 123 4567", "-5", "@x", " =1", "+", "0031 20", "(030) 123", "030-1234"),
    *("Apotheek", " Apotheek ", "apotheek", "GGZ-instelling", "pharmacy", "winkel", "Gp"),
    *("ja", "nee", "JA", "true", "0", "1", "maybe", "waar"),
    *("3511 AB", "3511AB", "3511 ab", "0123 AB", "3511 SA", "3511 SS", "3511", "351", "3511  AB"),
    *("52", "52.1", "52,09", "52.", ".5", "0052.1", "53.7", "53.70001", "3.2", "7.3", "5", "1e3"),
    *("nan", "inf", "9" * 400, "52.1.2", "٣", "5_0"),
    *(
        "https://example.org/x",
        "HTTP://EXAMPLE.NL",
        "https://x",
        "www.example.nl",
        "https://a.b/ c",
    ),
    *("https://ex.nl:80/p?q#f", "https://münchen.de", "http://a_b.nl", "https://a.nl\x00"),
    *(
        "a@b.nl",
        "mailto:a@b.nl",
        "=a@b.nl",
        "-a@b.nl",
        "a@b",
        "a@b.",
        "a b@c.nl",
        "a@b.c.nl",
        "a@@b",
    ),
    *("Müller", "ÉÉN", "straße", "ﬁ", "x\u0301", "a|b", "a\x1cb", "Ｘ"),
    *("x" * 16, "x" * 17, "x" * 50, "x" * 51, "x" * 100, "x" * 101, "x" * 200, "x" * 201),
    *("x" * 300, "x" * 301, "y" * 299 + " "),
]
cells = st.one_of(
    st.sampled_from(SAMPLES),
    st.sampled_from(SAMPLES),
    st.text(max_size=8),
    st.text(alphabet=" \t\r\n\xa0=+-@,.;:/|'\"0123456789aAzZSéß", max_size=10),
    st.tuples(st.sampled_from(SAMPLES), st.sampled_from(SAMPLES)).map("".join),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header of canonical field names and rows exactly as wide."""
    header = draw(st.lists(st.sampled_from(FIELDS), unique=True, min_size=1))
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


schemas = st.builds(
    ProviderRowSchema,
    default_category=st.sampled_from([None, "pharmacy"]),
    default_contracted=st.sampled_from([None, True, False]),
    max_field_chars=st.sampled_from([10_000, 300, 8]),
)


@settings(max_examples=1500, deadline=None)
@given(table=tables(), schema=schemas)
def test_load_columns_equals_fast_load_row_by_row(table, schema):
    header, rows = table
    columns = csvread.map_columns(header)
    values, slow = schema.load_columns(rows, columns)
    for i, row in enumerate(rows):
        expected = schema.fast_load(columns.pick(row))
        assert (i in slow) == (expected is None)
        if expected is not None:
            assert {name: values[name][i] for name in FIELDS} == expected


@pytest.mark.parametrize("name", [f for f in FIELDS if f not in ("category", "cak_contracted")])
@settings(max_examples=400, deadline=None)
@given(column=st.lists(cells, max_size=12), max_field_chars=st.sampled_from([10_000, 300, 8]))
def test_load_column_equals_deserialize_cell_by_cell(name, column, max_field_chars):
    schema = ProviderRowSchema(max_field_chars=max_field_chars)
    field = schema.load_fields[name]
    invalid: set[str] = set()
    got = field.load_column(name, column, schema.cell_loader(name, invalid))
    for cell, value in zip(column, got, strict=True):
        try:
            expected = field._deserialize(cell, name, {})
        except ma.ValidationError:
            assert cell in invalid
        else:
            assert cell not in invalid and value == expected and type(value) is type(expected)


def test_plain_columns_take_the_fast_path():
    """The common cells never reach _deserialize (else load_columns would be slow)."""
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
        "opening_hours": "ma-vr 9-17",
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
        assert list(field.load_column(name, column, refuse)) == expected


# --- records --------------------------------------------------------------------------

texts = st.lists(
    st.one_of(
        st.sampled_from(["a,b", '"a,b",c', '"multi\nline",x', "", " , ", '""', '"x"y', '"open']),
        st.sampled_from(["\r\n", "\n", "\r", ";", ",", "\t", '"', " "]),
        st.text(alphabet='ab ,;"\r\n\t', max_size=6),
        # lines without quotes (split without csv.reader), and what else splitlines() splits at
        st.sampled_from(
            ["a,b\n", "\n", "x;y\r\n", " ,\n", "a\tb\r", "a\x0bb", "\x1c", "\x85", "\u2028"]
        ),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(
    text=texts,
    delimiter=st.sampled_from([",", ";", "\t"]),
    size=st.sampled_from([1, 2, 3, 5000]),
)
def test_fast_records_equal_iter_records(text, delimiter, size):
    """fast_records joins record_chunks: chunk boundaries anywhere change nothing."""
    records = list(csvread.iter_records(text, delimiter))
    fast = csvread.fast_records(text, delimiter, size)
    if fast is None:
        return
    assert [(r.line, r.fields, r.error) for r in records] == [
        (line, fields, None) for line, fields in zip(*fast, strict=True)
    ]


def test_fast_records_leave_multi_line_records_to_iter_records():
    assert csvread.fast_records('a,b\n"x\ny",z\n', ",") is None
    assert csvread.fast_records('a,b\n"open\n', ",") is None
    assert csvread.fast_records("a,b\n\n , \nc,d\r\n", ",") == ([1, 4], [["a", "b"], ["c", "d"]])


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
    """read_provider_file as it was: iter_records, and check() row by row."""
    parsed = ParsedFile(checksum=hashlib.sha256(data).hexdigest())
    decoded = csvread.decode(data)
    parsed.encoding = decoded.encoding
    parsed.delimiter = csvread.detect_delimiter(decoded.text or "")
    records = csvread.iter_records(decoded.text or "", parsed.delimiter)
    header = next(records)
    assert header.fields is not None
    columns = importer._header_columns(parsed, header.line, header.fields, None, default_category)
    schema = ProviderRowSchema(default_category=default_category)
    checker = importer._RowChecker(parsed, locator, schema)
    checker.by_area = False  # ask the locator about every row: no answers per PC4 area
    for record in records:
        parsed.total_rows += 1
        if record.fields is None:
            parsed.problem(record.line, None, record.error or "cannot read this line")
        elif importer._fits_header(parsed, record.line, record.fields, columns):
            checker.check(record.line, columns.pick(record.fields), columns)
    checker.finish()
    if parsed.total_rows == 0:
        parsed.problem(header.line + 1, None, "no data rows")
    return parsed


# Mostly good values from small pools (so duplicates, unknown postcodes and rows placed by
# postcode or city occur), now and then an awkward cell.
GOOD = {
    "name": ["Apotheek A", "Apotheek B", "Müller", "a  b", " X "],
    "category": ["pharmacy", "Apotheek", "gp", "", "-"],
    "postcode": ["3511 AB", "1012", "9999 ZZ", "3511ab", "3599 XX", ""],
    "city": ["Utrecht", "Zwolle", "Nergens", ""],
    "lat": ["52.1", "52,09", "", "51.5"],
    "lon": ["5.1", "4,9", "", "6.0"],
    "id": ["", "A1", "A2", " A1"],
    "huisnummer": ["1", "2a", "", "1 "],
}


@st.composite
def files(draw: st.DrawFn) -> bytes:
    header = draw(st.permutations(list(GOOD)))[: draw(st.integers(3, len(GOOD)))]
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
    if csvread.decode(data).text is None:
        return  # not text: nothing read either way
    importer._RowChecker.CHUNK, chunk = 3, importer._RowChecker.CHUNK  # rows across chunks
    try:
        got = read_provider_file(data, locator=locator, default_category=default_category)
    finally:
        importer._RowChecker.CHUNK = chunk
    expected = _reference(data, locator=locator, default_category=default_category)
    if expected.problems and expected.problems[0].line == 1:
        return  # a header problem: no rows are read
    assert got.rows == expected.rows
    assert got.problems == expected.problems
    assert got.warnings == expected.warnings
    assert got.total_rows == expected.total_rows
    assert got.identities == [identity_keys(r) for r in got.rows]


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
    (_RowChecker._add_all): same warnings, in the same order, as row by row."""
    lines = ["naam,categorie,postcode,lat,lon"]
    lines += [f"n{i},gp,{p},52.{i},5.{i}" for i, p in enumerate(postcodes)]
    if duplicate and postcodes:
        lines.append(f"n0,gp,{postcodes[0]},52.5,5.5")
    data = "\n".join(lines).encode()
    importer._RowChecker.CHUNK, old = chunk, importer._RowChecker.CHUNK
    try:
        got = read_provider_file(data, locator=GAZETTEER)
    finally:
        importer._RowChecker.CHUNK = old
    expected = _reference(data, locator=GAZETTEER, default_category=None)
    assert got.rows == expected.rows
    assert got.problems == expected.problems
    assert got.warnings == expected.warnings
