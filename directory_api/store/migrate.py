"""Schema migrations (Alembic): bring a database of any release of this app to the newest schema.

The Alembic scripts live in ``directory_api/store/migrations`` (shipped with the package); no
alembic.ini is needed. ``upgrade()`` is safe to call from several processes at once (gunicorn
workers, two app instances): they take turns on a lock and the later ones find nothing to do.

A schema change in tables.py needs a new revision (tests/store/test_migrations.py fails
until then), and HEAD below names it. Draft one against a database at the current head,
then read and fix it (SQLite runs it in batch mode, so name any constraint you will want to
drop later):

    DATABASE_URL=sqlite:///draft.sqlite3 python -c "from alembic import command;
    from directory_api.store import migrate; migrate.main_upgrade('sqlite:///draft.sqlite3');
    command.revision(migrate.alembic_config(), 'what changed', autogenerate=True,
    rev_id='0002_what_changed')"
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from directory_api.store.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only to migrate (or to read an odd version table): a process that finds
# its database at HEAD, as every serving worker does at start-up, never imports it (its
# modules take about 12 MiB in each worker).
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# The revision whose tables the releases before migrations made with metadata.create_all.
BASELINE = "0001_initial"
BASELINE_TABLES = frozenset({"meta", "sources", "source_versions", "providers"})
# The newest revision of the scripts (head_revision(); tests/store/test_migrations.py holds the
# two equal), known without reading them with alembic.
HEAD = "0003_source_defaults_and_kinds"
# pg_advisory_lock key shared by every process migrating a database ("director" in ASCII).
PG_LOCK_KEY = 0x6469726563746F72
# Alembic's `context` and `op` are module globals: one migration at a time per process.
_IN_PROCESS = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for the package's scripts; env.py runs on `connection` when given."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    # New scripts are named after their id: `command.revision(cfg, ..., rev_id="0002_...")`.
    cfg.set_main_option("file_template", "%%(rev)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision of the scripts shipped with this release."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration scripts in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at; None when it has never been migrated. Read with SQL
    when its version table holds one revision (as always), else by alembic."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        if len(found) == 1:
            return str(found[0])
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the head revision, keeping its data.

    A database of a release before migrations (its tables but no alembic_version) is stamped
    at the baseline revision first. Runs in one transaction (SQLite too), so a failed
    migration leaves the database as it was.
    """
    if current_revision(engine) == HEAD:
        return  # the usual case at start-up: nothing to lock or do
    with _IN_PROCESS, _migration_connection(engine) as conn, conn.begin():
        if conn.dialect.name == "sqlite":
            # pysqlite begins no transaction before DDL: do it ourselves so the whole upgrade is
            # atomic; IMMEDIATE takes the write lock now rather than half-way through.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        _upgrade(conn)
        if conn.dialect.name == "sqlite":
            violations = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if violations:
                raise RuntimeError(f"migration broke foreign keys: {violations[:5]}")


def main_upgrade(url: str) -> str:
    """Upgrade the database at `url` (for `directory-api db upgrade`); returns its revision."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision is None:
        raise RuntimeError(f"{url}: no revision after upgrading")
    return revision


def drop_version_table(engine: Engine) -> None:
    """Forget the revision (for Store.drop_schema: drop it together with the tables)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")


# -- helpers ------------------------------------------------------------------------------


def _upgrade(conn: Connection) -> None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(conn)
    current = MigrationContext.configure(conn).get_current_revision()
    known = {script.revision for script in ScriptDirectory.from_config(cfg).walk_revisions()}
    if current is not None and current not in known:
        raise RuntimeError(
            f"the database is at revision {current!r}, which this release does not know "
            "(made by a newer release?): refusing to touch it"
        )
    if current is None:
        present = BASELINE_TABLES & set(inspect(conn).get_table_names())
        if present == BASELINE_TABLES:
            # Made by a release before migrations: its tables are the baseline's.
            command.stamp(cfg, BASELINE)
            if conn.execute(text("SELECT 1 FROM meta WHERE key = 'data_version'")).first() is None:
                conn.execute(text("INSERT INTO meta (key, value) VALUES ('data_version', '0')"))
        elif present:
            raise RuntimeError(
                f"the database has some of this app's tables ({', '.join(sorted(present))}) "
                "but not all, and no migration revision: refusing to guess its schema"
            )
    command.upgrade(cfg, "head")


@contextlib.contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection on which only this process migrates until the block ends."""
    dialect = engine.dialect.name
    if dialect == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
            conn.commit()
            try:
                yield conn
            finally:
                _pg_unlock(conn)
    elif dialect == "sqlite":
        lock_path = _sqlite_lock_path(engine)
        with _flock(lock_path), engine.connect() as conn:
            # Batch migrations recreate tables: with foreign keys on, dropping a referenced table
            # deletes or fails. SQLite's recipe: off outside the transaction, check before commit.
            foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            try:
                yield conn
            finally:
                _sqlite_restore(conn, bool(foreign_keys))
    else:
        with engine.connect() as conn:
            yield conn


def _pg_unlock(conn: Connection) -> None:
    try:
        if conn.in_transaction():
            conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
        conn.commit()
    except Exception:
        conn.invalidate()  # closing the session releases the lock


def _sqlite_restore(conn: Connection, foreign_keys: bool) -> None:
    try:
        if conn.in_transaction():
            conn.rollback()
        conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        conn.commit()
    except Exception:
        conn.invalidate()  # a pooled connection must not keep foreign keys off


def _sqlite_lock_path(engine: Engine) -> Path | None:
    """`<database file>.migrate-lock`; None for an in-memory database (one process only)."""
    url = engine.url
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):  # uri=true form
        database = urlparse(database).path
        if not database or database == ":memory:":
            return None
    path = Path(database).resolve()
    return path.with_name(path.name + ".migrate-lock")


@contextlib.contextmanager
def _flock(path: Path | None) -> Iterator[None]:
    """Exclusive lock on `path` across processes and threads (each open() locks apart)."""
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
