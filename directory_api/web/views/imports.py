"""Admin: POST /v1/sources/{source}/imports and /rollback, guarded by bearer tokens."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from directory_api.imports.pipeline import ImportOutcome, import_file, import_records
from directory_api.versions.identity import slugify
from directory_api.web.auth import require_admin
from directory_api.web.context import get_services
from directory_api.web.schemas_sources import (
    ImportOptionsSchema,
    ImportResultSchema,
    RollbackResultSchema,
    RollbackSchema,
)
from directory_api.web.views.sources import diff_json

blp = Blueprint("imports", __name__, url_prefix="/v1", description="Admin: import and roll back")

OPTIONS = ImportOptionsSchema()
ROLLBACK = RollbackSchema()
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]

IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "CSV list"},
                    "name": {"type": "string"},
                    "list_date": {"type": "string", "format": "date"},
                    "category": {"type": "string"},
                    "contracted": {"type": "boolean"},
                    "skip_invalid": {"type": "boolean"},
                    "dry_run": {"type": "boolean"},
                },
            }
        },
        # The schema itself: apispec registers it as a component and writes the $ref.
        "application/json": {"schema": ImportOptionsSchema},
    },
}


@blp.route("/sources/<string:source>/imports")
class SourceImports(MethodView):
    @blp.doc(security=SECURITY, requestBody=IMPORT_BODY)
    @blp.response(201, ImportResultSchema, description="Published as a new version")
    @blp.alt_response(200, schema=ImportResultSchema, description="Dry run: nothing published")
    @blp.alt_response(401, description="No bearer token")
    @blp.alt_response(403, description="Token not valid here")
    @blp.alt_response(409, description="Another import of this source is running")
    @blp.alt_response(413, description="Upload too large")
    @require_admin
    def post(self, source: str) -> Any:
        """Import a CSV file (multipart `file`) or JSON `rows` as the next version of a list."""
        _check_slug(source)
        options, data = _read_request()
        services = get_services()
        name = options.get("name") or _current_name(source)
        common = {
            "source_name": name,
            "slug": source,
            "category": options.get("category"),
            "contracted": options.get("contracted"),
            "list_date": options.get("list_date"),
            "skip_invalid": options["skip_invalid"],
            "dry_run": options["dry_run"],
            "http": True,
            "max_problems": current_app.config["DIRECTORY_IMPORT_MAX_PROBLEMS"],
        }
        if data is not None:
            outcome = import_file(services, data, **common)
        else:
            outcome = import_records(services, options["rows"], **common)
        return outcome_json(outcome), 200 if outcome.dry_run else 201


@blp.route("/sources/<string:source>/rollback")
class SourceRollback(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(ROLLBACK)
    @blp.response(200, RollbackResultSchema)
    @blp.alt_response(401, description="No bearer token")
    @blp.alt_response(403, description="Token not valid here")
    @require_admin
    def post(self, args: dict[str, Any], source: str) -> Any:
        """Publish an earlier version of a list again."""
        store = get_services().store
        with store.source_lock(source):
            data_version = store.rollback(source, args["version"])
        return {"source": source, "version": args["version"], "data_version": data_version}


def _check_slug(source: str) -> None:
    try:
        ok = slugify(source) == source
    except ValueError:
        ok = False
    if not ok:
        abort(422, message=f"{source!r} is not a source slug", errors={"source": ["not a slug"]})


def _read_request() -> tuple[dict[str, Any], bytes | None]:
    """(options, CSV bytes) from multipart form data, or (options incl. rows, None) from JSON."""
    try:
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                abort(
                    422, message="send the CSV as form field 'file'", errors={"file": ["missing"]}
                )
                raise AssertionError  # abort raises
            form = {k: v for k, v in request.form.items() if v != ""}
            options = OPTIONS.load({**_query_options(), **form})
            return options, upload.read()
        if request.is_json:
            _read_whole_body()
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                abort(422, message="JSON body must be an object with 'rows'")
                raise AssertionError  # abort raises
            options = OPTIONS.load({**_query_options(), **body})
            if not options.get("rows"):
                abort(422, message="JSON import needs 'rows'", errors={"rows": ["missing"]})
            return options, None
    except ma.ValidationError as error:
        abort(422, message="invalid import options", errors=error.normalized_messages())
    abort(415, message="send multipart/form-data with a 'file', or application/json with 'rows'")
    raise AssertionError  # abort raises


def _read_whole_body() -> None:
    """Read the body, or 413. Werkzeug cuts a body sent without a Content-Length (chunked)
    at MAX_CONTENT_LENGTH without a word; the cut JSON would then get a misleading 422."""
    request.get_data(cache=True)
    request.stream.read(1)  # at the limit with more to come: RequestEntityTooLarge


def _query_options() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in {"dry_run", "skip_invalid"}}


def _current_name(slug: str) -> str:
    for s in get_services().store.sources():
        if s.slug == slug:
            return s.name
    return slug


def outcome_json(outcome: ImportOutcome) -> dict[str, Any]:
    r = outcome.result
    return {
        "source": r.source,
        "version": r.version,
        "data_version": r.data_version,
        "dry_run": outcome.dry_run,
        "rows": len(outcome.parsed.rows),
        "checksum": outcome.parsed.checksum,
        "diff": diff_json(r.diff),
        "warnings": outcome.warnings,
        "skipped": [p.as_dict() for p in outcome.parsed.problems],
        "problem_counts": outcome.parsed.problem_summary(),
    }
