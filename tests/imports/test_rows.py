"""Reading provider lists: every kind of bad row, the small parsers, and properties."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory_api.errors import InvalidRow
from directory_api.imports import cells
from directory_api.imports.cells import parse_contracted
from directory_api.imports.contacts import phone_number
from directory_api.imports.reader import read_provider_file
from directory_api.imports.report import format_report
from directory_api.models import CATEGORIES, FACILITY_TYPES, ProviderRow
from directory_api.text import forbidden_character
from directory_api.versions.identity import identity_key
from tests.imports.helpers import FakeLocator, problems, read, read_sample

# --- bad rows -------------------------------------------------------------------------


def test_bad_rows_are_reported_by_line_and_column():
    parsed = read_sample("bad_rows.csv")
    assert [r.line for r in parsed.rows] == [2, 11]
    assert parsed.rows[1].name == "Multi\nline name"
    assert problems(parsed) == [
        (3, "name"),
        (4, "category"),
        (5, "postcode"),
        (6, "cak_contracted"),
        (7, "lon"),
        (8, "website"),
        (9, "postcode"),
        (9, "email"),
        (10, "postcode"),
        (13, "lat"),
    ]
    report = format_report(parsed)
    assert "line 5, column 'postcode': malformed postcode '12345'" in report.splitlines()
    assert "line 10, column 'postcode': no coordinates and postcode/city not found" in report
    assert "line 6, column 'cak_contracted': not a yes/no value: 'misschien'" in report
    assert "line 7, column 'lon': latitude given without longitude" in report
    assert report.splitlines()[0] == (
        "11 data rows read (encoding utf-8, delimiter ','): 2 valid, 10 problems"
    )


def test_problem_columns_use_the_header_as_written():
    parsed = read("Naam;Categorie;Postcode\nA;apotheek;12345\n")
    assert parsed.problems == [InvalidRow(2, "Postcode", "malformed postcode '12345'")]


@pytest.mark.parametrize("postcode", ["12345", "0123 AB", "1234 SS", "123", "1234-ABC"])
def test_malformed_postcode_is_always_invalid(postcode):
    # Even with good coordinates and a known city, a broken postcode is not published.
    parsed = read(f"name,category,postcode,city,lat,lon\nA,gp,{postcode},Utrecht,52.1,5.1\n")
    assert parsed.rows == []
    assert problems(parsed) == [(2, "postcode")]
    assert parsed.problems[0].reason.startswith("malformed postcode")


def test_non_postcode_text_in_the_postcode_column_is_invalid():
    parsed = read("name,category,postcode,city\nA,gp,Utrecht,Utrecht\n")
    assert problems(parsed) == [(2, "postcode")]


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\tApotheek",
        "\rApotheek",
        "  =1+1",
    ],
)
@pytest.mark.parametrize("column", ["name", "street", "city", "phone", "opening_hours"])
def test_formula_prefixes_are_rejected(column, value):
    header = ["name", "category", "city", "street", "phone", "opening_hours"]
    row = {"name": "Apotheek", "category": "pharmacy", "city": "Utrecht"} | {column: value}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([row.get(h, "") for h in header])
    parsed = read(out.getvalue())
    assert parsed.rows == []
    assert parsed.problems == [InvalidRow(2, column, "looks like a spreadsheet formula")]


def test_phone_numbers_and_signed_coordinates_may_start_with_plus_or_minus():
    parsed = read(
        'name,category,phone,lat,lon\nA,gp,+31 20 123 4567,+52.1,"5,2"\nB,gp,-,52.2,5.3\n'
    )
    assert parsed.problems == []
    assert [(r.phone, r.lat, r.lon) for r in parsed.rows] == [
        ("+31201234567", 52.1, 5.2),
        (None, 52.2, 5.3),
    ]


def test_duplicate_external_ids():
    text = "id,name,category,city\nX1,A,gp,Utrecht\nX2,B,gp,Utrecht\nX1,C,gp,Amsterdam\n"
    parsed = read(text)
    assert [r.name for r in parsed.rows] == ["A", "B"]
    assert parsed.problems == [InvalidRow(4, "id", "duplicate of line 2 (same external id)")]


def test_duplicate_rows_by_name_postcode_and_house_number():
    text = (
        "naam,categorie,postcode,huisnummer\nApotheek Müller,apotheek,3511 AB,5\n"
        "Apotheek Müller,apotheek,3511 AB,7\n APOTHEEK  MULLER ,apotheek,3511ab,5\n"
    )
    parsed = read(text)
    assert [r.line for r in parsed.rows] == [2, 3]
    assert parsed.problems == [
        InvalidRow(4, "naam", "duplicate of line 2 (same name, postcode and house number)")
    ]


def test_identity_key():
    row = ProviderRow(
        name="  Apotheek  Müller ",
        category="pharmacy",
        cak_contracted=None,
        lat=52.0,
        lon=5.0,
        location_precision="place",
        postcode="3511 AB",
        house_number="5A",
    )
    assert identity_key(row) == "npa:apotheek muller|3511 ab|5a"
    assert identity_key(row._replace(external_id="X1")) == "ext:X1"


def test_unterminated_quote_names_the_line_where_it_opens():
    parsed = read('name,category,city\nA,gp,Utrecht\n"B,gp,Utrecht\nC,gp,Utrecht\n')
    assert [r.name for r in parsed.rows] == ["A"]
    assert problems(parsed) == [(3, None)]
    assert "unterminated quoted field" in parsed.problems[0].reason


def test_text_after_a_closing_quote_is_one_problem_and_reading_goes_on():
    parsed = read('name,category,city\n"A"x,gp,Utrecht\nB,gp,Utrecht\n')
    assert [r.name for r in parsed.rows] == ["B"]
    assert problems(parsed) == [(2, None)]


def test_row_with_more_values_than_the_header():
    parsed = read("name,category,city\nApotheek, Utrecht,gp,Utrecht\n")
    assert problems(parsed) == [(2, None)]
    assert "4 values but the header has 3 columns" in parsed.problems[0].reason


@pytest.mark.parametrize("size", [50_000, 200_000])
def test_huge_field_is_a_problem_not_a_crash(size):
    text = f'name,category,city,opening_hours\nA,gp,Utrecht,"{"x" * size}"\nB,gp,Utrecht,\n'
    parsed = read(text)
    assert [r.name for r in parsed.rows] == ["B"]
    assert parsed.problems == [
        InvalidRow(2, "opening_hours", f"value is longer than 10000 characters ({size})")
    ]


def test_long_name():
    parsed = read(f"name,category,city\n{'n' * 301},gp,Utrecht\n")
    assert parsed.problems == [InvalidRow(2, "name", "name is longer than 300 characters (301)")]


@pytest.mark.parametrize(
    "lat,lon,bad",
    [
        ("48.8566", "2.3522", ["lat", "lon"]),  # Paris
        ("5.12", "52.09", ["lat", "lon"]),  # swapped
        ("52.09", "8.5", ["lon"]),  # Germany
        ("nan", "5.1", ["lat"]),
    ],
)
def test_coordinates_outside_the_netherlands(lat, lon, bad):
    parsed = read(f"name,category,lat,lon\nA,gp,{lat},{lon}\n")
    assert parsed.rows == [] and problems(parsed) == [(2, c) for c in bad]
    if lat == "48.8566":
        assert parsed.problems[0].reason == (
            "latitude 48.8566 is outside the Netherlands (50.6 to 53.7)"
        )


def test_row_without_any_location():
    parsed = read("name,category,street\nA,gp,Dorpsstraat\n")
    assert parsed.problems == [InvalidRow(2, None, "no coordinates, postcode or city")]


def test_bad_website_and_email_shapes():
    parsed = read(
        "name,category,city,website,email\n"
        "A,gp,Utrecht,javascript:alert(1),a@b\n"
        "B,gp,Utrecht,HTTP://Example.NL/pad?x=1,mailto:b@example.nl\n"
    )
    assert problems(parsed) == [(2, "website"), (2, "email")]
    assert [(r.website, r.email) for r in parsed.rows] == [
        ("HTTP://Example.NL/pad?x=1", "b@example.nl")
    ]


# --- small functions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,value",
    [
        ("true", True),
        ("JA", True),
        ("Yes", True),
        ("j", True),
        ("Y", True),
        ("1", True),
        ("waar", True),
        ("false", False),
        ("Nee", False),
        ("no", False),
        ("n", False),
        ("0", False),
        ("ONWAAR", False),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_contracted(text, value):
    assert parse_contracted(text) is value


@pytest.mark.parametrize("text", ["misschien", "2", "x", "yes!"])
def test_parse_contracted_rejects_other_words(text):
    with pytest.raises(ValueError):
        parse_contracted(text)


def test_format_report_with_warnings_and_skip():
    parsed = read("name,category,city,x\nA,gp,Utrecht,1\nB,gp,Nergens,2\n")
    assert format_report(parsed).splitlines() == [
        "2 data rows read (encoding utf-8, delimiter ','): 1 valid, 1 problem",
        "warning: ignored extra columns: x",
        "line 3, column 'city': no coordinates and postcode/city not found",
    ]
    assert (
        format_report(parsed, skipped=True)
        .splitlines()[0]
        .startswith("unchanged since the last import")
    )


def test_every_category_word_is_known():
    for code in CATEGORIES:
        assert cells.category_code(code.upper()) == code


# --- property: what is written is what is read ----------------------------------------

# Windows-1252 text must not happen to be valid UTF-8 too (then it is read as UTF-8):
# ASCII plus the letters À..ÿ never form a UTF-8 sequence, as no byte is 0x80..0xBF.
_CP1252 = "".join(chr(c) for c in range(32, 127)) + "".join(chr(c) for c in range(0xC0, 0x100))


def _text(alphabet: st.SearchStrategy[str] | None, max_size: int = 40):
    any_char = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
    chars = alphabet if alphabet is not None else any_char
    return (
        st.text(chars, min_size=1, max_size=max_size)
        .map(lambda t: unicodedata.normalize("NFC", t).strip())  # stored NFC
        .filter(lambda t: t and t[0] not in "=+-@" and forbidden_character(t) is None)
    )


# Opening hours in OSM syntax read back as written (Dutch forms are normalised: tests/hours).
OSM_HOURS = ("24/7", "Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off", "Mo,We 09:00-12:00,13:00-17:00")


@st.composite
def provider_rows(draw, alphabet: st.SearchStrategy[str] | None) -> dict[str, object]:
    located = draw(st.booleans())
    return {
        "name": draw(_text(alphabet)),
        "category": draw(st.sampled_from(CATEGORIES)),
        "cak_contracted": draw(st.sampled_from([True, False, None])),
        "street": draw(st.none() | _text(alphabet)),
        "house_number": draw(st.none() | st.from_regex(r"[1-9][0-9]{0,3}[a-z]?", fullmatch=True)),
        "postcode": draw(st.from_regex(r"3511 [A-RT-Z][A-Z]", fullmatch=True)),
        "city": draw(st.none() | _text(alphabet)),
        "phone": draw(st.none() | st.sampled_from(["+31 20 123 4567", "030-1234567", "0800 5028"])),
        "opening_hours": draw(st.none() | st.sampled_from(OSM_HOURS)),
        "facility_type": draw(st.none() | st.sampled_from(FACILITY_TYPES)),
        "services": draw(st.none() | st.sampled_from(["seh", "verloskunde", "seh,verloskunde"])),
        "lat": round(draw(st.floats(50.6, 53.7)), 5) if located else None,
        "lon": round(draw(st.floats(3.2, 7.3)), 5) if located else None,
    }


@st.composite
def files(draw):
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    alphabet = st.sampled_from(_CP1252) if encoding == "cp1252" else None
    rows = draw(
        st.lists(
            provider_rows(alphabet), min_size=1, max_size=5, unique_by=lambda r: r["house_number"]
        )
    )
    delimiter = draw(st.sampled_from([",", ";"]))
    return rows, delimiter, encoding


def _cell(value: object, delimiter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and delimiter == ";":
        return repr(value).replace(".", ",")
    return str(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_written_rows_read_back_the_same(spec):
    rows, delimiter, encoding = spec
    header = list(rows[0])
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(row[h], delimiter) for h in header] for row in rows)
    parsed = read_provider_file(out.getvalue().encode(encoding), locator=FakeLocator())
    assert parsed.problems == []
    assert (parsed.delimiter, parsed.total_rows) == (delimiter, len(rows))
    for row, got in zip(rows, parsed.rows, strict=True):
        assert {k: getattr(got, k) for k in row if k not in ("lat", "lon")} == {
            k: phone_number(v) if k == "phone" and v else v  # E.164
            for k, v in row.items()
            if k not in ("lat", "lon")
        }
        if row["lat"] is not None:
            assert (got.lat, got.lon, got.location_precision) == (
                row["lat"],
                row["lon"],
                "coordinates",
            )
        else:
            assert got.location_precision == "postcode4"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_any_bytes_give_a_report_never_an_exception(data):
    parsed = read_provider_file(data, locator=FakeLocator(), default_category="gp")
    assert all(p.line >= 1 for p in parsed.problems)
    assert len(parsed.rows) <= parsed.total_rows
    assert format_report(parsed)
