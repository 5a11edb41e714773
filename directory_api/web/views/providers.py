"""GET /v1/providers and /v1/providers/{id}: is this pharmacy or hospital in a list?"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE

from directory_api.search.directory import Directory
from directory_api.search.listing import filter_providers, page_of
from directory_api.web.context import request_directory
from directory_api.web.geojson import MEDIA_TYPE as GEOJSON
from directory_api.web.geojson import providers_geojson, wants_geojson
from directory_api.web.schemas import (
    ProviderListArgsSchema,
    ProviderPageSchema,
    ProviderSchema,
    parse_bbox,
)
from directory_api.web.schemas_geo import ProviderFeatureCollectionSchema, geojson_doc

blp = Blueprint("providers", __name__, url_prefix="/v1", description="Providers in the lists")

LIST_ARGS = ProviderListArgsSchema()


def listed(args: dict[str, Any]) -> tuple[Directory, list[int]]:
    """The request's directory and the positions its list filters (q, category,
    contracted, city, bbox) select, in (name, id) order: /v1/providers and the exports."""
    directory = request_directory()
    positions = filter_providers(
        directory,
        q=args.get("q"),
        category=args.get("category"),
        contracted=args.get("contracted"),
        city=args.get("city"),
        bbox=parse_bbox(args["bbox"]) if "bbox" in args else None,
    )
    return directory, positions


@blp.route("/providers")
class Providers(MethodView):
    @blp.arguments(LIST_ARGS, location="query", unknown=RAISE)
    @blp.response(200, ProviderPageSchema)
    @blp.doc(responses=geojson_doc(ProviderFeatureCollectionSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Providers by name, category, contract status, city or map area, paginated."""
        directory, positions = listed(args)
        page = page_of(positions, args["page"], args["page_size"])
        about = {
            "total": page.total,
            "page": args["page"],
            "page_size": args["page_size"],
            "data_version": directory.data_version,
        }
        if wants_geojson(args, request):  # format=geojson or Accept: application/geo+json
            body = providers_geojson(directory, page.items, about)
            return Response(body, content_type=GEOJSON)
        return current_app.json.response(
            {**about, "items": [directory.json(i) for i in page.items]}
        )


@blp.route("/providers/<string:provider_id>")
class ProviderById(MethodView):
    @blp.response(200, ProviderSchema)
    def get(self, provider_id: str) -> Any:
        """One provider by id, with the list it came from."""
        directory = request_directory()
        position = directory.by_id.get(provider_id)
        if position is None:
            abort(404, message=f"no provider with id {provider_id!r}")
            raise AssertionError  # abort raises
        return current_app.json.response(directory.json(position))
