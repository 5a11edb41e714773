"""SQLAlchemy storage: sources, their versions and providers. The only module that speaks SQL."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from directory_api.errors import ImportConflict, NotFound
from directory_api.models import Provider, ProviderRow
from directory_api.store.migrate import drop_version_table, upgrade
from directory_api.versions.lists import (
    PROVIDER_FIELDS,
    Diff,
    Identity,
    PublishResult,
    SourceInfo,
    Values,
    VersionInfo,
    assign_ids,
    compare,
    compare_new,
    row_values,
    slugify,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("published_version", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

source_versions = Table(
    "source_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("list_date", Date, nullable=True),
    Column("checksum", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_id", "version", name="uq_source_version"),
)

providers = Table(
    "providers",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("source_versions.id"), nullable=False, index=True),
    # Not indexed: nothing queries by it (0002_drop_provider_id_index).
    Column("provider_id", String(32), nullable=False),
    Column("external_id", String(200)),
    Column("name", String(300), nullable=False),
    Column("category", String(64), nullable=False),
    Column("cak_contracted", Boolean, nullable=True),
    Column("street", String(300)),
    Column("house_number", String(50)),
    Column("postcode", String(16)),
    Column("city", String(200)),
    Column("phone", String(100)),
    Column("website", Text),
    Column("email", String(300)),
    Column("opening_hours", Text),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("location_precision", String(32), nullable=False),
)


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """A database of sources, versions and providers, SQLite or PostgreSQL."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or _make_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def create_schema(self) -> None:
        """Create or upgrade the schema with the Alembic migrations (safe to race)."""
        upgrade(self.engine)

    def drop_schema(self) -> None:
        metadata.drop_all(self.engine)
        drop_version_table(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- reading -------------------------------------------------------------------------

    def data_version(self) -> int:
        """Cheap check: increases by one on every publish or rollback."""
        with self.engine.connect() as conn:
            return _data_version(conn)

    def snapshot(self) -> tuple[int, list[Provider]]:
        """The data version and every published provider, read in one transaction."""
        with self.engine.connect() as conn, conn.begin():
            version = _data_version(conn)
            served = _providers_where(
                conn, source_versions.c.version == sources.c.published_version
            )
        return version, served

    def sources(self) -> list[SourceInfo]:
        """Every source with its published version."""
        counts = (
            select(source_versions.c.source_id, func.count().label("n"))
            .group_by(source_versions.c.source_id)
            .subquery()
        )
        query = (
            select(sources, source_versions, counts.c.n)
            .outerjoin(
                source_versions,
                (source_versions.c.source_id == sources.c.id)
                & (source_versions.c.version == sources.c.published_version),
            )
            .outerjoin(counts, counts.c.source_id == sources.c.id)
            .order_by(sources.c.slug)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            SourceInfo(
                slug=r.slug,
                name=r.name,
                version=r.published_version,
                list_date=r.list_date,
                checksum=r.checksum,
                row_count=r.row_count or 0,
                imported_at=_aware(r.imported_at),
                versions=r.n or 0,
            )
            for r in rows
        ]

    def versions(self, slug: str) -> list[VersionInfo]:
        """All versions of a source, oldest first."""
        with self.engine.connect() as conn:
            source = _source_row(conn, slug)
            rows = conn.execute(
                select(source_versions)
                .where(source_versions.c.source_id == source.id)
                .order_by(source_versions.c.version)
            ).all()
        return [
            VersionInfo(
                version=r.version,
                list_date=r.list_date,
                checksum=r.checksum,
                row_count=r.row_count,
                imported_at=_aware(r.imported_at),  # type: ignore[arg-type]
                published=r.version == source.published_version,
            )
            for r in rows
        ]

    def diff(
        self, slug: str, from_version: int | None = None, to_version: int | None = None
    ) -> Diff:
        """What changed in a source between two versions (default: the two latest)."""
        with self.engine.connect() as conn:
            source = _source_row(conn, slug)
            numbers = (
                conn.execute(
                    select(source_versions.c.version)
                    .where(source_versions.c.source_id == source.id)
                    .order_by(source_versions.c.version)
                )
                .scalars()
                .all()
            )
            if to_version is None:
                to_version = numbers[-1] if numbers else None
            if from_version is None:
                earlier = [n for n in numbers if to_version is not None and n < to_version]
                from_version = earlier[-1] if earlier else None
            for v in (from_version, to_version):
                if v is not None and v not in numbers:
                    raise NotFound(f"source {slug!r} has no version {v}", field_name="version")
            old = _version_rows(conn, source.id, from_version)
            new = _version_rows(conn, source.id, to_version)
        return compare(slug, from_version, to_version, old, new)

    # -- writing -------------------------------------------------------------------------

    def publish(
        self,
        name: str,
        rows: Sequence[ProviderRow],
        *,
        checksum: str,
        list_date: date | None = None,
        slug: str | None = None,
        dry_run: bool = False,
        identities: Sequence[Identity] | None = None,
    ) -> PublishResult:
        """Store rows as the next version of a source and publish it, all or nothing.
        `identities`: lists.identity_keys of each row, if known (the importer has them)."""
        slug = slug or slugify(name)
        with self.engine.connect() as conn:
            trans = conn.begin()
            try:
                result = self._publish(
                    conn, slug, name, rows, checksum, list_date, dry_run, identities
                )
            except BaseException:
                trans.rollback()
                raise
            if dry_run:
                trans.rollback()
            else:
                trans.commit()
        return result

    def _publish(
        self,
        conn: Connection,
        slug: str,
        name: str,
        rows: Sequence[ProviderRow],
        checksum: str,
        list_date: date | None,
        dry_run: bool,
        identities: Sequence[Identity] | None = None,
    ) -> PublishResult:
        _lock(conn)
        source = _source_or_create(conn, slug, name)
        previous = _version_rows(conn, source.id, source.published_version)
        ids = assign_ids(slug, rows, previous, identities)
        if previous:
            new = dict(zip(ids, map(row_values, rows), strict=True))
            diff = compare(slug, source.published_version, None, previous, new)
        else:  # every row is added: no values to compare (assign_ids gives distinct ids)
            names = [row.name for row in rows]
            diff = compare_new(slug, source.published_version, None, ids, names)
        if dry_run:
            return PublishResult(slug, None, _data_version(conn), diff)
        number = (
            conn.execute(
                select(func.max(source_versions.c.version)).where(
                    source_versions.c.source_id == source.id
                )
            ).scalar()
            or 0
        ) + 1
        inserted = conn.execute(
            insert(source_versions).values(
                source_id=source.id,
                version=number,
                list_date=list_date,
                checksum=checksum,
                row_count=len(rows),
                imported_at=_now(),
            )
        ).inserted_primary_key
        assert inserted is not None
        version_id = inserted[0]
        if rows:
            _insert_providers(conn, version_id, ids, rows)
        conn.execute(
            update(sources)
            .where(sources.c.id == source.id)
            .values(published_version=number, name=name)
        )
        data_version = _bump(conn)
        diff = Diff(
            slug, diff.from_version, number, diff.added, diff.removed, diff.changed, diff.unchanged
        )
        return PublishResult(slug, number, data_version, diff)

    def snapshot_as_of(self, day: date) -> tuple[tuple[int, ...], list[Provider]]:
        """Per source, the version whose list date is the latest on or before `day`
        (import date where a version has no list date); returns (version ids, providers)."""
        with self.engine.connect() as conn, conn.begin():
            chosen: dict[int, tuple[date, int, int]] = {}
            for r in conn.execute(select(source_versions)).all():
                listed = r.list_date or _aware(r.imported_at).date()  # type: ignore[union-attr]
                if listed <= day and (
                    r.source_id not in chosen or (listed, r.version) > chosen[r.source_id][:2]
                ):
                    chosen[r.source_id] = (listed, r.version, r.id)
            ids = tuple(sorted(v[2] for v in chosen.values()))
            served = _providers_where(conn, providers.c.version_id.in_(ids)) if ids else []
        return ids, served

    @contextmanager
    def source_lock(self, slug: str) -> Iterator[None]:
        """One import of a source at a time across processes; ImportConflict for the loser.

        PostgreSQL: a session advisory lock; SQLite: flock on a file beside the database.
        Both are released by the operating system or the server if the process dies.
        """
        if not _is_slug(slug):
            raise NotFound(f"unknown source {slug!r}", field_name="source")
        message = f"another import of source {slug!r} is running; try again when it is done"
        if self.dialect == "postgresql":
            key = int.from_bytes(hashlib.sha1(slug.encode()).digest()[:8], "big", signed=True)
            with self.engine.connect() as conn:
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
        database = self.engine.url.database
        path = f"{database}.{slug}.import-lock" if database and database != ":memory:" else None
        if path is None:
            path = os.path.join(tempfile.gettempdir(), f"directory-api-{id(self)}-{slug}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ImportConflict(message, field_name="source") from None
            yield
        finally:
            os.close(fd)

    def rollback(self, slug: str, version: int) -> int:
        """Republish an earlier version of a source; returns the new data version."""
        with self.engine.begin() as conn:
            _lock(conn)
            source = _source_row(conn, slug)
            # A number the INTEGER column cannot hold is no version, not a database error.
            exists = (
                1 <= version <= 2**31 - 1
                and conn.execute(
                    select(source_versions.c.id).where(
                        (source_versions.c.source_id == source.id)
                        & (source_versions.c.version == version)
                    )
                ).first()
            )
            if not exists:
                raise NotFound(f"source {slug!r} has no version {version}", field_name="version")
            conn.execute(
                update(sources).where(sources.c.id == source.id).values(published_version=version)
            )
            return _bump(conn)


# -- helpers ------------------------------------------------------------------------------


def _make_engine(url: str) -> Engine:
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


def _lock(conn: Connection) -> None:
    """Serialise writers: a row lock on PostgreSQL, a write lock on SQLite."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("UPDATE meta SET value = value WHERE key = 'data_version'")
    else:
        conn.execute(select(meta.c.value).where(meta.c.key == "data_version").with_for_update())


def _data_version(conn: Connection) -> int:
    value = conn.execute(select(meta.c.value).where(meta.c.key == "data_version")).scalar()
    return int(value) if value is not None else 0


def _bump(conn: Connection) -> int:
    current = _data_version(conn)
    conn.execute(update(meta).where(meta.c.key == "data_version").values(value=str(current + 1)))
    return current + 1


def _source_row(conn: Connection, slug: str) -> Any:
    row = None
    if _is_slug(slug):
        row = conn.execute(select(sources).where(sources.c.slug == slug)).first()
    if row is None:
        raise NotFound(f"unknown source {slug!r}", field_name="source")
    return row


def _is_slug(slug: str) -> bool:
    """Only what slugify makes names a source: never a NUL (PostgreSQL refuses it in a
    query), a path character or a name too long for a lock file."""
    try:
        return slugify(slug) == slug
    except ValueError:
        return False


def _source_or_create(conn: Connection, slug: str, name: str) -> Any:
    row = conn.execute(select(sources).where(sources.c.slug == slug)).first()
    if row is None:
        conn.execute(insert(sources).values(slug=slug, name=name, created_at=_now()))
        row = conn.execute(select(sources).where(sources.c.slug == slug)).first()
    return row


_INSERT_COLUMNS = ("version_id", "provider_id", *PROVIDER_FIELDS)


def _insert_providers(
    conn: Connection, version_id: int, ids: Sequence[str], rows: Sequence[ProviderRow]
) -> None:
    """Driver-level inserts (SQLAlchemy's per-row dict handling doubles the time): on SQLite
    hundreds of rows per INSERT (a third less time than executemany's one by one), else
    one executemany."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    head = f"INSERT INTO providers ({', '.join(_INSERT_COLUMNS)}) VALUES "
    one = f"({', '.join([mark] * len(_INSERT_COLUMNS))})"
    per = _rows_per_insert(conn)
    if per <= 1:
        records = [
            (version_id, pid, *values)
            for pid, values in zip(ids, map(row_values, rows), strict=True)
        ]
        conn.exec_driver_sql(head + one, records)
        return
    if len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids for {len(rows)} rows")
    full = head + ", ".join([one] * per)
    for start in range(0, len(rows), per):
        params: list[Any] = []
        add, extend = params.append, params.extend
        for pid, row in zip(ids[start : start + per], rows[start : start + per], strict=True):
            add(version_id)
            add(pid)
            extend(row_values(row))
        count = len(params) // len(_INSERT_COLUMNS)
        sql = full if count == per else head + ", ".join([one] * count)
        conn.exec_driver_sql(sql, tuple(params))


def _rows_per_insert(conn: Connection) -> int:
    """How many providers one INSERT may hold: 1 (executemany) but on SQLite, whose
    statements take at most SQLITE_LIMIT_VARIABLE_NUMBER parameters."""
    if conn.dialect.name != "sqlite":
        return 1
    driver = conn.connection.driver_connection
    getlimit = getattr(driver, "getlimit", None)  # Python 3.11+
    limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else 999
    return max(1, min(500, limit // len(_INSERT_COLUMNS)))


def _version_rows(conn: Connection, source_id: int, version: int | None) -> dict[str, Values]:
    """provider id -> its values in PROVIDER_FIELDS order."""
    if version is None:
        return {}
    columns = [providers.c.provider_id, *(providers.c[f] for f in PROVIDER_FIELDS)]
    query = (
        select(*columns)
        .join(source_versions, providers.c.version_id == source_versions.c.id)
        .where((source_versions.c.source_id == source_id) & (source_versions.c.version == version))
    )
    return {r[0]: tuple(r[1:]) for r in conn.execute(query)}


# Provider's fields in its own order, each read from the table (or the join).
_JOINED = {
    "id": providers.c.provider_id,
    "source": sources.c.slug,
    "source_version": source_versions.c.version,
    "source_list_date": source_versions.c.list_date,
}
_PROVIDER_COLUMNS = tuple(
    _JOINED[f.name] if f.name in _JOINED else providers.c[f.name] for f in fields(Provider)
)
# Values that repeat across many rows are shared, not stored once per provider.
_SHARED = frozenset(("category", "location_precision", "source", "city"))


def _providers_where(conn: Connection, condition: Any) -> list[Provider]:
    """Providers with their source slug and version number, filtered by `condition`."""
    query = (
        select(*_PROVIDER_COLUMNS)
        .join(source_versions, providers.c.version_id == source_versions.c.id)
        .join(sources, sources.c.id == source_versions.c.source_id)
        .where(condition)
    )
    shared = [i for i, f in enumerate(fields(Provider)) if f.name in _SHARED]
    out = []
    for row in conn.execute(query):
        values = list(row)
        for i in shared:
            if values[i] is not None:
                values[i] = sys.intern(values[i])
        out.append(Provider(*values))
    return out


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
