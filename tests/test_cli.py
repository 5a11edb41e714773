"""The directory-api command as an administrator uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory_api.cli import main

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
