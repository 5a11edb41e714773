"""GET /v1/search: nearest places where this care is reimbursed."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from directory_api.errors import DirectoryError, LocationError
from directory_api.geo.gazetteer import parse_coordinates
from directory_api.models import Origin
from directory_api.search.notice import empty_notice
from directory_api.search.timed import timed_nearest
from directory_api.services import Services
from directory_api.web.context import get_services, request_directory
from directory_api.web.geojson import MEDIA_TYPE as GEOJSON
from directory_api.web.geojson import search_geojson, wants_geojson
from directory_api.web.readpath import this_minute
from directory_api.web.schemas import SearchArgsSchema, SearchResultSchema
from directory_api.web.schemas_geo import SearchFeatureCollectionSchema, geojson_doc
from directory_api.web.search_encoding import search_json
from directory_api.web.search_query import fast_args_first

log = logging.getLogger(__name__)

blp = Blueprint("search", __name__, url_prefix="/v1", description="Search reimbursable care")

# An instance, not the class: webargs would otherwise build a schema on every request.
SEARCH_ARGS = SearchArgsSchema()


class GeodataMissing(DirectoryError):
    status = 503


def answer(args: dict[str, Any]) -> Response:
    """The search response for validated arguments (encoded by web.search_encoding)."""
    started = time.perf_counter()
    services = get_services()
    directory = request_directory(args.get("as_of"), services)
    origin = resolve_origin(services, args)
    rule = services.rules.rule(args["care"], args["scheme"], args.get("age_group"))
    at = args.get("open_at")
    if at is None:  # now, to the minute (the ETag says which minute: web/readpath.py)
        at = this_minute()
    only_open = bool(args.get("open_now")) or "open_at" in args
    timed = timed_nearest(
        directory, rule, origin, at=at, only_open=only_open, limit=args["limit"],
        max_km=args.get("max_km"),
    )  # fmt: skip
    log_search(args, origin, len(timed.found), started)
    notice = empty_notice(
        directory, rule, found=len(timed.found), max_km=args.get("max_km"), lang=args["lang"]
    )
    if wants_geojson(args, request):  # format=geojson or Accept: application/geo+json
        body = search_geojson(args, origin, rule, directory, timed, notice)
        return Response(body, content_type=GEOJSON)
    body = search_json(args, origin, rule, directory, timed, notice)
    return Response(body, content_type="application/json")


@blp.route("/search")
class Search(MethodView):
    init_every_request = False  # one instance serves every request: it holds nothing

    def dispatch_request(self, **kwargs: Any) -> Any:
        """get() for GET and HEAD, the only methods routed here (Flask answers OPTIONS),
        without MethodView's per-request method lookup: this is the hot path."""
        return self.get(**kwargs)

    @fast_args_first(answer)  # a plainly valid query skips webargs (web/search_query.py)
    @blp.arguments(SEARCH_ARGS, location="query", unknown=RAISE)
    @blp.response(200, SearchResultSchema)
    @blp.doc(responses=geojson_doc(SearchFeatureCollectionSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Nearest places where this care is reimbursed, from a postcode, place or lat/lon."""
        return answer(args)


def resolve_origin(services: Services, args: dict[str, Any]) -> Origin:
    """lat/lon as given, or `near` resolved offline; errors name the field `near`."""
    if "lat" in args:
        return Origin(args["lat"], args["lon"], "coordinates", "coordinates")
    text = args["near"]
    gazetteer = services.gazetteer
    if not gazetteer.available and parse_coordinates(text) is None:
        raise GeodataMissing(
            "postcode and place lookup is not installed on this server "
            "(run 'directory-api geodata fetch'); search by lat/lon instead",
            field_name="near",
        )
    try:
        return gazetteer.resolve(text, args.get("lang"))
    except LocationError as error:
        error.field_name = error.field_name or "near"
        raise


class SearchStats:
    """Counts searches per care type and logs one summary line a minute per worker: what
    the service is used for, with no origin at all. Per-search lines, with the origin cut
    to PC4 or 2 decimals, are logged only at DEBUG level."""

    def __init__(self, interval: float = 60.0) -> None:
        self.interval = interval
        self.started = time.monotonic()
        self.counts: dict[str, int] = {}
        self.empty = 0

    def add(self, care: str, results: int) -> None:
        self.counts[care] = self.counts.get(care, 0) + 1
        self.empty += results == 0
        now = time.monotonic()
        if now - self.started >= self.interval:
            counts, empty = self.counts, self.empty
            self.counts, self.empty, self.started = {}, 0, now
            log.info(
                "searches",
                extra={"event": "searches", "searches": counts, "no_results": empty},
            )


STATS = SearchStats()


def log_search(args: dict[str, Any], origin: Origin, results: int, started: float) -> None:
    """Count the search; at DEBUG also one line with at most PC4 or 2-decimal coordinates."""
    STATS.add(args["care"], results)
    if not log.isEnabledFor(logging.DEBUG):
        return
    where: dict[str, Any] = {"origin_kind": origin.resolved_from}
    if origin.resolved_from == "postcode" and origin.label:
        where["origin_pc4"] = origin.label[:4]
    else:
        where["origin_area"] = f"{origin.lat:.2f},{origin.lon:.2f}"
    log.debug(
        "search",
        extra={
            "event": "search",
            "care": args["care"],
            "scheme": args["scheme"],
            "results": results,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            **where,
        },
    )
