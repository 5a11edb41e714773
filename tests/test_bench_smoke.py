"""The benchmark harness keeps working: `python -m bench.run --smoke` reports every section.

It checks that the harness runs, not how fast anything is (the full `make bench` judges that).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, needs_geodata, real_geodata_dir

SECTIONS = (
    "machine",
    "plan",
    "http",
    "scaling",
    "import",
    "memory",
    "as_of",
    "practice",
    "targets",
)


@pytest.mark.slow
@needs_geodata
def test_smoke_run_reports_every_section(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["DIRECTORY_GEODATA_PATH"] = str(real_geodata_dir())
    env.pop("DIRECTORY_BENCH_MODE", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--smoke",
            "--no-install",
            "--results-dir",
            str(tmp_path),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    results = json.loads((tmp_path / "latest.json").read_text())
    for name in SECTIONS:
        assert name in results, name
        assert "error" not in results[name], results[name]
    assert results["errors"] == []
    assert results["plan"]["mode"] == "smoke"
    assert results["machine"]["cpu_count"] >= 1
    assert results["machine"]["python"]

    # Every target is reported (not judged in a smoke run).
    names = {t["name"] for t in results["targets"]}
    assert names == {
        "http_throughput_c4",
        "http_p50_c1",
        "fhir_near_cpu",
        "search_open_at_cpu",
        "scaling_common",
        "scaling_rare",
        "import_seconds",
        "import_vs_csv",
        "import_peak_rss",
        "as_of_p50",
        "as_of_rss_growth",
        "worker_rss",
        "index_build",
        "referral_cpu",
        "export_csv_seconds",
        "export_vs_csv_writer",
    }
    assert {t["result"] for t in results["targets"]} == {"NOT JUDGED (smoke)"}
    assert results["as_of"]["dates"] == 300 and results["as_of"]["version_sets"] == 2

    # HTTP: measured with wrk, or skipped with a note saying how to install it.
    http = results["http"]
    if "skipped" in http:
        assert "apt-get install" in http["skipped"]
    else:
        for c in ("1", "4", "32"):
            row = http["by_concurrency"][c]
            assert row["floor"]["rps"] > 0 and row["search"]["rps"] > 0
            assert row["floor"]["bad"] == 0 and row["search"]["bad"] == 0
            assert row["ratios"]["rps"] is not None

    sizes = results["scaling"]["sizes"]
    assert len(sizes) >= 2
    for entry in sizes.values():
        for kind in ("common", "rare", "client_common"):
            assert entry[kind]["p50_ms"] > 0
        assert entry["common"]["results"] == 10
    assert results["scaling"]["ratios"]["common_p50"] is not None

    imported = results["import"]
    assert imported["rows"] == 1000
    assert imported["sqlite_cli"]["wall_s"] > 0
    assert imported["sqlite_cli"]["peak_rss_mib"] > 0
    assert imported["sqlite_import_file"]["rows"] == 1000
    assert imported["csv_reader"]["rows"] == 1000

    memory = results["memory"]
    assert memory["index"]["providers"] == 1000
    assert memory["worker_rss_max_mib"] > 0

    practice = results["practice"]
    assert practice["referral"]["ratio"] > 0 and practice["export"]["providers"] == 1000

    markdown = (tmp_path / "latest.md").read_text()
    for heading in ("## Targets", "## HTTP", "## Scaling", "## Import", "## Memory", "## Referral"):
        assert heading in markdown
