"""GET /v1/sources: which lists are loaded and how old they are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from directory_api.versions.diff import Change, Diff
from directory_api.versions.records import SourceInfo
from directory_api.web.auth import require_admin
from directory_api.web.context import get_services, request_directory
from directory_api.web.schemas import (
    DiffArgsSchema,
    DiffSchema,
    SourceListSchema,
    SourceRemovedSchema,
    VersionListSchema,
)

blp = Blueprint("sources", __name__, url_prefix="/v1", description="Imported lists")

DIFF_ARGS = DiffArgsSchema()


@blp.route("/sources")
class Sources(MethodView):
    @blp.response(200, SourceListSchema)
    def get(self) -> Any:
        """Every imported list: version, list date, rows, checksum and age in days."""
        services = get_services()
        directory = request_directory()
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
        "example": s.example,
    }


@blp.route("/sources/<string:source>")
class SourceById(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200, SourceRemovedSchema)
    @blp.alt_response(401, description="No bearer token")
    @blp.alt_response(403, description="Token not valid here")
    @blp.alt_response(404, description="Unknown source")
    @require_admin
    def delete(self, source: str) -> Any:
        """Admin: take a list out of what is served; its versions stay for the record (the
        next import, or a rollback, publishes it again)."""
        store = get_services().store
        with store.source_lock(source):
            data_version = store.remove_source(source)
        return {
            "source": source,
            "data_version": data_version,
            "versions": len(store.versions(source)),
        }


@blp.route("/sources/<string:source>/versions")
class SourceVersions(MethodView):
    @blp.response(200, VersionListSchema)
    def get(self, source: str) -> Any:
        """Every version of a list, oldest first, and which one is published."""
        return {"source": source, "versions": get_services().store.versions(source)}


@blp.route("/sources/<string:source>/diff")
class SourceDiff(MethodView):
    @blp.arguments(DIFF_ARGS, location="query", unknown=RAISE)
    @blp.response(200, DiffSchema)
    def get(self, args: dict[str, Any], source: str) -> Any:
        """What changed in a list between two versions (default: the two latest)."""
        diff = get_services().store.diff(source, args.get("from_version"), args.get("to_version"))
        return diff_json(diff)


def diff_json(diff: Diff) -> dict[str, Any]:
    def change(c: Change) -> dict[str, Any]:
        return {"id": c.provider_id, "name": c.name, "fields_changed": list(c.fields)}

    return {
        "source": diff.source,
        "from_version": diff.from_version,
        "to_version": diff.to_version,
        "added": [change(c) for c in diff.added],
        "removed": [change(c) for c in diff.removed],
        "changed": [change(c) for c in diff.changed],
        "unchanged": diff.unchanged,
    }
