"""The bad-file corpus (tests/data/bad/): every file is rejected with a report naming the line
(header = line 1) and, where the problem is in a cell, the column; by the CLI (exit code 1,
report on stderr) and by the admin endpoint (422 with `problems`); and what is served stays
identical, page for page. Huge files are generated here, not committed.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory_api.cli import main
from directory_api.web.auth import token_hash
from tests.conftest import needs_geodata
from tests.helpers import assert_error_shape
from tests.reliability.conftest import (
    AUTH,
    BIN,
    HEADER,
    TOKEN,
    load_small_directory,
    record_figures,
    snapshot,
)

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"
SOURCE = "cak-apotheken"  # already served: a bad file must not replace it
FORMULA = "looks like a spreadsheet formula"

Expected = list[tuple[int, str | None, str]]  # (line, column, part of the reason)

CORPUS: dict[str, Expected] = {
    "empty.csv": [(1, None, "file is empty")],
    "blank.csv": [(1, None, "file is empty")],
    "binary.csv": [(1, None, "not a text/CSV file")],
    "header_only.csv": [(2, None, "no data rows")],
    "no_name_column.csv": [(1, "name", "no name column")],
    "utf16_bad_postcode.csv": [(3, "postcode", "malformed postcode '12345'")],
    "utf16_no_bom_bad_category.csv": [(3, "categorie", "unknown category 'winkel'")],
    "mixed_delimiters.csv": [(3, None, "separated by ',' instead of ';'")],
    "unterminated_quote.csv": [(3, None, "unterminated quoted field")],
    "text_after_quote.csv": [(3, None, "text after a closing quote")],
    "duplicate_rows.csv": [(4, "naam", "duplicate of line 2 (same name, postcode and house")],
    "duplicate_ids.csv": [(4, "id", "duplicate of line 2 (same external id)")],
    "formula_injection.csv": [
        (2, "naam", FORMULA),  # =HYPERLINK(...)
        (3, "telefoon", FORMULA),  # +cmd|...
        (4, "straat", FORMULA),  # -2+3+cmd|...
        (5, "plaats", FORMULA),  # @SUM(...)
        (6, "id", FORMULA),  # =1+1
        (7, "naam", FORMULA),  # tab then =1+1
        (8, "naam", FORMULA),  # spaces then =SUM(...)
    ],
    "outside_netherlands.csv": [
        (2, "lat", "latitude 48.8566 is outside the Netherlands"),
        (2, "lon", "longitude 2.3522 is outside the Netherlands"),
        (3, "lat", "latitude 0.0 is outside"),
        (3, "lon", "longitude 0.0 is outside"),
        (4, "lon", "longitude 13.4 is outside"),
        (5, "lat", "latitude 5.12 is outside"),  # lat and lon swapped
        (5, "lon", "longitude 52.09 is outside"),
    ],
    "unknown_postcode_no_coordinates.csv": [(2, "postcode", "postcode/city not found")],
    "unknown_place.csv": [(2, "plaats", "postcode/city not found")],
    "no_location.csv": [(2, None, "no coordinates, postcode or city")],
    "bad_values.csv": [
        (2, "categorie", "unknown category 'bakkerij'"),
        (3, "gecontracteerd", "not a yes/no value: 'misschien'"),
        (4, "postcode", "malformed postcode '0123 AB'"),
        (5, "lon", "latitude given without longitude"),
    ],
}


def long_field() -> bytes:
    row = "B1,Apotheek Lang,apotheek,ja,{},1,3511 AB,Utrecht,,52.09,5.12\n".format("x" * 50_000)
    return (HEADER + row).encode()


def thousand_values_row() -> bytes:
    return (
        "naam,categorie,lat,lon\nApotheek Een,apotheek,52.09,5.12\n"
        "Apotheek Breed,apotheek,52.1,5.1," + ",".join(["x"] * 996) + "\n"
    ).encode()


def thousand_unknown_columns() -> bytes:
    header = ",".join(f"kolom {i}" for i in range(1000))
    return (header + "\n" + ",".join(["x"] * 1000) + "\n").encode()


GENERATED: dict[str, tuple[Callable[[], bytes], Expected]] = {
    "long_field.csv": (long_field, [(2, "straat", "longer than 10000 characters (50000)")]),
    "thousand_values_row.csv": (
        thousand_values_row,
        [(3, None, "this row has 1000 values but the header has 4 columns")],
    ),
    "thousand_unknown_columns.csv": (
        thousand_unknown_columns,
        [(1, "name", "no name column"), (1, "category", "no category column")],
    ),
}
CASES = sorted(CORPUS) + sorted(GENERATED)


def corpus_file(name: str, tmp_path: Path) -> tuple[Path, Expected]:
    if name in CORPUS:
        return BAD / name, CORPUS[name]
    make, expected = GENERATED[name]
    path = tmp_path / name
    path.write_bytes(make())
    return path, expected


def matches(problems: list[dict], expected: Expected) -> bool:
    return len(problems) == len(expected) and all(
        p["line"] == line and p["column"] == column and part in p["reason"]
        for p, (line, column, part) in zip(problems, expected, strict=True)
    )


def test_the_corpus_is_complete():
    """Every committed bad file is exercised (and no expected file is missing)."""
    committed = {p.name for p in BAD.glob("*.csv") if not p.name.startswith("accepted_")}
    assert committed == set(CORPUS)
    record_figures(
        "bad_file_corpus",
        None,
        files=len(CASES),
        committed=len(CORPUS),
        generated=len(GENERATED),
        problems_expected=sum(len(e) for e in CORPUS.values())
        + sum(len(e) for _, e in GENERATED.values()),
    )


@pytest.mark.parametrize("name", CASES)
def test_bad_file_is_reported_by_line_and_column_and_changes_nothing(
    name, admin, cli_env, tmp_path
):
    path, expected = corpus_file(name, tmp_path)
    before = snapshot(admin)

    r = admin.post(
        f"/v1/sources/{SOURCE}/imports",
        data={"file": (io.BytesIO(path.read_bytes()), path.name)},
        headers=AUTH,
    )
    body = assert_error_shape(r, 422)
    assert matches(body["problems"], expected), body["problems"]
    for line, column, part in expected:  # the same, keyed by line, in `errors`
        where = f"column {column!r}: " if column else ""
        assert any(m.startswith(where) and part in m for m in body["errors"][f"line {line}"])
    assert snapshot(admin) == before

    result = CliRunner().invoke(
        main, ["import", str(path), "--source", "CAK apotheken"], env=cli_env
    )
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    report = result.stderr.splitlines()
    assert report[0].startswith("import rejected: ")
    for line, column, part in expected:
        where = f"line {line}" + (f", column {column!r}" if column else "")
        assert any(r.startswith(f"  {where}: ") and part in r for r in report), report
    # One line per problem, then the file's warnings (issue 11: printed on a rejection too).
    problems = [r for r in report if not r.startswith("warning: ")]
    assert len(problems) == 1 + len(expected), report
    assert snapshot(admin) == before


def test_the_real_command_exits_non_zero_with_the_report_on_stderr(admin, cli_env):
    """The installed `directory-api` script, not only its click function."""
    before = snapshot(admin)
    done = subprocess.run(
        [str(BIN / "directory-api"), "import", str(BAD / "formula_injection.csv")],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "line 2, column 'naam': looks like a spreadsheet formula" in done.stderr
    assert (
        "line 8, column 'naam'" in done.stderr and "  line 9" not in done.stderr
    )  # a warning only
    assert snapshot(admin) == before


def test_skip_invalid_imports_only_the_valid_rows(admin):
    """--skip-invalid: the formula rows are listed as skipped and never stored."""
    r = admin.post(
        f"/v1/sources/{SOURCE}/imports",
        data={
            "file": (io.BytesIO((BAD / "formula_injection.csv").read_bytes()), "f.csv"),
            "skip_invalid": "true",
        },
        headers=AUTH,
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert [s["line"] for s in body["skipped"]] == [2, 3, 4, 5, 6, 7, 8]
    served = admin.get("/v1/providers?q=apotheek%20acht").get_json()["items"]
    assert [(p["name"], p["phone"]) for p in served] == [("Apotheek Acht", "+31301234567")]
    total = admin.get("/v1/providers", query_string={"page_size": 100}).get_json()["total"]
    assert total == 1 + 3 + 2  # the one valid row replaced the 45 pharmacies


# -- size limit --------------------------------------------------------------------------------


def multipart_file(data: bytes, filename: str = "list.csv") -> tuple[bytes, str]:
    """(body, content type) of a form with one file, encoded here: werkzeug's test client
    spools big bodies to a temporary file that it does not close when the app answers 413."""
    boundary = "reliabilityboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
            "\r\nContent-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("limit", [64 * 1024, None], ids=["64KiB", "default-20MiB"])
def test_upload_over_the_size_limit_is_413_and_changes_nothing(make_app, limit):
    settings = {"DIRECTORY_ADMIN_TOKEN_HASHES": token_hash(TOKEN)}
    if limit is not None:
        settings["DIRECTORY_MAX_UPLOAD_BYTES"] = limit
    app = make_app(**settings)
    load_small_directory(app.extensions["directory"])
    client = app.test_client()
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = snapshot(client)
    row = b"B1,Apotheek Groot,apotheek,ja,Weg,1,3511 AB,Utrecht,,52.09,5.12\n"
    body, content_type = multipart_file(HEADER.encode() + row * (limit // len(row) + 1))
    assert len(body) > limit
    r = client.post(
        f"/v1/sources/{SOURCE}/imports",
        data=body,
        headers={**AUTH, "Content-Type": content_type},
    )
    assert_error_shape(r, 413)
    r = client.post(
        f"/v1/sources/{SOURCE}/imports",
        data=b'{"rows": [' + b'{"name": "x"},' * (limit // 14) + b'{"name": "y"}]}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert_error_shape(r, 413)
    assert snapshot(client) == before
    if limit > 1024 * 1024:
        return
    # Just under the limit is read (and here rejected for its duplicate rows, not its size).
    body, content_type = multipart_file(HEADER.encode() + row * ((limit - 400) // len(row)))
    assert len(body) <= limit
    r = client.post(
        f"/v1/sources/{SOURCE}/imports",
        data=body,
        headers={**AUTH, "Content-Type": content_type},
    )
    assert assert_error_shape(r, 422)["problems"][0]["reason"].startswith("duplicate of line 2")
    assert snapshot(client) == before


# -- files that look odd but are right: accepted, with a warning where a human should look ------


def test_utf16_with_tabs_and_decimal_commas_is_read_correctly(admin):
    r = admin.post(
        "/v1/sources/utf16-list/imports",
        data={"file": (io.BytesIO((BAD / "accepted_utf16_tabs.csv").read_bytes()), "f.csv")},
        headers=AUTH,
    )
    assert r.status_code == 201, r.get_json()
    items = admin.get("/v1/providers?q=zurich").get_json()["items"]
    assert [(p["name"], p["lat"], p["lon"]) for p in items] == [
        ("Één Apotheek Zürich", 52.09, 5.12)
    ]


def test_a_thousand_columns_give_one_bounded_warning(admin):
    header = "naam,categorie,lat,lon," + ",".join(f"kolom{i}" for i in range(996))
    data = (header + "\nApotheek Breed,apotheek,52.09,5.12" + ",x" * 996 + "\n").encode()
    r = admin.post(
        "/v1/sources/wide-list/imports",
        data={"file": (io.BytesIO(data), "wide.csv")},
        headers=AUTH,
    )
    assert r.status_code == 201
    assert r.get_json()["warnings"] == [
        "ignored extra columns: " + ", ".join(f"kolom{i}" for i in range(10)) + " and 986 more"
    ]


@needs_geodata
@pytest.mark.parametrize(
    ("name", "placed_by", "precision"),
    [
        ("accepted_unknown_postcode_with_coordinates.csv", "its coordinates", "coordinates"),
        ("accepted_unknown_postcode_known_city.csv", "its city", "place"),
    ],
)
def test_unknown_postcode_is_imported_with_a_warning_naming_line_and_column(
    admin, cli_env, name, placed_by, precision
):
    """'1009 ZZ' is well-formed but its area is not in the postcode table (a typo, most
    likely). Where the row can still be placed (by its coordinates, or its city) it is
    imported, and the import says which line and column to check; before, it was silent.
    A row that cannot be placed at all is rejected (unknown_postcode_no_coordinates.csv)."""
    warning = (
        f"line 2, column 'postcode': postcode '1009 ZZ' is not in the postcode table; "
        f"placed by {placed_by} (check the postcode)"
    )
    r = admin.post(
        "/v1/sources/typo-list/imports",
        data={"file": (io.BytesIO((BAD / name).read_bytes()), name)},
        headers=AUTH,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["warnings"] == [warning]
    result = CliRunner().invoke(
        main, ["import", str(BAD / name), "--source", "typo list", "--dry-run"], env=cli_env
    )
    assert result.exit_code == 0 and f"warning: {warning}" in result.stdout
    typo = [
        p
        for p in admin.get("/v1/providers?page_size=100").get_json()["items"]
        if p["postcode"] == "1009 ZZ"
    ]
    assert len(typo) == 1 and typo[0]["location_precision"] == precision


def test_many_unknown_postcodes_give_a_bounded_report(admin):
    rows = "".join(
        f"U{i},Apotheek {i},apotheek,ja,Weg,{i},1009 ZZ,,,52.{i:02d},5.1\n" for i in range(30)
    )
    r = admin.post(
        "/v1/sources/typo-list/imports",
        data={"file": (io.BytesIO((HEADER + rows).encode()), "typos.csv"), "dry_run": "true"},
        headers=AUTH,
    )
    warnings = r.get_json()["warnings"]
    if not admin.application.extensions["directory"].gazetteer.available:
        assert warnings == []  # without the postcode table nothing is claimed
        return
    assert len(warnings) == 21
    assert warnings[0].startswith("line 2, column 'postcode'")
    assert warnings[-1] == "and 10 more rows whose postcode is not in the postcode table"


# -- values longer than the store keeps ---------------------------------------------------------

LONG = {
    "id": "i" * 201,
    "straat": "s" * 301,
    "huisnummer": "1" * 51,
    "plaats": "p" * 201,
    "telefoon": "0" * 101,
    "email": "a" * 300 + "@example.nl",
    "naam": "N" * 301,
}


def test_the_importer_knows_the_store_column_lengths():
    """The importer's limits are the VARCHAR lengths of store.py (no drift either way)."""
    from sqlalchemy import String, Text

    from directory_api.imports.cells import COLUMN_LENGTHS
    from directory_api.imports.pipeline import MAX_SOURCE_NAME
    from directory_api.store.tables import providers, sources

    lengths = {
        c.name: c.type.length
        for c in providers.columns
        if isinstance(c.type, String) and not isinstance(c.type, Text) and c.type.length
    }
    text_fields = {"external_id", "name", "street", "house_number", "postcode", "city"}
    text_fields |= {"phone", "email", "facility_type"}
    assert {k: v for k, v in lengths.items() if k in text_fields} == COLUMN_LENGTHS
    assert sources.c.name.type.length == MAX_SOURCE_NAME


