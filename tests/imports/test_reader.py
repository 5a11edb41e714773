"""Reading provider lists: every accepted file shape, and what makes a whole file unreadable."""

from __future__ import annotations

import pytest

from directory_api.errors import InvalidRow
from directory_api.geo.gazetteer import Gazetteer
from directory_api.imports.reader import read_provider_records
from directory_api.models import ProviderRow
from tests.imports.helpers import DATA, FakeLocator, problems, read, read_sample

# --- accepted shapes ------------------------------------------------------------------


def test_comma_utf8_with_every_column():
    parsed = read_sample("comma_utf8.csv")
    assert parsed.problems == [] and parsed.warnings == []
    assert (parsed.encoding, parsed.delimiter, parsed.total_rows) == ("utf-8", ",", 3)
    first, second, hospital = parsed.rows
    assert first == ProviderRow(
        name="Apotheek Centrum",
        category="pharmacy",
        cak_contracted=True,
        lat=52.0907,
        lon=5.1214,
        location_precision="postcode4",
        external_id="A-001",
        street="Oudegracht",
        house_number="12",
        postcode="3511 AB",
        city="Utrecht",
        phone="+31301234567",
        website="https://www.apotheekcentrum.nl",
        email="info@apotheekcentrum.nl",
        opening_hours="Mo-Fr 08:00-18:00; Sa 09:00-12:00",  # "ma-vr 8:00-18:00, za 9:00-12:00"
        line=2,
    )
    assert (second.category, second.cak_contracted, second.phone) == (
        "pharmacy",
        False,
        "+31201234567",
    )
    assert second.website == "https://stadsapotheek.nl/contact"
    assert (hospital.name, hospital.category) == ('Ziekenhuis "De Linde"', "hospital")
    assert (hospital.location_precision, hospital.cak_contracted) == ("place", None)


def test_semicolon_windows_1252_with_dutch_headers():
    data = (DATA / "semicolon_cp1252.csv").read_bytes()
    assert "Müller".encode("cp1252") in data and b"\r\n" in data
    parsed = read(data, default_category="apotheek")
    assert parsed.problems == []
    assert (parsed.encoding, parsed.delimiter) == ("cp1252", ";")
    muller, zuid, noord = parsed.rows
    assert (muller.name, muller.city, muller.postcode) == (
        "Apotheek Müller",
        "’s-Hertogenbosch",
        "5211 MA",
    )
    assert (muller.street, muller.house_number, muller.phone) == (
        "Hinthamerstraat",
        "5",
        "+31736123456",
    )
    assert (muller.category, muller.cak_contracted) == ("pharmacy", True)
    assert (zuid.location_precision, zuid.cak_contracted) == ("place", False)
    assert (noord.lat, noord.lon, noord.location_precision) == (51.712, 5.317, "coordinates")
    assert noord.name == "Apotheek Café Noord"


def test_utf8_with_bom():
    parsed = read_sample("bom_utf8.csv")
    assert parsed.problems == [] and parsed.encoding == "utf-8-sig"
    assert [(r.name, r.category) for r in parsed.rows] == [("Huisartsenpraktijk Éénhoorn", "gp")]


def test_uppercase_headers_with_spaces_and_tab_delimiter():
    text = (
        " NAAM \tCATEGORIE\t Postcode\tWOONPLAATS\tE-Mail\nHuisarts Oost\tHUISARTS\t3511ab\t"
        "Utrecht\tmailto:oost@example.nl\n"
    )
    parsed = read(text)
    assert parsed.problems == [] and parsed.delimiter == "\t"
    (row,) = parsed.rows
    assert (row.name, row.category, row.postcode, row.email) == (
        "Huisarts Oost",
        "gp",
        "3511 AB",
        "oost@example.nl",
    )


