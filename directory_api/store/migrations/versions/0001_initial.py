"""Initial schema: the tables of the first release (meta, sources, source_versions, providers).

Written out by hand to match what that release's ``metadata.create_all`` made, constraint and
index names included, so a database of that release, stamped at this revision, is identical to
one created by it.

Revision ID: 0001_initial
Revises:
Create Date: 2026-05-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("published_version", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "source_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("list_date", sa.Date, nullable=True),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_id", "version", name="uq_source_version"),
    )
    op.create_index("ix_source_versions_source_id", "source_versions", ["source_id"])
    op.create_table(
        "providers",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("source_versions.id"), nullable=False),
        sa.Column("provider_id", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(200)),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("cak_contracted", sa.Boolean, nullable=True),
        sa.Column("street", sa.String(300)),
        sa.Column("house_number", sa.String(50)),
        sa.Column("postcode", sa.String(16)),
        sa.Column("city", sa.String(200)),
        sa.Column("phone", sa.String(100)),
        sa.Column("website", sa.Text),
        sa.Column("email", sa.String(300)),
        sa.Column("opening_hours", sa.Text),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("location_precision", sa.String(32), nullable=False),
    )
    op.create_index("ix_providers_version_id", "providers", ["version_id"])
    op.create_index("ix_providers_provider_id", "providers", ["provider_id"])
    op.bulk_insert(meta, [{"key": "data_version", "value": "0"}])


def downgrade() -> None:
    op.drop_index("ix_providers_provider_id", table_name="providers")
    op.drop_index("ix_providers_version_id", table_name="providers")
    op.drop_table("providers")
    op.drop_index("ix_source_versions_source_id", table_name="source_versions")
    op.drop_table("source_versions")
    op.drop_table("sources")
    op.drop_table("meta")
