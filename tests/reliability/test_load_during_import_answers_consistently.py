"""16 client threads search a gunicorn server (`directory-api serve`) for ~20 s while the
same list is re-imported back and forth (list A <-> list B, through the admin API and the
CLI). No 5xx, no connection error, and every answer comes entirely from one list: the one
its `data_version` says."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from directory_api.imports.pipeline import import_file
from directory_api.web.auth import token_hash
from tests.reliability.conftest import AUTH, BIN, HEADER, TOKEN, record_figures

THREADS = 16
DURATION = float(os.environ.get("DIRECTORY_LOAD_SECONDS", "20"))
MIN_IMPORTS = 2
SHARED, ONLY_A, ONLY_B = 300, 1200, 1400  # providers in both lists, only in A, only in B
SIZES = {"A": SHARED + ONLY_A, "B": SHARED + ONLY_B}


def list_csv(which: str) -> bytes:
    """Shared providers (same ids in both lists) plus providers only in this list."""
    rng = random.Random(which)
    rows = [HEADER]

    def row(pid: str, name: str) -> str:
        return (
            f"{pid},{name},apotheek,ja,Weg,1,3511 AB,Utrecht,,"
            f"{rng.uniform(50.8, 53.4):.5f},{rng.uniform(3.4, 7.1):.5f}\n"
        )

    rng_shared = random.Random("shared")
    for i in range(SHARED):
        lat, lon = rng_shared.uniform(50.8, 53.4), rng_shared.uniform(3.4, 7.1)
        rows.append(f"S{i},Gedeeld {i},apotheek,ja,Weg,1,3511 AB,Utrecht,,{lat:.5f},{lon:.5f}\n")
    only = ONLY_A if which == "A" else ONLY_B
    rows += [row(f"{which}{i}", f"Lijst {which} {i}") for i in range(only)]
    return "".join(rows).encode()


def kind(name: str) -> str:
    if name.startswith("Gedeeld "):
        return "shared"
    match = re.fullmatch(r"Lijst ([AB]) \d+", name)
    assert match, name
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Observed:
    """What the clients saw; appended to from many threads (list.append is atomic)."""

    answers: list[tuple[str, int, frozenset[str], int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def client_loop(base: str, stop: threading.Event, seen: Observed, seed: int) -> None:
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        n += 1
        if n % 3 == 0:
            path = f"/v1/providers?category=pharmacy&page_size=100&page={rng.randint(1, 17)}"
            what = "page"
        elif n % 3 == 1:
            path = "/v1/providers?q=lijst&page_size=5"
            what = "exclusive"
        else:
            lat, lon = rng.uniform(50.9, 53.3), rng.uniform(3.5, 7.0)
            path = f"/v1/search?care=pharmacy&lat={lat:.4f}&lon={lon:.4f}&limit=25"
            what = "search"
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                body = json.load(r)
        except urllib.error.HTTPError as error:
            seen.errors.append(f"{what}: HTTP {error.code}")
            error.close()
            continue
        except (OSError, ValueError) as error:  # connection refused/reset, timeouts, bad JSON
            seen.errors.append(f"{what}: {type(error).__name__}: {error}")
            continue
        seen.latencies.append(time.perf_counter() - started)
        if what == "search":
            providers = [r["provider"] for r in body["results"]]
            count = len(providers)
        else:
            providers = body["items"]
            count = body["total"]
        kinds = frozenset(kind(p["name"]) for p in providers)
        seen.answers.append((what, body["data_version"], kinds, count))


def import_over_http(base: str, which: str) -> int:
    boundary = "loadboundary"
    data = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{which}.csv"'
            "\r\n\r\n"
        ).encode()
        + list_csv(which)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/v1/sources/cak-apotheken/imports",
        data=data,
        headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        assert r.status == 201
        return int(json.load(r)["data_version"])


def import_with_cli(env: dict[str, str], tmp_path: Path, which: str) -> int:
    path = tmp_path / f"{which}.csv"
    path.write_bytes(list_csv(which))
    done = subprocess.run(
        [str(BIN / "directory-api"), "import", str(path), "--source", "CAK apotheken"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    match = re.search(r"\(data version (\d+)\)", done.stdout)
    assert match, done.stdout
    return int(match.group(1))


@pytest.mark.slow
def test_searches_during_reimports_come_entirely_from_one_list(
    make_app, database_url, cli_env, tmp_path
):
    seed_app = make_app()
    first = import_file(
        seed_app.extensions["directory"], list_csv("A"), source_name="CAK apotheken"
    )
    published = {first.result.data_version: "A"}  # data version -> list it serves

    env = {
        **cli_env,
        "DIRECTORY_ADMIN_TOKEN_HASHES": token_hash(TOKEN),
        "DIRECTORY_VERSION_CHECK_SECONDS": "0.5",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = tmp_path / "server.log"
    log = server_log.open("wb")
    server = subprocess.Popen(
        [str(BIN / "directory-api"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    seen = Observed()
    stop = threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(base, stop, seen, i), daemon=True)
        for i in range(THREADS)
    ]
    imports: list[tuple[str, str, float]] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/ready", timeout=5) as r:
                    if json.load(r) == {"status": "ready"}:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)

        started = time.monotonic()
        for t in threads:
            t.start()
        which, turn = "B", 0
        time.sleep(min(2.0, DURATION / 10))
        # Re-import for DURATION seconds, and at least A -> B -> A however slow the machine.
        while time.monotonic() - started < DURATION - 3 or len(imports) < MIN_IMPORTS:
            assert time.monotonic() - started < 120, f"imports too slow: {imports}"
            t0 = time.monotonic()
            if turn % 2 == 0:
                version, how = import_over_http(base, which), "admin API"
            else:
                version, how = import_with_cli(env, tmp_path, which), "CLI"
            published[version] = which
            imports.append((which, how, round(time.monotonic() - t0, 2)))
            which, turn = ("A" if which == "B" else "B"), turn + 1
            time.sleep(1.5)
        while time.monotonic() - started < DURATION:
            time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - started if "started" in locals() else 0.0
        server.terminate()
        server.wait(timeout=30)
        log.close()

    server_errors = server_log.read_text(encoding="utf-8", errors="replace")
    assert not any(t.is_alive() for t in threads)
    assert seen.errors == [], Counter(seen.errors).most_common(5)
    assert "Traceback" not in server_errors and "WORKER TIMEOUT" not in server_errors

    wrong: list[str] = []
    per_version: Counter[int] = Counter()
    for what, version, kinds, count in seen.answers:
        per_version[version] += 1
        served = published.get(version)
        if served is None:
            wrong.append(f"{what}: data version {version} was never published")
            continue
        other = "B" if served == "A" else "A"
        if other in kinds:
            wrong.append(f"{what}: data version {version} ({served}) answered with list {other}")
        elif what == "page" and count != SIZES[served]:
            wrong.append(f"{what}: {count} providers, list {served} has {SIZES[served]}")
        elif what == "exclusive" and count != SIZES[served] - SHARED:
            wrong.append(f"{what}: {count} exclusive providers in list {served}")
        elif what == "search" and count != 25:
            wrong.append(f"search: {count} results instead of 25")
    assert wrong == [], wrong[:10]
    assert len(imports) >= MIN_IMPORTS, imports
    # Answers came from every list the load overlapped: A, B and A again (at least).
    assert len([v for v, n in per_version.items() if n >= 10]) >= MIN_IMPORTS + 1, per_version

    latencies = sorted(seen.latencies)
    record_figures(
        "load_during_import",
        database_url,
        threads=THREADS,
        seconds=round(elapsed, 1),
        requests=len(seen.answers),
        requests_per_second=round(len(seen.answers) / elapsed, 1) if elapsed else None,
        errors=len(seen.errors),
        server_errors_5xx=sum(" HTTP 5" in e for e in seen.errors),
        mixed_or_incomplete_answers=len(wrong),
        imports_during_load=len(imports),
        import_seconds=[i[2] for i in imports],
        data_versions_served=len(per_version),
        latency_p50_ms=round(latencies[len(latencies) // 2] * 1000, 1),
        latency_p99_ms=round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
    )
