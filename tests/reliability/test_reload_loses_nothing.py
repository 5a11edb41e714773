"""A graceful reload of the gunicorn master (SIGHUP, as a deploy does) while 16 clients
search: every worker is replaced and not one request is lost (no error, no reset)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from directory_api.imports.pipeline import import_file
from tests.reliability.conftest import PHARMACIES, record_figures
from tests.reliability.gunicorn_load import Load, Server, percentile, serve_env

THREADS = 16
RELOADS = 3


@pytest.mark.slow
def test_sighup_reload_under_load_loses_no_request(make_app, cli_env, database_url, tmp_path):
    seeded = import_file(make_app().extensions["directory"], PHARMACIES, source_name="CAK")
    version = seeded.result.data_version
    server = Server(serve_env(cli_env), tmp_path / "server.log")
    replaced = 0
    try:
        server.wait("/ready", 200)
        with Load(server, THREADS) as load:
            time.sleep(2)
            for _ in range(RELOADS):
                before = server.workers()
                os.kill(server.process.pid, signal.SIGHUP)
                deadline = time.monotonic() + 60
                # The old workers are gone and two new ones serve.
                while True:
                    now = server.workers()
                    if len(now) == 2 and not now & before:
                        break
                    assert time.monotonic() < deadline, (before, now, server.log()[-2000:])
                    time.sleep(0.1)
                replaced += len(before)
                time.sleep(2)
        assert server.process.poll() is None
    finally:
        server.stop()
    seen = load.seen
    statuses = {a.status for a in seen.answers}
    assert seen.errors == [], seen.errors[:5]
    assert statuses == {200}, statuses
    assert {a.data_version for a in seen.answers} == {version}
    log = server.log()
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log
    assert len(seen.answers) > 500
    record_figures(
        "reload_under_load",
        database_url,
        threads=THREADS,
        reloads=RELOADS,
        workers_replaced=replaced,
        requests=len(seen.answers),
        errors=len(seen.errors),
        non_200=sum(a.status != 200 for a in seen.answers),
        latency_p50_ms=percentile(seen.latencies, 0.5),
        latency_p99_ms=percentile(seen.latencies, 0.99),
        latency_max_ms=percentile(seen.latencies, 1.0),
    )
