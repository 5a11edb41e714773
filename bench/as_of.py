"""`make bench` section `as_of` (issue 14): 300 distinct `as_of` dates that resolve to two
sets of source versions against plain searches, in a fresh process (its RSS is the figure).

    python -m bench.as_of LIST.csv WORKDIR    prints one JSON line tagged AS_OF

One list imported twice (list dates 2025-01-01 and 2025-07-01): 150 dates fall before the
second list (set {v1}), 150 on or after it (set {v2}, the published one). Plain searches and
as_of searches go through the Flask test client, interleaved per origin; medians compared.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.probe import rss_kib

DATES = 300
FIRST, SECOND = date(2025, 1, 1), date(2025, 7, 1)


def measure(csv_path: Path, workdir: Path) -> dict[str, Any]:
    from directory_api import create_app
    from directory_api.imports.pipeline import import_file

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'as_of.sqlite3'}",
            "DIRECTORY_INSTANCE_PATH": str(workdir / "as_of-instance"),
        }
    )
    services = app.extensions["directory"]
    data = csv_path.read_bytes()
    for listed in (FIRST, SECOND):
        import_file(services, data, source_name="bench list", list_date=listed)
    client = app.test_client()
    rng = random.Random(14)
    days = [FIRST + timedelta(days=n) for n in range(150)]
    days += [SECOND + timedelta(days=n) for n in range(150)]
    rng.shuffle(days)
    origins = [(rng.uniform(51.0, 53.2), rng.uniform(4.0, 6.9)) for _ in range(DATES)]

    def get(path: str) -> float:
        t0 = time.perf_counter()
        r = client.get(path)
        took = time.perf_counter() - t0
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        return took

    def search(lat: float, lon: float) -> str:
        return f"/v1/search?care=pharmacy&lat={lat:.5f}&lon={lon:.5f}&limit=10"

    for lat, lon in origins[:100]:  # warm: the current index and its served JSON
        get(search(lat, lon))
    gc.collect()
    rss_before = rss_kib()
    plain, as_of = [], []
    for (lat, lon), day in zip(origins, days, strict=True):
        plain.append(get(search(lat, lon)))
        as_of.append(get(search(lat, lon) + f"&as_of={day.isoformat()}"))
    gc.collect()
    rss_after = rss_kib()
    cache = services.as_of
    services.store.dispose()
    plain_p50, as_of_p50 = statistics.median(plain), statistics.median(as_of)
    return {
        "providers_per_version": data.count(b"\n") - 1,
        "dates": len(days),
        "version_sets": len({day >= SECOND for day in days}),
        "directories_built": cache.builds,
        "version_table_reads": cache.table_reads,
        "plain_p50_ms": round(plain_p50 * 1000, 3),
        "as_of_p50_ms": round(as_of_p50 * 1000, 3),
        "as_of_max_ms": round(max(as_of) * 1000, 1),
        "rss_before_mib": round((rss_before or 0) / 1024, 1),
        "rss_growth_mib": round(((rss_after or 0) - (rss_before or 0)) / 1024, 1),
        "ratios": {"p50": round(as_of_p50 / plain_p50, 2)},
    }


def main() -> None:
    found = measure(Path(sys.argv[1]), Path(sys.argv[2]))
    print("AS_OF " + json.dumps(found))


if __name__ == "__main__":
    main()
