"""The `Store`: sources, their versions and providers in SQLite or PostgreSQL (over SQLAlchemy),
read as snapshots and diffs, written a whole version at a time."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from directory_api.errors import NotFound
from directory_api.models import Provider, ProviderRow
from directory_api.store.engine import import_lock, lock_writers, make_engine
from directory_api.store.migrate import drop_version_table, upgrade
from directory_api.store.publish import insert_providers
from directory_api.store.queries import (
    aware,
    bump,
    data_version,
    is_slug,
    now,
    of_versions,
    providers_where,
    source_or_create,
    source_row,
    version_rows,
    version_table,
)
from directory_api.store.tables import metadata, providers, source_versions, sources
from directory_api.versions.diff import Diff, compare
from directory_api.versions.diff_fast import compare_new
from directory_api.versions.identity import assign_ids, slugify
from directory_api.versions.records import (
    PublishResult,
    SourceDefaults,
    SourceInfo,
    VersionInfo,
)
from directory_api.versions.values import row_values


class Store:
    """A database of sources, versions and providers, SQLite or PostgreSQL."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)

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
            return data_version(conn)

    def snapshot(self) -> tuple[int, list[Provider]]:
        """The data version and every published provider, read in one transaction."""
        with self.engine.connect() as conn, conn.begin():
            version = data_version(conn)
            served = providers_where(conn, source_versions.c.version == sources.c.published_version)
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
                imported_at=aware(r.imported_at),
                versions=r.n or 0,
                example=bool(r.example),
            )
            for r in rows
        ]

    def source_defaults(self, slug: str) -> SourceDefaults | None:
        """The name and re-import defaults a source remembers; None for a new source."""
        if not is_slug(slug):
            return None
        with self.engine.connect() as conn:
            r = conn.execute(select(sources).where(sources.c.slug == slug)).first()
        if r is None:
            return None
        return SourceDefaults(r.name, r.default_category, r.default_contracted, bool(r.example))

    def remove_source(self, slug: str) -> int:
        """Take a source out of what is served (its versions stay for the record; the next
        import or a rollback publishes it again); returns the new data version."""
        with self.engine.begin() as conn:
            lock_writers(conn)
            source = source_row(conn, slug)
            conn.execute(
                update(sources).where(sources.c.id == source.id).values(published_version=None)
            )
            return bump(conn)

    def versions(self, slug: str) -> list[VersionInfo]:
        """All versions of a source, oldest first."""
        with self.engine.connect() as conn:
            source = source_row(conn, slug)
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
                imported_at=aware(r.imported_at),  # type: ignore[arg-type]
                published=r.version == source.published_version,
            )
            for r in rows
        ]

    def diff(
        self, slug: str, from_version: int | None = None, to_version: int | None = None
    ) -> Diff:
        """What changed in a source between two versions (default: the two latest)."""
        with self.engine.connect() as conn:
            source = source_row(conn, slug)
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
            old = version_rows(conn, source.id, from_version)
            new = version_rows(conn, source.id, to_version)
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
        keys: Sequence[str] | None = None,
        remember: Mapping[str, object] | None = None,
    ) -> PublishResult:
        """Store rows as the next version of a source and publish it, all or nothing.
        `keys`: identity_key of each row, if known (the importer has them).
        `remember`: source columns to keep with it (example, default_category,
        default_contracted: what a re-import without flags reuses)."""
        slug = slug or slugify(name)
        with self.engine.connect() as conn:
            trans = conn.begin()
            try:
                result = self._publish(conn, slug, name, rows, checksum, list_date, dry_run, keys)
                if remember and not dry_run:
                    conn.execute(update(sources).where(sources.c.slug == slug).values(**remember))
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
        keys: Sequence[str] | None = None,
    ) -> PublishResult:
        lock_writers(conn)
        source = source_or_create(conn, slug, name)
        # A removed source (nothing published) keeps its ids from its latest version.
        latest = source.published_version or (
            conn.execute(
                select(func.max(source_versions.c.version)).where(
                    source_versions.c.source_id == source.id
                )
            ).scalar()
        )
        previous = version_rows(conn, source.id, latest)
        ids = assign_ids(slug, rows, previous, keys)
        if previous:
            new = dict(zip(ids, map(row_values, rows), strict=True))
            diff = compare(slug, latest, None, previous, new)
        else:  # every row is added: no values to compare (assign_ids gives distinct ids)
            names = [row.name for row in rows]
            diff = compare_new(slug, latest, None, ids, names)
        if dry_run:
            return PublishResult(slug, None, data_version(conn), diff)
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
                imported_at=now(),
            )
        ).inserted_primary_key
        assert inserted is not None
        version_id = inserted[0]
        if rows:
            insert_providers(conn, version_id, ids, rows)
        conn.execute(
            update(sources)
            .where(sources.c.id == source.id)
            .values(published_version=number, name=name)
        )
        new_data_version = bump(conn)
        diff = Diff(
            slug, diff.from_version, number, diff.added, diff.removed, diff.changed, diff.unchanged
        )
        return PublishResult(slug, number, new_data_version, diff)

    def snapshot_as_of(self, day: date) -> tuple[tuple[int, ...], list[Provider]]:
        """Per source, the version whose list date is the latest on or before `day`
        (import date where a version has no list date); returns (version ids, providers)."""
        with self.engine.connect() as conn, conn.begin():
            chosen: dict[int, tuple[date, int, int]] = {}
            for r in conn.execute(select(source_versions)).all():
                listed = r.list_date or aware(r.imported_at).date()  # type: ignore[union-attr]
                if listed <= day and (
                    r.source_id not in chosen or (listed, r.version) > chosen[r.source_id][:2]
                ):
                    chosen[r.source_id] = (listed, r.version, r.id)
            ids = tuple(sorted(v[2] for v in chosen.values()))
            served = providers_where(conn, providers.c.version_id.in_(ids)) if ids else []
        return ids, served

    def version_table(self) -> tuple[int, list[tuple[str, int, date, bool]]]:
        """The data version and, for every stored version, (source slug, version, list date
        or import date, published?): one small query, no provider rows (search/as_of.py)."""
        with self.engine.connect() as conn, conn.begin():
            return data_version(conn), version_table(conn)

    def providers_of(self, versions: Collection[tuple[str, int]]) -> list[Provider]:
        """The providers of exactly these (source slug, version) pairs."""
        if not versions:
            return []
        with self.engine.connect() as conn, conn.begin():
            return providers_where(conn, of_versions(versions))

    @contextmanager
    def source_lock(self, slug: str) -> Iterator[None]:
        """One import of a source at a time across processes; ImportConflict for the loser.

        PostgreSQL: a session advisory lock; SQLite: flock on a file beside the database.
        Both are released by the operating system or the server if the process dies.
        """
        if not is_slug(slug):
            raise NotFound(f"unknown source {slug!r}", field_name="source")
        with import_lock(self.engine, slug, self):
            yield

    def rollback(self, slug: str, version: int) -> int:
        """Republish an earlier version of a source; returns the new data version."""
        with self.engine.begin() as conn:
            lock_writers(conn)
            source = source_row(conn, slug)
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
            return bump(conn)
