"""GET /v1/providers.csv and /v1/providers.geojson: the whole published directory, streamed.

The same filters as /v1/providers (no pages). The ETag is the read path's, keyed on the data
version (web/readpath.py): a client that sends it back in If-None-Match gets a 304 until a
list changes. The CSV imports again to the same providers (web/csv_export.py).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from directory_api.web.csv_export import MEDIA_TYPE as CSV
from directory_api.web.csv_export import stream_csv
from directory_api.web.geojson import MEDIA_TYPE as GEOJSON
from directory_api.web.geojson import stream_providers_geojson
from directory_api.web.schemas_geo import ProviderFeatureCollectionSchema
from directory_api.web.schemas_referral import ExportArgsSchema
from directory_api.web.views.providers import listed

blp = Blueprint("export", __name__, url_prefix="/v1", description="The whole directory")

EXPORT_ARGS = ExportArgsSchema()


def _download(body: Any, mimetype: str, name: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


CSV_DOC = {
    200: {
        "description": "Every matching provider, one CSV row each (header names as the import's)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@blp.route("/providers.csv")
class ProvidersCsv(MethodView):
    @blp.arguments(EXPORT_ARGS, location="query", unknown=RAISE)
    @blp.doc(responses=CSV_DOC)
    def get(self, args: dict[str, Any]) -> Any:
        """The published directory as CSV (streamed; re-imports to the same providers)."""
        directory, positions = listed(args)
        providers = directory.providers
        rows = stream_csv(providers[i] for i in positions)
        return _download(rows, CSV, f"providers-{directory.data_version}.csv")


@blp.route("/providers.geojson")
class ProvidersGeojson(MethodView):
    @blp.arguments(EXPORT_ARGS, location="query", unknown=RAISE)
    @blp.response(200, ProviderFeatureCollectionSchema, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """The published directory as an RFC 7946 FeatureCollection (streamed)."""
        directory, positions = listed(args)
        members = {"total": len(positions), "data_version": directory.data_version}
        body = stream_providers_geojson(directory, positions, members, keep=False)
        return _download(body, GEOJSON, f"providers-{directory.data_version}.geojson")
