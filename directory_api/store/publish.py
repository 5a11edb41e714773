"""Writing a version's providers: driver-level multi-row INSERTs, the hot part of an import."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, repeat
from operator import add, countOf, itemgetter
from typing import Any

from sqlalchemy.engine import Connection

from directory_api import models
from directory_api.models import ProviderRow
from directory_api.versions.values import PROVIDER_FIELDS, row_values

INSERT_COLUMNS = ("version_id", "provider_id", *PROVIDER_FIELDS)
_DECLARED = {f.name: f for f in models.PROVIDER_FIELDS}
# Booleans SQLite stores as 0/1 (as SQLAlchemy's Boolean does there); text that may be None.
_BOOLEAN = tuple(n for n in PROVIDER_FIELDS if _DECLARED[n].type is bool)
_NULLABLE_TEXT = tuple(
    n for n in PROVIDER_FIELDS if _DECLARED[n].type is str and _DECLARED[n].nullable
)
_AS_INTEGER = {True: 1, False: 0, None: None}.get
_POSITION = {name: i for i, name in enumerate(ProviderRow._fields)}
_AT = {name: itemgetter(i) for name, i in _POSITION.items()}
_REST = tuple(n for n in PROVIDER_FIELDS if n not in _BOOLEAN)  # in ProviderRow's order


def insert_providers(
    conn: Connection, version_id: int, ids: Sequence[str], rows: Sequence[ProviderRow]
) -> None:
    """Driver-level inserts (SQLAlchemy's per-row dict handling doubles the time): on SQLite
    hundreds of rows per INSERT (a third less time than executemany's one by one), else
    one executemany."""
    if len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids for {len(rows)} rows")
    per = rows_per_insert(conn)
    if per <= 1:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        head = f"INSERT INTO providers ({', '.join(INSERT_COLUMNS)}) VALUES "
        records = [
            (version_id, pid, *values)
            for pid, values in zip(ids, map(row_values, rows), strict=True)
        ]
        conn.exec_driver_sql(head + f"({', '.join([mark] * len(INSERT_COLUMNS))})", records)
        return
    with page_cache_for(conn, len(rows)):
        for start in range(0, len(rows), per):
            part = slice(start, start + per)
            sql, params = sqlite_insert(version_id, ids[part], rows[part])
            conn.exec_driver_sql(sql, params)


# About what a stored provider takes in SQLite's pages, its share of the version_id index
# included: 100,000 rows of the benchmark's list fill ~22 MiB.
KIB_PER_ROW = 0.3
MAX_CACHE_KIB = 256 * 1024


@contextmanager
def page_cache_for(conn: Connection, rows: int) -> Iterator[None]:
    """A page cache on this SQLite connection that holds `rows` new providers while they are
    inserted: SQLite's default 2 MiB would spill pages to the WAL (pwrite) mid-statement, over
    and over (a quarter of the INSERTs' time; ~0.05 s per 100,000 rows), only for the commit
    to write them all again. Afterwards the connection's own size is set back, which frees the clean
    pages; the dirty ones stay until the commit writes them."""
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    # A negative size is KiB, a positive one pages (of page_size bytes).
    held = -before if before < 0 else before * _page_kib(conn)
    wanted = min(MAX_CACHE_KIB, int(rows * KIB_PER_ROW))
    if wanted <= held:
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = {-int(wanted)}")  # an integer, never text
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _page_kib(conn: Connection) -> int:
    return max(1, int(conn.exec_driver_sql("PRAGMA page_size").scalar() or 4096) // 1024)


def sqlite_insert(
    version_id: int, ids: Sequence[str], rows: Sequence[ProviderRow]
) -> tuple[str, tuple[Any, ...]]:
    """One multi-row INSERT for these rows and its parameters. SQLite binds a None (and a
    bool) far slower than a string, so what is the same in every row is written into the
    statement instead: the version id, an integer, and NULL for a text column that is
    empty in every row (the usual e-mail, facility type or services column). Nothing
    taken from a file is ever written into the SQL text. The columns are listed in the
    order that makes a row's parameters two C-level steps: (id, contract status as an
    integer), then the rest of its fields, an itemgetter's tuple of the row."""
    version = int(version_id)  # an integer literal, never text
    empty = {
        name
        for name in _NULLABLE_TEXT
        if not any(map(_AT[name], rows))  # then count: "" is no None
        and countOf(map(_AT[name], rows), None) == len(rows)
    }
    given = [name for name in _REST if name not in empty]
    order = ("version_id", "provider_id", *_BOOLEAN, *given, *sorted(empty))
    marks = ", ".join(["?"] * (1 + len(_BOOLEAN) + len(given)) + ["NULL"] * len(empty))
    one = f"({version}, {marks})"
    sql = f"INSERT INTO providers ({', '.join(order)}) VALUES " + ", ".join(repeat(one, len(rows)))
    # never a single position (itemgetter would give the value, no tuple): name, category
    # and the coordinates are never empty
    rest = itemgetter(*map(_POSITION.__getitem__, given))
    flags = zip(ids, *(map(_AS_INTEGER, map(_AT[name], rows)) for name in _BOOLEAN), strict=True)
    return sql, tuple(chain.from_iterable(map(add, flags, map(rest, rows))))


def rows_per_insert(conn: Connection) -> int:
    """How many providers one INSERT may hold: 1 (executemany) but on SQLite, whose
    statements take at most SQLITE_LIMIT_VARIABLE_NUMBER parameters."""
    if conn.dialect.name != "sqlite":
        return 1
    driver = conn.connection.driver_connection
    getlimit = getattr(driver, "getlimit", None)  # Python 3.11+
    limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else 999
    return max(1, min(500, limit // len(INSERT_COLUMNS)))
