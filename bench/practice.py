"""The `practice` section of `make bench` (issue 12): the referral sheet and the bulk export.

  referral  in-process (Flask test client) CPU per request of GET /v1/referral for three
            care types (pharmacy, hospital, gp; per_care 3: 9 places) against one GET
            /v1/search (pharmacy, the default limit 10: 10 places) over the largest
            directory, from the same origins, in alternating rounds; process CPU time
            (time.process_time) per request, medians. Every provider's JSON text is encoded
            first (a serving worker's steady state: each is encoded once per data version)
  export    GET /v1/providers.csv of the largest directory through the test client, body
            read whole, against a plain csv.writer pass over the same rows (the rows made
            beforehand, so the floor is only csv.writer and the UTF-8 encoding)

Only ratios measured side by side are judged (bench/run.py TARGETS).
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import generate

REFERRAL_CARE = "pharmacy,hospital,gp"
PER_CARE = 3


def _app(tmp: Path) -> Any:
    from directory_api import create_app

    saved_stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115
    try:
        return create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp / 'practice.sqlite3'}",
                "DIRECTORY_INSTANCE_PATH": str(tmp / "practice-instance"),
                "DIRECTORY_GEODATA_PATH": str(generate.default_geodata_dir()),
            }
        )
    finally:
        sys.stderr = saved_stderr


def _cpu_per_request(get: Callable[[str], Any], paths: list[str]) -> float:
    """Process CPU milliseconds per request over `paths` (each must answer 200)."""
    start = time.process_time()
    for path in paths:
        response = get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.data[:300]!r}")
        response.close()
    return (time.process_time() - start) * 1000 / len(paths)


def bench_practice(
    csv_path: Path,
    origins: list[tuple[float, float]],
    tmp: Path,
    *,
    rounds: int,
    queries: int,
    providers_from_csv: Callable[[Path], list[Any]],
) -> dict[str, Any]:
    from directory_api.search.directory import DirectoryHolder
    from directory_api.web.csv_export import HEADER, provider_row

    app = _app(tmp)
    services = app.extensions["directory"]
    providers = providers_from_csv(csv_path)
    holder = DirectoryHolder(lambda: 1, lambda: (1, providers))
    directory = holder.get()
    services.holder = holder  # a public field of Services
    client = app.test_client()
    points = origins[:queries]
    search = [f"/v1/search?care=pharmacy&lat={lat:.6f}&lon={lon:.6f}" for lat, lon in points]
    sheet = [
        f"/v1/referral?care={REFERRAL_CARE}&per_care={PER_CARE}&lat={lat:.6f}&lon={lon:.6f}"
        for lat, lon in points
    ]
    try:
        for position in range(len(directory.providers)):
            directory.json_bytes(position)
        for paths in (search[:50], sheet[:50]):  # warm: JSON texts, code paths
            _cpu_per_request(client.get, paths)
        # Side by side at the finest grain: each origin's search and sheet one after the
        # other (order swapped every other origin), CPU summed per kind, per round.
        cpu: dict[str, list[float]] = {"search": [], "referral": []}
        for r in range(rounds):
            spent = {"search": 0.0, "referral": 0.0}
            chunk = range(r, len(points), rounds)
            for n, i in enumerate(chunk):
                pair = (("search", search[i]), ("referral", sheet[i]))
                for mode, path in pair if n % 2 == 0 else pair[::-1]:
                    spent[mode] += _cpu_per_request(client.get, [path])
            for mode, total in spent.items():
                cpu[mode].append(total / len(chunk))
        referral = {
            "providers": len(directory.providers),
            "queries": len(points),
            "rounds": rounds,
            "measured": "process CPU per request, search and sheet alternated per origin",
            "care": REFERRAL_CARE,
            "per_care": PER_CARE,
            "search_cpu_ms": round(float(np.median(cpu["search"])), 4),
            "referral_cpu_ms": round(float(np.median(cpu["referral"])), 4),
        }
        referral["ratio"] = round(referral["referral_cpu_ms"] / referral["search_cpu_ms"], 3)

        rows = [provider_row(p) for p in directory.providers]
        floor, export = [], []
        size = 0
        for _ in range(3):
            start = time.perf_counter()
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(HEADER)
            writer.writerows(rows)
            buffer.getvalue().encode("utf-8")
            floor.append(time.perf_counter() - start)
            start = time.perf_counter()
            response = client.get("/v1/providers.csv")
            size = len(response.get_data())
            export.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"/v1/providers.csv answered {response.status_code}")
        exported = {
            "providers": len(rows),
            "bytes": size,
            "http_best_s": round(min(export), 4),
            "csv_writer_best_s": round(min(floor), 4),
        }
        exported["ratio"] = round(exported["http_best_s"] / exported["csv_writer_best_s"], 3)
    finally:
        services.holder = None
        services.store.dispose()
    return {"referral": referral, "export": exported}


def markdown(section: dict[str, Any]) -> list[str]:
    if "referral" not in section:
        return ["## Referral and export", "", f"error: {section.get('error')}"]
    ref, exp = section["referral"], section["export"]
    return [
        "## Referral and export",
        "",
        f"- /v1/referral ({ref['care']}, per_care {ref['per_care']}) CPU per request "
        f"{ref['referral_cpu_ms']} ms vs one /v1/search {ref['search_cpu_ms']} ms: "
        f"{ref['ratio']}x ({ref['providers']} providers, {ref['queries']} origins)",
        f"- GET /v1/providers.csv of {exp['providers']} providers ({exp['bytes']} bytes): "
        f"{exp['http_best_s']} s vs plain csv.writer {exp['csv_writer_best_s']} s: "
        f"{exp['ratio']}x",
    ]
