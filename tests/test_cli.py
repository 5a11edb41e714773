"""The directory-api command as an administrator uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory_api.cli import main
from tests.conftest import needs_geodata

GOOD = (
    "naam;categorie;gecontracteerd;postcode;huisnummer;lat;lon\n"
    "Apotheek A;apotheek;ja;3511 AB;1;52,09;5,12\n"
)
BAD = GOOD + "Apotheek B;apotheek;ja;12345;2;52,1;5,1\nApotheek C;winkel;ja;3511 AB;3;52,1;5,1\n"


@pytest.fixture
def env(database_url: str, tmp_path: Path, geodata_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
    }


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_import_then_reimport(env, tmp_path):
    f = tmp_path / "apotheken.csv"
    f.write_text(GOOD, encoding="cp1252")
    result = run(env, "import", str(f), "--source", "CAK apotheken", "--list-date", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert "cak-apotheken version 1" in result.output
    result = run(env, "import", str(f), "--source", "CAK apotheken")
    assert "cak-apotheken version 2" in result.output and "unchanged 1" in result.output
    result = run(env, "sources")
    assert "cak-apotheken\tv2\t1 rows" in result.output


def test_bad_file_is_rejected_with_a_report(env, tmp_path):
    f = tmp_path / "apotheken.csv"
    f.write_text(BAD, encoding="utf-8")
    result = run(env, "import", str(f), "--source", "CAK apotheken")
    assert result.exit_code == 1
    assert "line 3, column 'postcode'" in result.output
    assert "line 4, column 'categorie'" in result.output
    assert "nothing was imported" in result.output
    result = run(env, "import", str(f), "--source", "CAK apotheken", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "imported 1 rows" in result.output and "line 3" in result.output


def test_category_required_without_column(env, tmp_path):
    f = tmp_path / "list.csv"
    f.write_text("name,lat,lon\nX,52.1,5.1\n", encoding="utf-8")
    result = run(env, "import", str(f))
    assert result.exit_code == 1 and "category" in result.output
    result = run(env, "import", str(f), "--category", "pharmacy", "--not-contracted")
    assert result.exit_code == 0, result.output


def test_dry_run_and_bad_options(env, tmp_path):
    f = tmp_path / "list.csv"
    f.write_text(GOOD, encoding="utf-8")
    result = run(env, "import", str(f), "--dry-run")
    assert result.exit_code == 0 and "dry run" in result.output
    assert "list" not in run(env, "sources").output
    result = CliRunner().invoke(main, ["import", str(f), "--list-date", "26-11-2026"], env=env)
    assert result.exit_code == 2 and "list-date" in result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_console_script_is_installed(env):
    exe = Path(sys.executable).with_name("directory-api")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    for command in ("import", "geodata", "openapi", "serve", "seed"):
        assert command in out.stdout


NAMES_ONLY = "naam,postcode,lat,lon\nApotheek A,3511 AB,52.09,5.12\nApotheek B,3511 AB,52.1,5.13\n"


def test_reimport_without_flags_reuses_the_sources_defaults(env, tmp_path):
    f = tmp_path / "new.csv"
    f.write_text(NAMES_ONLY, encoding="utf-8")
    first = ("--category", "pharmacy", "--contracted", "--source", "CAK apotheken")
    assert run(env, "import", str(f), *first).exit_code == 0
    result = run(env, "import", str(f), "--source", "CAK apotheken", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "unchanged 2" in result.output and "WARNING" not in result.output
    result = run(env, "import", str(f), "--dry-run")  # the file name: no such source
    assert result.exit_code == 1 and "--category" in result.output
    # Flipping the contract status of more than half the rows says so, loudly.
    result = run(
        env, "import", str(f), "--source", "CAK apotheken", "--not-contracted", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    loud = [line for line in result.output.splitlines() if line.startswith("WARNING")]
    assert loud and "CONTRACT STATUS CHANGES FOR 2 OF 2 ROWS" in loud[0]


def test_a_rejected_file_prints_its_warnings(env, tmp_path):
    f = tmp_path / "list.csv"
    f.write_text("name,kleur,lat,lon\nX,rood,52.1,5.1\n", encoding="utf-8")
    result = run(env, "import", str(f))
    assert result.exit_code == 1
    assert "import rejected" in result.output and "warning:" in result.output
    assert "kleur" in result.output


def test_sources_remove_takes_a_source_out_and_keeps_its_versions(env, tmp_path):
    f = tmp_path / "apotheken.csv"
    f.write_text(GOOD, encoding="utf-8")
    run(env, "import", str(f), "--source", "CAK apotheken")
    result = run(env, "sources", "remove", "cak-apotheken")
    assert result.exit_code == 0, result.output
    assert (
        "cak-apotheken: no longer served" in result.output and "1 version(s) kept" in result.output
    )
    assert "cak-apotheken\tv-\t0 rows" in run(env, "sources").output
    assert "v1" in run(env, "versions", "cak-apotheken").output
    result = CliRunner().invoke(main, ["sources", "remove", "geen-lijst"], env=env)
    assert result.exit_code == 1 and "unknown source" in result.output
    assert run(env, "import", str(f), "--source", "CAK apotheken").exit_code == 0
    assert "cak-apotheken\tv2\t1 rows" in run(env, "sources").output


@needs_geodata
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_seed_marks_examples_and_no_examples_leaves_them_out(env):
    result = run(env, "seed")
    assert result.exit_code == 0, result.output
    listed = run(env, "sources").output
    example = [line for line in listed.splitlines() if line.startswith("example-data")]
    assert example and example[0].endswith("example data"), listed
    result = run(env, "seed", "--no-examples")
    assert result.exit_code == 0, result.output
    assert "example data, no longer served" in result.output
    example = [line for line in run(env, "sources").output.splitlines() if "example" in line]
    assert "\tv-\t" in example[0]
