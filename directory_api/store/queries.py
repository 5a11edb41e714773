"""The store's reading helpers on an open connection: the data version (and its bump), a
source by slug, a version's provider values, and published providers as `Provider`s."""

from __future__ import annotations

import sys
from collections.abc import Collection
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection

from directory_api.errors import NotFound
from directory_api.models import Provider
from directory_api.store.tables import meta, providers, source_versions, sources
from directory_api.versions.identity import slugify
from directory_api.versions.values import PROVIDER_FIELDS, Values


def now() -> datetime:
    return datetime.now(UTC)


def data_version(conn: Connection) -> int:
    value = conn.execute(select(meta.c.value).where(meta.c.key == "data_version")).scalar()
    return int(value) if value is not None else 0


def bump(conn: Connection) -> int:
    current = data_version(conn)
    conn.execute(update(meta).where(meta.c.key == "data_version").values(value=str(current + 1)))
    return current + 1


def source_row(conn: Connection, slug: str) -> Any:
    row = None
    if is_slug(slug):
        row = conn.execute(select(sources).where(sources.c.slug == slug)).first()
    if row is None:
        raise NotFound(f"unknown source {slug!r}", field_name="source")
    return row


def is_slug(slug: str) -> bool:
    """Only what slugify makes names a source: never a NUL (PostgreSQL refuses it in a
    query), a path character or a name too long for a lock file."""
    try:
        return slugify(slug) == slug
    except ValueError:
        return False


def source_or_create(conn: Connection, slug: str, name: str) -> Any:
    row = conn.execute(select(sources).where(sources.c.slug == slug)).first()
    if row is None:
        conn.execute(insert(sources).values(slug=slug, name=name, created_at=now()))
        row = conn.execute(select(sources).where(sources.c.slug == slug)).first()
    return row


def version_rows(conn: Connection, source_id: int, version: int | None) -> dict[str, Values]:
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
    "example": sources.c.example,
}
_PROVIDER_COLUMNS = tuple(
    _JOINED[f.name] if f.name in _JOINED else providers.c[f.name] for f in fields(Provider)
)
# Values that repeat across many rows are shared, not stored once per provider: a few
# values in every list (interned), and values that lists repeat (one object per distinct
# value in one read: streets, house numbers, opening hours hold a few hundred values per
# 100,000 rows; each row read from the database holds its own copy until it is shared).
_INTERNED = frozenset(("category", "location_precision", "source", "city"))
_REPEATED = frozenset(
    ("street", "house_number", "opening_hours", "facility_type", "services", "source_list_date")
)


def providers_where(conn: Connection, condition: Any) -> list[Provider]:
    """Providers with their source slug and version number, filtered by `condition`."""
    query = (
        select(*_PROVIDER_COLUMNS)
        .join(source_versions, providers.c.version_id == source_versions.c.id)
        .join(sources, sources.c.id == source_versions.c.source_id)
        .where(condition)
    )
    names = [f.name for f in fields(Provider)]
    interned = [i for i, name in enumerate(names) if name in _INTERNED]
    repeated = [i for i, name in enumerate(names) if name in _REPEATED]
    share = {None: None}.setdefault  # the first of equal values read stands for them all
    out = []
    for row in conn.execute(query):
        values = list(row)
        for i in interned:
            if values[i] is not None:
                values[i] = sys.intern(values[i])
        for i in repeated:
            value = values[i]
            values[i] = share(value, value)
        out.append(Provider(*values))
    return out


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def version_table(conn: Connection) -> list[tuple[str, int, date, bool]]:
    """(source slug, version, list date or import date, published?) of every stored version."""
    query = select(
        sources.c.slug,
        source_versions.c.version,
        source_versions.c.list_date,
        source_versions.c.imported_at,
        sources.c.published_version,
    ).join(sources, sources.c.id == source_versions.c.source_id)
    out = []
    for slug, version, list_date, imported_at, published in conn.execute(query):
        listed = list_date or aware(imported_at).date()  # type: ignore[union-attr]
        out.append((slug, version, listed, version == published))
    return out


def of_versions(versions: Collection[tuple[str, int]]) -> Any:
    """A condition on providers_where's join: the row is of one of these (slug, version)."""
    return or_(
        *(
            and_(sources.c.slug == slug, source_versions.c.version == version)
            for slug, version in sorted(versions)
        )
    )
