"""Schema migrations: fresh databases, databases of the release before migrations, concurrency,
and that the migrations build exactly the tables store.py describes."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from directory_api.store import migrate
from directory_api.store.store import Store
from directory_api.store.tables import metadata

TABLES = {"meta", "sources", "source_versions", "providers"}


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    """The fixture's clean database, without an alembic_version left by an earlier test."""
    _forget_revision(database_url)
    yield database_url
    _forget_revision(database_url)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    store = Store(url)
    yield store
    store.dispose()


def _forget_revision(url: str) -> None:
    engine = create_engine(url)
    try:
        migrate.drop_version_table(engine)
    finally:
        engine.dispose()


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _meta(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT key, value FROM meta ORDER BY key"))]


def _make_previous_release(store: Store, *, data_version: str | None = "3") -> None:
    """What the release before migrations left: the baseline's tables (0001_initial, which
    also indexed provider_id), data, no alembic_version."""
    with store.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), migrate.BASELINE)
    migrate.drop_version_table(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM meta"))  # 0001 writes the row; that release might not
        if data_version is not None:
            conn.execute(
                text("INSERT INTO meta (key, value) VALUES ('data_version', :v)"),
                {"v": data_version},
            )
        conn.execute(
            text(
                "INSERT INTO sources (id, slug, name, published_version, created_at) "
                "VALUES (1, 'cak-2025', 'CAK 2025', 1, '2025-01-02 03:04:05+00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO source_versions "
                "(id, source_id, version, list_date, checksum, row_count, imported_at) "
                "VALUES (1, 1, 1, '2025-01-01', :sum, 2, '2025-01-02 03:04:05+00:00')"
            ),
            {"sum": "a" * 64},
        )
        conn.execute(
            text(
                "INSERT INTO providers (pk, version_id, provider_id, name, category, "
                "cak_contracted, postcode, city, lat, lon, location_precision) VALUES "
                "(1, 1, 'p1', 'Apotheek Oost', 'pharmacy', :t, '3511AB', 'Utrecht', "
                "52.09, 5.12, 'address'), "
                "(2, 1, 'p2', 'Huisarts West', 'gp', NULL, '1011AA', 'Amsterdam', "
                "52.37, 4.90, 'postcode')"
            ),
            {"t": True},
        )
    assert migrate.current_revision(store.engine) is None


# -- fresh databases ----------------------------------------------------------------------


def test_one_head() -> None:
    """Revisions form one line: two heads (parallel branches) must be merged first."""
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert heads == [migrate.head_revision()]


def test_head_names_the_newest_script() -> None:
    """migrate.HEAD (the quick check at start-up, without alembic) is the scripts' head."""
    assert migrate.HEAD == migrate.head_revision()


def _alembic_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_the_revision_read_with_sql_is_alembics(store: Store) -> None:
    assert migrate.current_revision(store.engine) is None is _alembic_revision(store.engine)
    with store.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), migrate.BASELINE)
    assert migrate.current_revision(store.engine) == migrate.BASELINE
    assert _alembic_revision(store.engine) == migrate.BASELINE
    migrate.upgrade(store.engine)
    assert migrate.current_revision(store.engine) == migrate.HEAD
    assert _alembic_revision(store.engine) == migrate.HEAD
    with store.engine.begin() as conn:  # an emptied version table: alembic reads it as none
        conn.execute(text("DELETE FROM alembic_version"))
    assert migrate.current_revision(store.engine) is None is _alembic_revision(store.engine)


