"""GET /v1/providers.csv and /v1/providers.geojson, and `directory-api export`: the whole
directory, the data version's ETag, spreadsheet formulas neutralised, example data flagged,
and a CSV export that imports again to the same providers."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import geojson
import pytest
from click.testing import CliRunner

from directory_api import create_app
from directory_api.cli import main
from directory_api.imports.headers import HEADER_ALIASES, header_key
from directory_api.imports.pipeline import import_file
from directory_api.web.csv_export import EXPORTED, HEADER, neutralise, provider_row
from tests.conftest import have_real_geodata
from tests.helpers import assert_error_shape

CSV = (
    "id;naam;categorie;gecontracteerd;straat;huisnummer;postcode;plaats;telefoon;website;"
    "openingstijden;lat;lon\n"
    "A1;Apotheek Domplein;apotheek;ja;Domplein;1;3512 JE;Utrecht;+31 30 123 4567;"
    "https://a.example.org;ma-vr 8-18;52,0908;5,1215\n"
    """A2;Apotheek "Zuid", Laan;apotheek;nee;Laan;2;3521 AB;Utrecht;030 000 0002;;;52,0800;5,1100
;Apotheek Onbekend;apotheek;;Weg;3;3581 AB;Utrecht;;;;52,0850;5,1400
;Ziekenhuis Één;ziekenhuis;ja;Hof;5;3543 AZ;Utrecht;;;;52,1000;5,0500
"""
)
BY_POSTCODE = ";Huisarts Plaats;huisarts;;Oudegracht;10;3511 AB;Utrecht;;;;;\n"
SOURCE = "Export test list"


def list_bytes() -> bytes:
    return (CSV + (BY_POSTCODE if have_real_geodata() else "")).encode()


@pytest.fixture
def loaded(services):
    import_file(services, list_bytes(), source_name=SOURCE)
    return services


def rows_of(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_header_names_are_the_imports():
    for f in EXPORTED:
        assert header_key(f.name) in {header_key(h) for h in HEADER_ALIASES[f.name]}
    # the columns the import does not read are none of its header names
    known = {header_key(h) for names in HEADER_ALIASES.values() for h in names}
    assert not {header_key(h) for h in HEADER[:1] + HEADER[1 + len(EXPORTED) :]} & known


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_prefixes_are_neutralised(first):
    assert neutralise(first + "HYPERLINK(1)") == "'" + first + "HYPERLINK(1)"
    assert neutralise("Apotheek " + first) == "Apotheek " + first
    assert neutralise(None) == ""


def test_example_data_is_flagged():
    fake = SimpleNamespace(
        id="x",
        **{f.name: None for f in EXPORTED},
        location_precision="coordinates",
        source="voorbeeld",
        source_version=1,
        source_list_date=None,
        example=True,
    )
    fake.name, fake.lat, fake.lon = "=cmd", 52.1, 5.1
    row = dict(zip(HEADER, provider_row(fake), strict=True))
    assert row["example"] == "true"
    assert row["name"] == "'=cmd"


def test_csv_export_streams_every_provider(client, loaded):
    r = client.get("/v1/providers.csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = rows_of(r.data)
    assert list(rows[0]) == list(HEADER)
    assert len(rows) == client.get("/v1/providers").get_json()["total"]
    by_name = {row["name"]: row for row in rows}
    assert by_name["Apotheek Domplein"]["phone"] == "'+31301234567"  # neutralised
    assert by_name["Apotheek Domplein"]["cak_contracted"] == "true"
    assert by_name["Apotheek Onbekend"]["cak_contracted"] == ""
    assert by_name['Apotheek "Zuid", Laan']["cak_contracted"] == "false"
    assert {row["example"] for row in rows} == {"false"}
    if have_real_geodata():
        placed = by_name["Huisarts Plaats"]
        assert placed["location_precision"] != "coordinates"
        assert placed["lat"] == placed["lon"] == ""


def test_export_filters_as_providers(client, loaded):
    rows = rows_of(client.get("/v1/providers.csv?category=hospital").data)
    assert [row["name"] for row in rows] == ["Ziekenhuis Één"]
    rows = rows_of(client.get("/v1/providers.csv?contracted=true&q=apotheek").data)
    assert [row["name"] for row in rows] == ["Apotheek Domplein"]
    assert_error_shape(client.get("/v1/providers.csv?page=2"), 422, "page")
    assert_error_shape(client.get("/v1/providers.geojson?category=shop"), 422, "category")


def test_etag_of_the_data_version_and_304(client, loaded, services):
    for path in ("/v1/providers.csv", "/v1/providers.geojson"):
        r = client.get(path)
        etag = r.headers["ETag"]
        assert r.headers["X-Data-Version"] in etag
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
    import_file(services, list_bytes().replace(b"Weg;3", b"Weg;4"), source_name=SOURCE)
    services.holder.refresh()
    assert client.get("/v1/providers.csv", headers={"If-None-Match": etag}).status_code == 200


def test_geojson_export_is_valid(client, loaded):
    r = client.get("/v1/providers.geojson")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    collection = geojson.loads(r.get_data(as_text=True))
    assert collection.is_valid, collection.errors()
    items = client.get("/v1/providers?page_size=100").get_json()["items"]
    assert [f["properties"] for f in collection["features"]] == items
    assert collection["total"] == len(items)
    for feature in collection["features"]:
        props = feature["properties"]
        assert feature["geometry"]["coordinates"] == [props["lon"], props["lat"]]


def _store_providers(services) -> dict[str, dict]:
    directory = services.holder.refresh()
    return {p.id: asdict(p) for p in directory.providers}


def test_csv_export_imports_again_to_the_same_directory(client, loaded, services, tmp_path):
    exported = client.get("/v1/providers.csv").data
    fresh = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "DIRECTORY_INSTANCE_PATH": str(tmp_path / "fresh-instance"),
            "DIRECTORY_GEODATA_PATH": services.geodata_dir.as_posix(),
        }
    )
    other = fresh.extensions["directory"]
    try:
        import_file(other, exported, source_name=SOURCE)
        before, after = _store_providers(services), _store_providers(other)
        assert set(after) == set(before)
        for pid, fields in before.items():
            mine = {k: v for k, v in fields.items() if k not in ("source_version",)}
            theirs = {k: v for k, v in after[pid].items() if k not in ("source_version",)}
            assert theirs == mine, pid
        # and exporting the re-imported directory gives the same rows
        again = fresh.test_client().get("/v1/providers.csv").data
        assert again == exported
    finally:
        other.store.dispose()


def test_cli_export(loaded, database_url, tmp_path, geodata_dir):
    env = {
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
    }
    out = tmp_path / "all.csv"
    result = CliRunner().invoke(main, ["export", "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    rows = rows_of(out.read_bytes())
    assert {row["name"] for row in rows} >= {"Apotheek Domplein", "Ziekenhuis Één"}
    result = CliRunner().invoke(main, ["export", "--format", "geojson"], env=env)
    assert result.exit_code == 0, result.output
    collection = geojson.loads(result.stdout)
    assert collection.is_valid and len(collection["features"]) == len(rows)
    bad = CliRunner().invoke(main, ["export", "--format", "kml"], env=env)
    assert bad.exit_code == 2 and "kml" in bad.output


def test_cli_and_http_exports_agree(client, loaded, database_url, tmp_path, geodata_dir):
    env = {
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
    }
    out = tmp_path / "cli.csv"
    CliRunner().invoke(main, ["export", "-o", str(out)], env=env, catch_exceptions=False)
    assert out.read_bytes() == client.get("/v1/providers.csv").data
    assert isinstance(Path(out), Path)
