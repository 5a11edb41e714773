"""Whether an error means "the store cannot be reached", and how to name the store safely.

A store outage (PostgreSQL stopped, restarting, or refusing connections; an SQLite file that
cannot be opened) is told apart from other database errors, which stay internal errors.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from directory_api.errors import StoreUnavailable

T = TypeVar("T")

_SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")


def unreachable(error: BaseException) -> bool:
    """True for a failure to reach the store: a dropped or refused connection, a server
    shutting down or starting up. False for anything else (bad SQL, constraint, bug)."""
    if isinstance(error, StoreUnavailable):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        psycopg = None  # type: ignore[assignment]
    if psycopg is not None and isinstance(orig, psycopg.OperationalError):
        return True
    if isinstance(orig, sqlite3.OperationalError):
        return str(orig).lower().startswith(_SQLITE_UNREACHABLE)
    return False


def store_name(url: str) -> str:
    """The store's URL without password or options: 'postgresql+psycopg://app@db:5432/dir'."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "the configured DATABASE_URL"
    if parsed.drivername.startswith("sqlite"):
        return f"sqlite:///{parsed.database}" if parsed.database else "sqlite (in memory)"
    user = f"{parsed.username}@" if parsed.username else ""
    port = f":{parsed.port}" if parsed.port else ""
    database = f"/{parsed.database}" if parsed.database else ""
    return f"{parsed.drivername}://{user}{parsed.host or ''}{port}{database}"


def unavailable(url: str) -> StoreUnavailable:
    """The error to raise (or show) for an unreachable store."""
    return StoreUnavailable(f"the store at {store_name(url)} is not reachable")


class LazySchema:
    """Runs the migrations once, when the store is first reached: at start-up, or (when the
    store was down then) before the first read after it returns."""

    def __init__(self, create: Callable[[], None]) -> None:
        self._create = create
        self._done = False
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self._done

    def ensure(self) -> None:
        if self._done:
            return
        with self._lock:
            if not self._done:
                self._create()
                self._done = True

    def before(self, call: Callable[[], T]) -> Callable[[], T]:
        """`call`, after making sure the schema exists."""

        def wrapped() -> T:
            self.ensure()
            return call()

        return wrapped
