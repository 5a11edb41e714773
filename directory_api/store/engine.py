"""Connections and locks: the engine for a database URL (SQLite in WAL mode, PostgreSQL with
pre-ping), the lock that serialises writers, and the per-source import lock across processes."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Connection, Engine

from directory_api.errors import ImportConflict
from directory_api.store.tables import meta


def make_engine(url: str) -> Engine:
    """An engine for `url`: on SQLite every connection uses WAL and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers go on while an import writes; foreign keys are off by default.
            cur = dbapi_conn.cursor()
            _use_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _use_wal(cur: Any, wait: float = 30.0) -> None:
    """Switch the database file to WAL once. Switching needs a moment with no other writer,
    and SQLite answers 'database is locked' at once instead of waiting (seen when app
    instances start together while one migrates): retry until `wait` runs out."""
    deadline = time.monotonic() + wait
    while True:
        if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            return
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def lock_writers(conn: Connection) -> None:
    """Serialise writers: a row lock on PostgreSQL, a write lock on SQLite."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("UPDATE meta SET value = value WHERE key = 'data_version'")
    else:
        conn.execute(select(meta.c.value).where(meta.c.key == "data_version").with_for_update())


@contextmanager
def import_lock(engine: Engine, slug: str, owner: object) -> Iterator[None]:
    """One import of source `slug` at a time across processes; ImportConflict for the loser.

    PostgreSQL: a session advisory lock keyed by the schema and the source, so stores in other
    schemas of the same database never wait on each other; SQLite: flock on a file beside the
    database (for an in-memory one, a file in the temporary folder named after `owner`). Both
    are released by the operating system or the server if the process dies.
    """
    message = f"another import of source {slug!r} is running; try again when it is done"
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar() or ""
            name = f"{schema}\x00{slug}".encode()
            key = int.from_bytes(hashlib.sha1(name).digest()[:8], "big", signed=True)
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
            if not got:
                raise ImportConflict(message, field_name="source")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database
    path = f"{database}.{slug}.import-lock" if database and database != ":memory:" else None
    if path is None:
        path = os.path.join(tempfile.gettempdir(), f"directory-api-{id(owner)}-{slug}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportConflict(message, field_name="source") from None
        yield
    finally:
        os.close(fd)
