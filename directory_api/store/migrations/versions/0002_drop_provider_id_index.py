"""Drop ix_providers_provider_id: no query filters on provider_id (a provider is looked up in
the worker's in-memory index), and keeping a B-tree over random ids cost about a quarter of
the SQLite insert time of an import (issue 5: import of 100k rows vs a csv.reader pass).

Revision ID: 0002_drop_provider_id_index
Revises: 0001_initial
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_drop_provider_id_index"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_providers_provider_id", table_name="providers")


def downgrade() -> None:
    op.create_index("ix_providers_provider_id", "providers", ["provider_id"])