@pytest.mark.parametrize("column", sorted(LONG))
def test_a_value_longer_than_its_column_is_reported_not_a_500(admin, column):
    """Found on PostgreSQL: a 301-character street passed the importer (limit 10,000) and
    the INSERT failed on VARCHAR(300): a 500. SQLite stored it. Now a problem in the row."""
    before = snapshot(admin)
    values = {
        "id": "L1",
        "naam": "Apotheek Lang",
        "categorie": "apotheek",
        "straat": "Weg",
        "huisnummer": "1",
        "postcode": "3511 AB",
        "plaats": "Utrecht",
        "telefoon": "030 123 4567",
        "email": "info@example.nl",
        "lat": "52.09",
        "lon": "5.12",
    }
    values[column] = LONG[column]
    data = (",".join(values) + "\n" + ",".join(values.values()) + "\n").encode()
    r = admin.post(
        f"/v1/sources/{SOURCE}/imports",
        data={"file": (io.BytesIO(data), "lang.csv")},
        headers=AUTH,
    )
    body = assert_error_shape(r, 422)
    (problem,) = body["problems"]
    assert problem["line"] == 2 and problem["column"] == column, problem
    assert "longer than" in problem["reason"]
    assert snapshot(admin) == before


def test_a_source_name_longer_than_its_column_is_refused(admin, cli_env, tmp_path):
    before = snapshot(admin)
    rows = [{"naam": "A", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]
    r = admin.post(
        "/v1/sources/lange-naam/imports", json={"rows": rows, "name": "N" * 301}, headers=AUTH
    )
    assert_error_shape(r, 422, "name")
    f = tmp_path / "lijst.csv"
    f.write_text("naam,categorie,lat,lon\nA,apotheek,52,5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(f), "--source", "N" * 301], env=cli_env)
    assert result.exit_code == 1 and "longer than 300 characters" in result.stderr
    assert snapshot(admin) == before
