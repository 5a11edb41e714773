"""kill -9 of `directory-api import` while it writes 100,000 rows: the previous data is still
served, complete, after a restart, and the next import is not blocked by a stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.reliability.conftest import (
    BIN,
    load_small_directory,
    provider_csv,
    record_figures,
    snapshot,
)

ROWS = 100_000
TIMEOUT = 180  # seconds for the import to reach its write phase


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def with_application_name(url: str, name: str) -> str:
    """Tag the import's PostgreSQL sessions so that pg_stat_activity shows which they are."""
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


class WriteWatcher:
    """Tells when the import process is inside its publishing transaction."""

    def __init__(self, database_url: str, tag: str) -> None:
        self.url, self.tag = database_url, tag
        self.postgres = database_url.startswith("postgresql")
        self.engine = create_engine(database_url.split("?")[0]) if self.postgres else None
        if not self.postgres:
            engine = create_engine(database_url)
            with engine.connect() as conn:  # an empty WAL: any growth is the import writing
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            self.wal = Path(f"{sqlite_path(database_url)}-wal")

    def writing(self) -> str | None:
        """A description of the write in progress, or None."""
        if not self.postgres:
            size = self.wal.stat().st_size if self.wal.exists() else 0
            return f"WAL at {size} bytes" if size > 1_000_000 else None
        assert self.engine is not None
        with self.engine.connect() as conn:
            query = conn.execute(
                text(
                    "SELECT query FROM pg_stat_activity WHERE application_name = :tag "
                    "AND query ~* '^\\s*(INSERT INTO|COPY) providers'"
                ),
                {"tag": self.tag},
            ).scalar()
        return f"{query.split('(')[0].strip()} in progress" if query else None

    def sessions(self) -> int:
        if self.engine is None:
            return 0
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :tag"),
                    {"tag": self.tag},
                ).scalar()
                or 0
            )

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def run_import(env: dict[str, str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "directory-api"), "import", str(path), "--source", "CAK apotheken"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_kill_9_while_publishing_keeps_the_previous_data(make_app, database_url, cli_env, tmp_path):
    app = make_app()
    load_small_directory(app.extensions["directory"])
    before = snapshot(app.test_client())
    version_before = before["sources"]["data_version"]

    big = tmp_path / "groot.csv"
    big.write_bytes(provider_csv(ROWS, prefix="Apotheek Groot", ids="G", seed=3))
    tag = f"crash-{uuid.uuid4().hex[:8]}"
    env = dict(cli_env)
    if database_url.startswith("postgresql"):
        env["DATABASE_URL"] = with_application_name(database_url, tag)
    watcher = WriteWatcher(database_url, tag)
    log = (tmp_path / "import.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(BIN / "directory-api"), "import", str(big), "--source", "CAK apotheken"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        seen = None
        while seen is None:
            assert process.poll() is None, "the import ended before it was seen writing"
            assert time.monotonic() - started < TIMEOUT, "the import never started writing"
            seen = watcher.writing()
            if seen is None:
                time.sleep(0.01)
        killed_after = time.monotonic() - started
        assert process.poll() is None, "finished before the kill"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        log.close()

    # The server that was running never saw a half import; a restarted one neither.
    assert snapshot(app.test_client()) == before
    restarted = make_app()
    after_restart = snapshot(restarted.test_client())
    assert after_restart == before
    if not watcher.postgres:
        with restarted.extensions["directory"].store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

    # The next import of the same list goes through. SQLite's lock is a flock, gone with the
    # process; PostgreSQL ends the killed sessions (and their advisory lock) on its own.
    small = tmp_path / "klein.csv"
    small.write_bytes(provider_csv(10, prefix="Apotheek Na Crash", ids="N", seed=5))
    retries, t0 = 0, time.monotonic()
    while True:
        done = run_import(cli_env, small)
        if done.returncode == 0 or "another import" not in done.stderr:
            break
        assert time.monotonic() - t0 < 60, "the lock of the killed import was never released"
        retries += 1
        time.sleep(0.5)
    assert done.returncode == 0, done.stderr
    lock_free_after = time.monotonic() - t0
    if not watcher.postgres:
        assert retries == 0
    assert watcher.sessions() == 0
    watcher.close()

    after = restarted.test_client()
    body = after.get("/v1/providers", query_string={"q": "na crash", "page_size": 100}).get_json()
    assert body["total"] == 10 and body["data_version"] == version_before + 1
    assert after.get("/v1/providers?q=groot").get_json()["total"] == 0
    versions = after.get("/v1/sources/cak-apotheken/versions").get_json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]  # the killed import left no version

    record_figures(
        "crash_during_import",
        database_url,
        rows_in_killed_import=ROWS,
        killed_after_s=round(killed_after, 2),
        killed_while=seen,
        providers_served_before=before["providers"][0]["total"],
        providers_served_after_restart=after_restart["providers"][0]["total"],
        next_import_retries=retries,
        next_import_ok_after_s=round(lock_free_after, 2),
        imports_survived=1,
    )