def test_mixed_category_column_with_default_for_blank_cells():
    words = [
        "ziekenhuis",
        "Apotheek",
        "GGZ-instelling",
        "mental_health_institution",
        "Wlz instelling",
        "tandartsenpool",
        "",
        "Vriendennetwerk",
        "JGZ",
        "paramedicus",
    ]
    lines = ["naam,categorie,plaats"] + [f"Plek {i},{w},Utrecht" for i, w in enumerate(words)]
    parsed = read("\n".join(lines), default_category="tandarts")
    assert parsed.problems == []
    assert [r.category for r in parsed.rows] == [
        "hospital",
        "pharmacy",
        "mental_health_institution",
        "mental_health_institution",
        "long_term_care_institution",
        "dental_pool",
        "dentist",
        "friendly_network",
        "youth_health",
        "paramedic",
    ]


def test_row_contracted_value_wins_over_default():
    text = "name,contracted,city\nA,nee,Utrecht\nB,,Utrecht\nC,JA,Utrecht\nD,0,Utrecht\n"
    with_default = read(text, default_category="pharmacy", default_contracted=True)
    assert [r.cak_contracted for r in with_default.rows] == [False, True, True, False]
    without = read(text, default_category="pharmacy")
    assert [r.cak_contracted for r in without.rows] == [False, None, True, False]


def test_row_category_wins_over_default():
    parsed = read("name,category,city\nA,hospital,Utrecht\nB,,Utrecht\n", default_category="gp")
    assert [r.category for r in parsed.rows] == ["hospital", "gp"]


def test_column_map_wins_over_aliases():
    text = "site_name,name,kind,ref,zip\nSint Lucas,old name,ziekenhuis,H7,1012 LG\n"
    parsed = read(
        text,
        column_map={
            "name": "site_name",
            "category": "Kind",
            "external_id": "ref",
            "postcode": "zip",
        },
    )
    assert parsed.problems == []
    (row,) = parsed.rows
    assert (row.name, row.category, row.external_id, row.postcode) == (
        "Sint Lucas",
        "hospital",
        "H7",
        "1012 LG",
    )
    assert parsed.warnings == ["column 'name' ignored: 'site_name' already gives name"]


def test_column_map_naming_a_missing_column():
    parsed = read("naam,categorie,plaats\nA,gp,Utrecht\n", column_map={"name": "site_name"})
    assert parsed.rows == []
    assert problems(parsed) == [(1, "site_name")]


def test_utf16_with_bom_and_without():
    text = "Naam;Categorie;Plaats\r\nApotheek Müller;apotheek;Utrecht\r\n"
    for encoding in ("utf-16", "utf-16-le"):
        parsed = read(text.encode(encoding))
        assert parsed.problems == [], encoding
        assert [r.name for r in parsed.rows] == ["Apotheek Müller"]
        assert parsed.delimiter == ";"


def test_decimal_comma_coordinates_in_semicolon_file():
    parsed = read("naam;categorie;lat;lon\nA;gp;52,0907;5,1214\nB;gp;52.1;5.2\n")
    assert [(r.lat, r.lon) for r in parsed.rows] == [(52.0907, 5.1214), (52.1, 5.2)]
    assert {r.location_precision for r in parsed.rows} == {"coordinates"}


def test_rows_without_coordinates_are_located_by_postcode_then_city():
    locator = FakeLocator()
    parsed = read(
        "name,category,postcode,city\nA,gp,3511 AB,Utrecht\nB,gp,,Amsterdam\n", locator=locator
    )
    assert [r.location_precision for r in parsed.rows] == ["postcode4", "place"]
    assert locator.calls == [("3511 AB", "Utrecht"), (None, "Amsterdam")]


def test_the_real_gazetteer_is_a_locator():
    gazetteer = Gazetteer.from_tables(
        {"3511": (52.09, 5.12, "Utrecht")}, {"Utrecht": (52.09, 5.12, "Utrecht")}
    )
    parsed = read("name,category,postcode\nA,gp,3511 AB\n", locator=gazetteer)
    assert [(r.lat, r.lon, r.location_precision) for r in parsed.rows] == [
        (52.09, 5.12, "postcode4")
    ]


def test_trailing_empty_cells_and_blank_lines_are_fine():
    parsed = read("name,category,city,\r\nA,gp,Utrecht,,,\r\n\r\n,,,\r\nB,gp,Utrecht\r\n")
    assert parsed.problems == [] and [r.line for r in parsed.rows] == [2, 5]
    assert parsed.total_rows == 2


