"""`directory-api serve --workers 2` on a private PostgreSQL cluster under light search load:
the cluster stops, a worker is restarted (booted again) during the outage, the cluster comes
back and a new version is published. The master never stops, no search fails with 500 or a
connection error, workers with an index answer from it, the rebooted one says 503 with a
clear message until the store returns, and every worker then serves the new version."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from directory_api import create_app
from directory_api.imports.pipeline import import_file
from tests.reliability.conftest import BIN, PHARMACIES, provider_csv, record_figures
from tests.reliability.gunicorn_load import Load, Server, percentile, serve_env

DOWN_SECONDS = 6.0


def settings(pg, tmp_path, geodata_dir) -> dict[str, str]:
    return {
        "DATABASE_URL": pg.url(),
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
        "DIRECTORY_VERSION_CHECK_SECONDS": "0.5",
        "DIRECTORY_STORE_RETRY_MAX_SECONDS": "1",
    }


@pytest.mark.slow
def test_a_store_outage_under_load_loses_no_search_and_stops_no_worker(pg, tmp_path, geodata_dir):
    env = settings(pg, tmp_path, geodata_dir)
    seed = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": env["DATABASE_URL"],
            "DIRECTORY_INSTANCE_PATH": env["DIRECTORY_INSTANCE_PATH"],
            "DIRECTORY_GEODATA_PATH": env["DIRECTORY_GEODATA_PATH"],
        }
    )
    first = import_file(seed.extensions["directory"], PHARMACIES, source_name="CAK apotheken")
    seed.extensions["directory"].store.dispose()
    v1 = first.result.data_version
    server = Server(serve_env(env), tmp_path / "server.log")
    try:
        server.wait("/ready", 200)
        with Load(server, threads=4, pause=0.02) as load:
            time.sleep(2)
            down_at = time.monotonic()
            pg.stop()
            time.sleep(1.5)
            status, ready = server.get("/ready")
            assert status == 503 and "not reachable" in ready["reason"], ready
            # A worker restart during the outage, as max_requests does it (SIGTERM: the
            # request in hand is finished; kill -9 would lose that one request).
            victim = min(server.workers())
            os.kill(victim, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while not (len(server.workers()) == 2 and victim not in server.workers()):
                assert time.monotonic() < deadline, server.log()[-3000:]
                time.sleep(0.1)
            health = [server.get("/health")[0] for _ in range(20)]
            assert health == [200] * 20
            time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down_at)))
            assert server.process.poll() is None, "the gunicorn master stopped"
            pg.start()
            up_at = time.monotonic()
            # Publish a new version once the store is back (the CLI, as an operator would).
            path = tmp_path / "new.csv"
            path.write_bytes(provider_csv(45, prefix="Apotheek Nieuw", ids="P", seed=7))
            done = subprocess.run(
                [str(BIN / "directory-api"), "import", str(path), "--source", "CAK apotheken"],
                env=serve_env(env),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            published_at = time.monotonic()
            # Every worker serves the new version: 40 answers in a row from it.
            deadline = time.monotonic() + 30
            while True:
                tail = load.seen.answers[-40:]
                if len(tail) == 40 and all(a.status == 200 and a.data_version > v1 for a in tail):
                    break
                assert time.monotonic() < deadline, [(a.status, a.data_version) for a in tail]
                time.sleep(0.2)
            served_new_at = next(a.at for a in load.seen.answers if (a.data_version or 0) > v1)
            assert server.wait("/ready", 200, timeout=10) < 10
        assert server.process.poll() is None
    finally:
        server.stop()

    seen = load.seen
    log = server.log()
    assert seen.errors == [], seen.errors[:5]
    assert {a.status for a in seen.answers} <= {200, 503}
    during = [a for a in seen.answers if down_at + 0.5 < a.at < up_at]
    from_memory = [a for a in during if a.status == 200]
    refused = [a for a in during if a.status == 503]
    assert from_memory and all(a.data_version == v1 for a in from_memory)
    assert all("no data loaded yet" in (a.message or "") for a in refused), refused[:3]
    assert all(a.status == 200 for a in seen.answers if a.at < down_at)
    assert "Worker failed to boot" not in log and "Traceback" not in log, log[-3000:]
    # Once per worker process that met the outage (two, plus the one booted during it).
    assert 1 <= log.count("store not reachable") <= 3, log
    assert log.count("no data loaded yet; retrying in the background") == 1, log
    record_figures(
        "store_outage_under_load",
        "postgresql",
        outage_seconds=round(up_at - down_at, 1),
        searches=len(seen.answers),
        searches_during_outage=len(during),
        answered_from_memory=len(from_memory),
        answered_503_no_index_yet=len(refused),
        server_errors_5xx_other=sum(a.status >= 500 and a.status != 503 for a in seen.answers),
        connection_errors=len(seen.errors),
        store_up_to_new_version_served_s=round(served_new_at - up_at, 2),
        store_up_to_import_done_s=round(published_at - up_at, 2),
        outage_log_lines=log.count("store not reachable"),
        latency_p99_ms=percentile(seen.latencies, 0.99),
    )


@pytest.mark.slow
def test_a_server_started_during_an_outage_comes_up_and_loads_later(pg, tmp_path, geodata_dir):
    env = settings(pg, tmp_path, geodata_dir)
    pg.stop()
    server = Server(serve_env(env), tmp_path / "server.log")
    try:
        server.wait("/health", 200)
        status, ready = server.get("/ready")
        assert status == 503 and "no data loaded yet" in ready["reason"], ready
        status, body = server.get("/v1/search?care=pharmacy&lat=52.1&lon=5.1")
        assert status == 503 and body["code"] == 503 and "not reachable" in body["message"]
        time.sleep(3)
        assert server.process.poll() is None, server.log()
        pg.start()
        up_at = time.monotonic()
        server.wait("/ready", 200, timeout=20)
        # Both workers: 20 searches in a row answered from the (new, empty, migrated) store.
        streak = 0
        while streak < 20:
            status, body = server.get("/v1/search?care=pharmacy&lat=52.1&lon=5.1")
            streak = streak + 1 if status == 200 and body["data_version"] == 0 else 0
            assert time.monotonic() - up_at < 30, (status, body)
        took = time.monotonic() - up_at
    finally:
        server.stop()
    log = server.log()
    assert "Worker failed to boot" not in log and "Traceback" not in log, log
    record_figures(
        "serve_started_during_outage",
        "postgresql",
        all_workers_serving_after_store_up_s=round(took, 2),
    )
