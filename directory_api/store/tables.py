"""The schema as SQLAlchemy tables: meta (the data version), sources, their versions and the
providers of each version. The migrations (``migrations/``) build exactly these tables;
tests/store/test_migrations.py fails when the two drift apart."""

from __future__ import annotations

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
    false,
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
    # Invented example data, never to be presented as a real list (0003).
    Column("example", Boolean, nullable=False, server_default=false()),
    # What a re-import without flags reuses (0003).
    Column("default_category", String(64), nullable=True),
    Column("default_contracted", Boolean, nullable=True),
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

# -- the provider columns -------------------------------------------------------------------
# One block: the columns a provider's fields are stored in (versions.PROVIDER_FIELDS, in
# models.ProviderRow's order), apart from the keys that tie a row to its version.

PROVIDER_COLUMNS: tuple[Column, ...] = (
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
    # Facility kind and offered services of a hospital location (0003).
    Column("facility_type", String(32), nullable=True),
    Column("services", Text, nullable=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("location_precision", String(32), nullable=False),
)

# -- end of the provider columns ------------------------------------------------------------

providers = Table(
    "providers",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("source_versions.id"), nullable=False, index=True),
    # Not indexed: nothing queries by it (0002_drop_provider_id_index).
    Column("provider_id", String(32), nullable=False),
    *PROVIDER_COLUMNS,
)
