"""GET /v1/search: nearest places where this care is reimbursed."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from ..errors import DirectoryError, LocationError
from ..geocode import parse_coordinates
from ..models import Match, Origin
from ..schemas import SearchArgsSchema, SearchResultSchema
from ..search import find_nearest
from ..services import Services, get_services

log = logging.getLogger(__name__)

blp = Blueprint("search", __name__, url_prefix="/v1", description="Search reimbursable care")

# An instance, not the class: webargs would otherwise build a schema on every request.
SEARCH_ARGS = SearchArgsSchema()


class GeodataMissing(DirectoryError):
    status = 503


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SEARCH_ARGS, location="query", unknown=RAISE)
    @blp.response(200, SearchResultSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Nearest places where this care is reimbursed, from a postcode, place or lat/lon."""
        started = time.perf_counter()
        services = get_services()
        directory = services.directory(args.get("as_of"))
        origin = resolve_origin(services, args)
        rule = services.rules.rule(args["care"], args["scheme"])
        matches = find_nearest(
            directory,
            rule,
            origin,
            limit=args["limit"],
            max_km=args.get("max_km"),
            lang=args["lang"],
        )
        lang = args["lang"]
        log_search(args, origin, len(matches), started)
        payload = {
            "query": {
                "care": args["care"],
                "scheme": args["scheme"],
                "lang": lang,
                "limit": args["limit"],
                "max_km": args.get("max_km"),
                "as_of": args["as_of"].isoformat() if "as_of" in args else None,
                "origin": origin_json(origin),
            },
            "advice": [text.get(lang) for text in rule.advice],
            "referral": rule.referral.get(lang) if rule.referral else None,
            "data_version": directory.data_version,
            "results": [
                match_json(directory.json[directory.by_id[m.provider.id]], m) for m in matches
            ],
        }
        return current_app.json.response(payload)


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
        return gazetteer.resolve(text)
    except LocationError as error:
        error.field_name = error.field_name or "near"
        raise


def log_search(args: dict[str, Any], origin: Origin, results: int, started: float) -> None:
    """One line per search: never more than PC4 or 2-decimal coordinates, never the client."""
    where: dict[str, Any] = {"origin_kind": origin.resolved_from}
    if origin.resolved_from == "postcode" and origin.label:
        where["origin_pc4"] = origin.label[:4]
    else:
        where["origin_area"] = f"{origin.lat:.2f},{origin.lon:.2f}"
    log.info(
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


def origin_json(origin: Origin) -> dict[str, Any]:
    return {
        "lat": round(origin.lat, 6),
        "lon": round(origin.lon, 6),
        "resolved_from": origin.resolved_from,
        "precision": origin.precision,
        "label": origin.label,
    }


def match_json(provider: dict[str, Any], match: Match) -> dict[str, Any]:
    r = match.reimbursement
    return {
        "provider": provider,
        "distance_km": match.distance_km,
        "reimbursement": {
            "basis": r.basis,
            "share_percent": r.share_percent,
            "patient_contribution": r.patient_contribution,
            "conditions": list(r.conditions),
        },
    }
