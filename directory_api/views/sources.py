"""GET /v1/sources: which lists are loaded and how old they are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..schemas import SourceListSchema
from ..services import get_services
from ..store import SourceInfo

blp = Blueprint("sources", __name__, url_prefix="/v1", description="Imported lists")


@blp.route("/sources")
class Sources(MethodView):
    @blp.response(200, SourceListSchema)
    def get(self) -> Any:
        """Every imported list: version, list date, rows, checksum and age in days."""
        services = get_services()
        directory = services.directory()
        return {
            "data_version": directory.data_version,
            "sources": [source_json(s) for s in services.store.sources()],
        }


def source_json(s: SourceInfo) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    reference = s.list_date or (s.imported_at.date() if s.imported_at else None)
    return {
        "slug": s.slug,
        "name": s.name,
        "version": s.version,
        "list_date": s.list_date,
        "checksum": s.checksum,
        "row_count": s.row_count,
        "imported_at": s.imported_at,
        "age_days": (today - reference).days if reference else None,
        "versions": s.versions,
    }
