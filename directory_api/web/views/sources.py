"""GET /v1/sources: which lists are loaded and how old they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from directory_api.versions.diff import PAGE_DEFAULT, Change, Diff, DiffCache, counts, page
from directory_api.versions.records import SourceInfo
from directory_api.web.auth import require_admin
from directory_api.web.context import get_services, request_directory
from directory_api.web.schemas import SourceListSchema
from directory_api.web.schemas_sources import (
    DiffArgsSchema,
    DiffSchema,
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
        """What changed in a list between two versions (default: the two latest): the counts,
        and one page (`limit` entries from `offset`) of the added, removed and changed."""
        store = get_services().store
        frm, to = args.get("from_version"), args.get("to_version")
        key = (source, frm, to, request_directory().data_version)
        diff = diff_cache().get(key, lambda: store.diff(source, frm, to))
        return diff_json(diff, args["limit"], args["offset"])


def diff_cache() -> DiffCache:
    """This app's cache of diffs (DIRECTORY_DIFF_CACHE_ENTRIES of them)."""
    cache = current_app.extensions.get("diff_cache")
    if cache is None:
        entries = current_app.config.get("DIRECTORY_DIFF_CACHE_ENTRIES", 8)
        cache = current_app.extensions.setdefault("diff_cache", DiffCache(entries))
    return cache  # type: ignore[no-any-return]


def diff_json(diff: Diff, limit: int = PAGE_DEFAULT, offset: int = 0) -> dict[str, Any]:
    """The diff's counts and one page of each kind (import responses: the first page)."""

    def changes(of: Sequence[Change]) -> list[dict[str, Any]]:
        return [
            {"id": c.provider_id, "name": c.name, "fields_changed": list(c.fields)}
            for c in page(of, limit, offset)
        ]

    return {
        "source": diff.source,
        "from_version": diff.from_version,
        "to_version": diff.to_version,
        "counts": counts(diff),
        "limit": limit,
        "offset": offset,
        "added": changes(diff.added),
        "removed": changes(diff.removed),
        "changed": changes(diff.changed),
        "unchanged": diff.unchanged,
    }
