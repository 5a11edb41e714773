"""PostgreSQL stops (a private cluster this test owns): a worker that has its index answers
every read from memory with the data version it holds, says 503 with a reason on /ready and
on admin writes, logs the outage once, and picks up a version published after the store
returns, without a restart. A worker that starts while the store is down comes up anyway."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from directory_api import create_app
from directory_api.imports.pipeline import import_file
from directory_api.web.auth import token_hash
from tests.helpers import assert_error_shape
from tests.reliability.conftest import (
    AUTH,
    BIN,
    PHARMACIES,
    TOKEN,
    load_small_directory,
    provider_csv,
    record_figures,
)

PASSWORD = "outage-secret-pw"
SEARCH = "/v1/search?care=pharmacy&lat=52.09&lon=5.12&limit=5"


@contextmanager
def app_log() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("directory_api")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def outage_app(url: str, tmp_path: Path, geodata_dir: Path) -> Any:
    return create_app(
        {
            "TESTING": False,
            "DATABASE_URL": url,
            "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
            "DIRECTORY_GEODATA_PATH": str(geodata_dir),
            "DIRECTORY_VERSION_CHECK_SECONDS": 0.0,
            "DIRECTORY_STORE_RETRY_MAX_SECONDS": 0.5,
            "DIRECTORY_ADMIN_TOKEN_HASHES": token_hash(TOKEN),
        }
    )


def wait_for(check: Any, timeout: float = 20.0) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.1)
    return time.monotonic() - started


def messages(records: list[logging.LogRecord], text: str) -> list[str]:
    return [r.getMessage() for r in records if text in r.getMessage()]


def test_reads_go_on_from_memory_while_the_store_is_down(pg, tmp_path, geodata_dir):
    url = pg.url(password=PASSWORD)
    app = outage_app(url, tmp_path, geodata_dir)
    services = app.extensions["directory"]
    load_small_directory(services)
    client = app.test_client()
    before = client.get(SEARCH)
    assert before.status_code == 200
    version = before.get_json()["data_version"]
    listing = client.get("/v1/providers?category=pharmacy&page_size=10").get_json()

    pg.stop()
    with app_log() as records:
        for _ in range(30):
            r = client.get(SEARCH)
            assert r.status_code == 200, r.get_data(as_text=True)
            assert r.get_json()["data_version"] == version
            assert r.headers["X-Data-Version"] == str(version)
            assert r.get_json()["results"] == before.get_json()["results"]
        assert client.get("/v1/providers?category=pharmacy&page_size=10").get_json() == listing
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        reason = ready.get_json()["reason"]
        assert "not reachable" in reason and f"data version {version} from memory" in reason
        # Admin writes: 503 in the one error shape, nothing about the store's host in it.
        write = client.post(
            "/v1/sources/cak-apotheken/imports",
            json={"rows": [{"naam": "A", "categorie": "apotheek", "lat": 52, "lon": 5}]},
            headers=AUTH,
        )
        body = assert_error_shape(write, 503)
        assert body["error"] == "Service Unavailable"
        assert "not reachable" in body["message"] and "127.0.0.1" not in body["message"]
        assert write.headers["Retry-After"].isdigit()
        # What needs the store itself is a 503 too, never a 500.
        assert_error_shape(client.get("/v1/sources"), 503)
        assert_error_shape(client.get(SEARCH + "&as_of=2026-01-01"), 503)
        rollback = client.post(
            "/v1/sources/cak-apotheken/rollback", json={"version": 1}, headers=AUTH
        )
        assert_error_shape(rollback, 503)
        time.sleep(1.5)  # several background retries
        # The CLI names the store, without its password and without a traceback.
        env = {"DATABASE_URL": url, "DIRECTORY_INSTANCE_PATH": str(tmp_path / "cli")}
        done = subprocess.run(
            [str(BIN / "directory-api"), "sources"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        expected = f"the store at postgresql+psycopg://postgres@127.0.0.1:{pg.port}/postgres"
        assert expected + " is not reachable" in done.stderr
        assert PASSWORD not in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr  # that line only
        assert done.stdout == ""
        assert services.holder.retries >= 2

        pg.start()
        # Another instance publishes; this one picks it up without a restart.
        other = outage_app(url, tmp_path, geodata_dir)
        published = import_file(
            other.extensions["directory"],
            provider_csv(45, prefix="Apotheek Nieuw", ids="P", seed=7),
            source_name="CAK apotheken",
        ).result.data_version
        other.extensions["directory"].store.dispose()
        assert published > version
        took = wait_for(lambda: client.get(SEARCH).get_json()["data_version"] == published)
        assert client.get("/ready").get_json() == {"status": "ready"}
        names = [x["provider"]["name"] for x in client.get(SEARCH).get_json()["results"]]
        assert names and all(n.startswith("Apotheek Nieuw") for n in names if "Apotheek" in n)

    assert len(messages(records, "store not reachable")) == 1, [r.getMessage() for r in records]
    assert len(messages(records, "store reachable again")) == 1
    assert not any(r.exc_info for r in records)  # no traceback per request
    assert took < 10
    record_figures(
        "store_outage_in_process",
        "postgresql",
        searches_from_memory=30,
        background_retries=services.holder.retries,
        new_version_served_after_publish_s=round(took, 2),
        outage_log_lines=len(messages(records, "store not reachable")),
    )
    services.store.dispose()


def test_an_app_started_while_the_store_is_down_loads_when_it_returns(pg, tmp_path, geodata_dir):
    url = pg.url(password=PASSWORD)
    pg.stop()
    with app_log() as records:
        app = outage_app(url, tmp_path, geodata_dir)  # migrations cannot run: no boot error
        client = app.test_client()
        assert client.get("/health").get_json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert "no data loaded yet" in ready.get_json()["reason"]
        search = assert_error_shape(client.get(SEARCH), 503)
        assert "no data loaded yet" in search["message"]
        pg.start()
        wait_for(lambda: client.get("/ready").status_code == 200)
        # The schema was made when the store returned; an import now is served at once.
        import_file(app.extensions["directory"], PHARMACIES, source_name="CAK apotheken")
        r = client.get(SEARCH)
        assert r.status_code == 200 and r.get_json()["results"]
    outage = messages(records, "store not reachable")
    assert len(outage) == 1 and "no data loaded yet" in outage[0], outage
    app.extensions["directory"].store.dispose()


@pytest.mark.parametrize(
    "command",
    [
        ["import", "LIST"],
        ["rollback", "cak-apotheken", "--to", "1"],
        ["sources"],
        ["db", "upgrade"],
    ],
)
def test_cli_names_an_unreachable_store_in_one_line(command, tmp_path):
    from tests.reliability.pgcluster import free_port

    port = free_port()  # nothing listens there
    listed = tmp_path / "list.csv"
    listed.write_bytes(PHARMACIES)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:{port}/directory",
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    args = [str(listed) if part == "LIST" else part for part in command]
    done = subprocess.run(
        [str(BIN / "directory-api"), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"error: the store at postgresql+psycopg://app@127.0.0.1:{port}/directory is not "
        "reachable; nothing was changed\n"
    )
    assert done.stdout == ""
