"""GET /v1/search: nearest places where this care is reimbursed."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import RAISE

from ..blueprint import Blueprint
from ..errors import DirectoryError, LocationError
from ..geocode import parse_coordinates
from ..models import Origin, Reimbursement
from ..rules import CareRule
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
        log_search(args, origin, len(matches), started)
        query = {
            "care": args["care"],
            "scheme": args["scheme"],
            "lang": args["lang"],
            "limit": args["limit"],
            "max_km": args.get("max_km"),
            "as_of": args["as_of"].isoformat() if "as_of" in args else None,
            "origin": origin_json(origin),
        }
        results = ",".join(
            f'{{"provider":{directory.text(directory.by_id[m.provider.id])},'
            f'"distance_km":{m.distance_km!r},'
            f'"reimbursement":{reimbursement_text(m.reimbursement)}}}'
            for m in matches
        )
        body = (
            f'{{"query":{dumps(query)},{advice_text(rule, args["lang"])},'
            f'"data_version":{directory.data_version},"results":[{results}]}}'
        )
        return Response(body, mimetype="application/json")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_TERMS_TEXT: dict[int, tuple[Reimbursement, str]] = {}


def reimbursement_text(r: Reimbursement) -> str:
    """JSON of a result's terms; search shares one object per terms and language, so each
    is encoded once (the object is kept with its text, so its id cannot be reused)."""
    cached = _TERMS_TEXT.get(id(r))
    if cached is None:
        text = dumps(
            {
                "basis": r.basis,
                "share_percent": r.share_percent,
                "patient_contribution": r.patient_contribution,
                "conditions": list(r.conditions),
            }
        )
        cached = _TERMS_TEXT[id(r)] = (r, text)
    return cached[1]


_ADVICE: dict[tuple[int, str], tuple[CareRule, str]] = {}


def advice_text(rule: CareRule, lang: str) -> str:
    """'"advice":[...],"referral":...' for a rule and language, encoded once (the rule is
    kept with its text, so its id cannot be reused)."""
    key = (id(rule), lang)
    cached = _ADVICE.get(key)
    if cached is None:
        advice = [t.get(lang) for t in rule.advice]
        referral = rule.referral.get(lang) if rule.referral else None
        cached = _ADVICE[key] = (rule, f'"advice":{dumps(advice)},"referral":{dumps(referral)}')
    return cached[1]


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


def origin_json(origin: Origin) -> dict[str, Any]:
    return {
        "lat": round(origin.lat, 6),
        "lon": round(origin.lon, 6),
        "resolved_from": origin.resolved_from,
        "precision": origin.precision,
        "label": origin.label,
    }
