"""Measurements that need a fresh process of their own; bench/run.py starts them.

python -m bench.probe import FILE --database-url URL [--geodata DIR]
    import_file timed whole, and read_provider_file (its validation) alone; prints JSON.
python -m bench.probe index --database-url URL [--repeat 3] [--geodata DIR]
    store.snapshot() and Directory.build(), timed, and this process's RSS once the
    directory is held (what one serving worker adds for it); prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def rss_kib(field: str = "VmRSS", pid: int | str = "self") -> int | None:
    """A Vm* line of /proc/<pid>/status in KiB (None off Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _app(database_url: str, geodata: str | None, instance: str) -> Any:
    from directory_api import create_app

    settings: dict[str, Any] = {"DATABASE_URL": database_url, "DIRECTORY_INSTANCE_PATH": instance}
    if geodata:
        settings["DIRECTORY_GEODATA_PATH"] = geodata
    return create_app(settings)


def probe_import(path: Path, database_url: str, geodata: str | None) -> dict[str, Any]:
    """import_file on the file, timed whole; read_provider_file alone, timed first (the
    validation part of import_file), so publishing is the difference."""
    from directory_api.imports.pipeline import import_file
    from directory_api.imports.reader import read_provider_file

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as instance:
        app = _app(database_url, geodata, instance)
        services = app.extensions["directory"]
        t1 = time.perf_counter()
        data = path.read_bytes()
        t2 = time.perf_counter()
        parsed = read_provider_file(data, locator=services.gazetteer)
        t3 = time.perf_counter()
        rows, problems = len(parsed.rows), len(parsed.problems)
        del parsed
        gc.collect()
        t4 = time.perf_counter()
        outcome = import_file(services, data, source_name=path.stem)
        t5 = time.perf_counter()
        services.store.dispose()
    return {
        "rows": rows,
        "problems": problems,
        "version": outcome.result.version,
        "app_start_s": t1 - t0,
        "read_bytes_s": t2 - t1,
        "validate_s": t3 - t2,  # read_provider_file alone
        "import_file_s": t5 - t4,  # validate + publish, as the CLI and the admin API do
        "publish_s": (t5 - t4) - (t3 - t2),
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def probe_index(database_url: str, geodata: str | None, repeat: int) -> dict[str, Any]:
    from directory_api.search.directory import Directory

    with tempfile.TemporaryDirectory() as instance:
        app = _app(database_url, geodata, instance)
        store = app.extensions["directory"].store
        gc.collect()
        rss_before = rss_kib()
        snapshots, builds = [], []
        held = None
        for _ in range(max(1, repeat)):
            held = None
            gc.collect()
            t0 = time.perf_counter()
            version, providers = store.snapshot()
            t1 = time.perf_counter()
            held = Directory.build(version, providers)
            t2 = time.perf_counter()
            del providers
            snapshots.append(t1 - t0)
            builds.append(t2 - t1)
        gc.collect()
        rss_after = rss_kib()
        count = len(held.providers) if held else 0
        store.dispose()
    totals = [s + b for s, b in zip(snapshots, builds, strict=True)]
    return {
        "providers": count,
        "repeat": len(totals),
        "snapshot_s": snapshots,
        "build_s": builds,
        "snapshot_median_s": statistics.median(snapshots),
        "build_median_s": statistics.median(builds),
        "total_median_s": statistics.median(totals),
        "total_first_s": totals[0],
        "rss_app_kib": rss_before,
        "rss_holding_kib": rss_after,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("file", type=Path)
    imp.add_argument("--database-url", required=True)
    imp.add_argument("--geodata")
    idx = sub.add_parser("index")
    idx.add_argument("--database-url", required=True)
    idx.add_argument("--geodata")
    idx.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.what == "import":
        result = probe_import(args.file, args.database_url, args.geodata)
    else:
        result = probe_index(args.database_url, args.geodata, args.repeat)
    print("PROBE_JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
