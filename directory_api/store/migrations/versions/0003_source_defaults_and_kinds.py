"""Columns for the referrer-facing corrections (issue 11): a source says whether it holds
invented example data and remembers the defaults a re-import reuses (category, contract
status); a provider may say what kind of facility it is and which services it offers
(e.g. ``seh``, ``verloskunde``), so childbirth and emergency search can leave out hospitals
that do not fit.

Revision ID: 0003_source_defaults_and_kinds
Revises: 0002_drop_provider_id_index
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_source_defaults_and_kinds"
down_revision: str | Sequence[str] | None = "0002_drop_provider_id_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): no table copy, and the rows keep their data.
    op.add_column(
        "sources", sa.Column("example", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("sources", sa.Column("default_category", sa.String(64), nullable=True))
    op.add_column("sources", sa.Column("default_contracted", sa.Boolean(), nullable=True))
    op.add_column("providers", sa.Column("facility_type", sa.String(32), nullable=True))
    op.add_column("providers", sa.Column("services", sa.Text(), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("providers", "services"),
        ("providers", "facility_type"),
        ("sources", "default_contracted"),
        ("sources", "default_category"),
        ("sources", "example"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