def test_a_database_at_head_is_opened_without_alembic(url: str, tmp_path) -> None:
    """A serving worker finds its database at head: it never imports alembic (~12 MiB)."""
    migrate.main_upgrade(url)
    code = (
        "import sys; from directory_api import create_app; "
        f"create_app({{'DATABASE_URL': {url!r}, 'DIRECTORY_INSTANCE_PATH': {str(tmp_path)!r}}}); "
        "print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_fresh_database_to_head(store: Store) -> None:
    assert migrate.current_revision(store.engine) is None

    migrate.upgrade(store.engine)

    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert TABLES | {"alembic_version"} <= _tables(store.engine)
    assert _meta(store.engine) == [("data_version", "0")]
    assert store.data_version() == 0
    assert store.sources() == []


def test_upgrade_is_idempotent(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    migrate.upgrade(store.engine)
    migrate.upgrade(store.engine)  # the quick path: already at head
    # The locked path too, as taken by a process that lost the race to migrate.
    monkeypatch.setattr(migrate, "current_revision", lambda engine: None)
    migrate.upgrade(store.engine)
    monkeypatch.undo()

    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert _meta(store.engine) == [("data_version", "0")]


def test_main_upgrade(url: str) -> None:
    assert migrate.main_upgrade(url) == migrate.head_revision()
    assert migrate.main_upgrade(url) == migrate.head_revision()


def test_downgrade_to_base_and_back(store: Store) -> None:
    migrate.upgrade(store.engine)
    with store.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "base")
    assert migrate.current_revision(store.engine) is None
    assert not TABLES & _tables(store.engine)

    migrate.upgrade(store.engine)
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert _meta(store.engine) == [("data_version", "0")]


# -- the release before migrations ----------------------------------------------------------


def test_previous_release_database_is_stamped_and_keeps_its_data(store: Store) -> None:
    _make_previous_release(store)

    migrate.upgrade(store.engine)

    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert _meta(store.engine) == [("data_version", "3")]
    assert store.data_version() == 3
    [source] = store.sources()
    assert (source.slug, source.version, source.row_count) == ("cak-2025", 1, 2)
    version, providers = store.snapshot()
    assert version == 3
    assert sorted((p.id, p.name, p.cak_contracted) for p in providers) == [
        ("p1", "Apotheek Oost", True),
        ("p2", "Huisarts West", None),
    ]


def test_previous_release_database_without_data_version_row(store: Store) -> None:
    """create_all committed but the process died before inserting the meta row."""
    _make_previous_release(store, data_version=None)

    migrate.upgrade(store.engine)

    assert _meta(store.engine) == [("data_version", "0")]
    assert len(store.sources()) == 1


def test_database_with_some_tables_and_no_revision_is_refused(store: Store) -> None:
    metadata.tables["meta"].create(store.engine)
    with pytest.raises(RuntimeError, match="some of this app's tables"):
        migrate.upgrade(store.engine)
    assert migrate.current_revision(store.engine) is None


def test_unknown_revision_is_refused(store: Store) -> None:
    migrate.upgrade(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(RuntimeError, match="from_the_future"):
        migrate.upgrade(store.engine)


# -- concurrency ------------------------------------------------------------------------------


def _upgrade_own_engine(url: str) -> str | None:
    store = Store(url)
    try:
        migrate.upgrade(store.engine)
        return migrate.current_revision(store.engine)
    finally:
        store.dispose()


def test_concurrent_upgrades_from_threads(url: str) -> None:
    """Like app instances starting at once: each its own engine, all racing to migrate."""
    n = 8
    barrier = threading.Barrier(n)
    results: list[str | None] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(_upgrade_own_engine(url))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert results == [migrate.head_revision()] * n
    check = Store(url)
    try:
        assert _meta(check.engine) == [("data_version", "0")]
    finally:
        check.dispose()


def _upgrade_after(barrier: threading.Barrier, url: str) -> str:
    barrier.wait(timeout=60)
    return migrate.main_upgrade(url)


def test_concurrent_upgrades_from_processes(url: str) -> None:
    """Like gunicorn workers: separate processes (spawned, so nothing is shared) starting the
    upgrade at the same moment; only the database lock keeps them apart."""
    n = 4
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(n, mp_context=spawn) as pool:
        barrier = manager.Barrier(n)
        futures = [pool.submit(_upgrade_after, barrier, url) for _ in range(n)]
        revisions = [f.result(timeout=120) for f in futures]
    assert revisions == [migrate.head_revision()] * n
    assert migrate.main_upgrade(url) == migrate.head_revision()


# -- SQLite details -------------------------------------------------------------------------


def test_sqlite_in_memory() -> None:
    engine = create_engine("sqlite://")
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert TABLES <= _tables(engine)
    finally:
        engine.dispose()


def test_sqlite_lock_file_and_foreign_keys_restored(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        migrate.upgrade(store.engine)
        assert (tmp_path / "db.sqlite3.migrate-lock").exists()
        # The pooled connection the migration used has foreign keys back on.
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.dispose()


# -- migrations and store.py agree -------------------------------------------------------------


def test_migrations_match_store_metadata(store: Store) -> None:
    """Migrating builds exactly store.metadata: a schema change in store.py needs a revision
    in directory_api/migrations/versions/ (the docstring of directory_api/migrate.py says how)."""
    migrate.upgrade(store.engine)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