def test_unknown_columns_give_one_warning():
    parsed = read("name,category,city,Opmerking,Regio\nA,gp,Utrecht,x,y\n")
    assert parsed.warnings == ["ignored extra columns: Opmerking, Regio"]


def test_thousand_columns():
    extra = [f"kolom{i}" for i in range(1000)]
    header = ",".join(["name", "category", "city", *extra])
    row = ",".join(["A", "gp", "Utrecht", *("v" for _ in extra)])
    parsed = read(f"{header}\n{row}\n")
    assert parsed.problems == [] and len(parsed.rows) == 1
    assert parsed.warnings == ["ignored extra columns: " + ", ".join(extra[:10]) + " and 990 more"]


def test_json_records_share_the_validation():
    records = [
        {"name": "A", "category": "apotheek", "postcode": "3511ab", "cak_contracted": True},
        {"naam": "B", "categorie": "gp", "lat": 52.1, "lon": 5, "extra": 1},
        {"name": "", "category": "gp", "city": "Utrecht"},
        "not a record",
        {"name": "C", "category": "gp", "city": ["Utrecht"]},
        {"name": "D", "category": "gp", "postcode": "12345"},
    ]
    parsed = read_provider_records(records, locator=FakeLocator())
    assert [(r.name, r.line) for r in parsed.rows] == [("A", 2), ("B", 3)]
    assert (parsed.rows[0].cak_contracted, parsed.rows[1].lon) == (True, 5.0)
    assert parsed.problems == [
        InvalidRow(4, "name", "name is empty"),
        InvalidRow(5, None, "not an object"),
        InvalidRow(6, "city", "must be text, a number or true/false"),
        InvalidRow(7, "postcode", "malformed postcode '12345'"),
    ]
    assert parsed.warnings == ["ignored extra columns: extra"]
    assert parsed.total_rows == 6 and len(parsed.checksum) == 64


def test_json_records_empty_and_defaults():
    assert read_provider_records([], locator=FakeLocator()).problems == [
        InvalidRow(2, None, "no data rows")
    ]
    parsed = read_provider_records(
        [{"name": "A", "city": "Utrecht"}],
        locator=FakeLocator(),
        default_category="pharmacy",
        default_contracted=False,
    )
    assert [(r.category, r.cak_contracted) for r in parsed.rows] == [("pharmacy", False)]


# --- whole-file problems --------------------------------------------------------------


def test_binary_content():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    parsed = read(png)
    assert parsed.rows == [] and parsed.total_rows == 0
    assert parsed.problems == [InvalidRow(1, None, "not a text/CSV file")]


def test_control_characters_are_binary_too():
    parsed = read(bytes(range(1, 32)) * 20)
    assert parsed.problems == [InvalidRow(1, None, "not a text/CSV file")]


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf", "".encode("utf-16")])
def test_empty_file(data):
    parsed = read(data)
    assert parsed.problems == [InvalidRow(1, None, "file is empty")] and parsed.rows == []


def test_only_delimiters_is_empty():
    assert read(b";;;\r\n;;;\r\n").problems == [InvalidRow(1, None, "file is empty")]


def test_header_only():
    parsed = read("name,category,city\r\n")
    assert parsed.problems == [InvalidRow(2, None, "no data rows")]
    assert parsed.total_rows == 0


def test_missing_name_and_category_columns():
    parsed = read("straat,plaats\nDorpsstraat,Utrecht\n")
    assert problems(parsed) == [(1, "name"), (1, "category")]
    assert parsed.problems[1].reason == "no category column and no --category given"
    assert parsed.rows == [] and parsed.total_rows == 0


def test_unknown_default_category():
    parsed = read("name,city\nA,Utrecht\n", default_category="bakery")
    assert problems(parsed) == [(1, None)] and parsed.rows == []


def test_checksum_is_sha256_of_the_raw_bytes():
    import hashlib

    data = (DATA / "comma_utf8.csv").read_bytes()
    assert read(data).checksum == hashlib.sha256(data).hexdigest()
