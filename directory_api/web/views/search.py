"""GET /v1/search: nearest places where this care is reimbursed."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask, Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from directory_api.errors import DirectoryError, LocationError
from directory_api.geo.geocode import parse_coordinates
from directory_api.models import Origin
from directory_api.search.ranking import nearest, reimbursement
from directory_api.search.rules import CareRule, Eligibility
from directory_api.services import Services, get_services
from directory_api.web.schemas import SearchArgsSchema, SearchResultSchema, fast_search_args

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
        return answer(args)


def install_fast_path(app: Flask) -> None:
    """Serve /v1/search through a lean view: a plainly valid query (schemas.fast_search_args,
    property-tested equal to SearchArgsSchema.load) is answered directly; any other query
    goes through the documented flask-smorest view above, so webargs and marshmallow word
    its errors. The OpenAPI document is built from that view and does not change."""
    endpoint = f"{blp.name}.{Search.__name__}"
    documented = app.view_functions[endpoint]

    def search() -> Any:
        query = plain_query(request.environ.get("QUERY_STRING", ""))
        if query is None:
            multi = request.args
            if all(len(values) == 1 for values in multi.listvalues()):
                query = multi.to_dict()
        args = None if query is None else fast_search_args(query)
        return documented() if args is None else answer(args)

    app.view_functions[endpoint] = search


def plain_query(raw: str) -> dict[str, str] | None:
    """'care=gp&lat=52.1&lon=5.1' as a dict, when it has nothing to decode (no escapes, no
    '+', ASCII only) and no key twice; None for anything else (werkzeug parses that). A
    property test holds it equal to request.args."""
    if not raw or not raw.isascii() or "%" in raw or "+" in raw:
        return None
    query: dict[str, str] = {}
    for part in raw.split("&"):
        key, sep, value = part.partition("=")
        if not sep or not key or key in query:
            return None
        query[key] = value
    return query


def answer(args: dict[str, Any]) -> Response:
    """The search response for validated arguments, assembled from JSON encoded once: each
    provider once per data version, each rule's advice and terms once per language."""
    started = time.perf_counter()
    services = get_services()
    directory = services.directory(args.get("as_of"))
    origin = resolve_origin(services, args)
    rule = services.rules.rule(args["care"], args["scheme"], args.get("age_group"))
    lang = args["lang"]
    found = nearest(directory, rule, origin, limit=args["limit"], max_km=args.get("max_km"))
    log_search(args, origin, len(found), started)
    text = directory.json_bytes
    parts = [
        b'{"query":%b,%b,"data_version":%d,"results":['
        % (
            query_json(args, origin),
            advice_json(rule, lang),
            directory.data_version,
        )
    ]
    for item, km, terms in found:
        parts += (
            b'{"provider":',
            text(item),
            b',"distance_km":',
            b"%r" % km,
            terms_json(terms, lang),
        )
        parts.append(b",")
    if found:
        parts.pop()
    parts.append(b"]}")
    body = b"".join(parts)
    return Response(body, mimetype="application/json")


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def encode(value: Any) -> bytes:
    """UTF-8 JSON, as every response of the app."""
    return _ENCODER.encode(value).encode()


_TERMS_JSON: dict[tuple[int, str], tuple[Eligibility, bytes]] = {}


def terms_json(terms: Eligibility, lang: str) -> bytes:
    """',"reimbursement":{...}}', the end of a result: the terms of the rule entry that
    admits it, in one language, encoded once (the entry is kept with its text, so its id
    cannot be reused)."""
    key = (id(terms), lang)
    cached = _TERMS_JSON.get(key)
    if cached is None:
        r = reimbursement(terms, lang)
        text = encode(
            {
                "basis": r.basis,
                "share_percent": r.share_percent,
                "patient_contribution": r.patient_contribution,
                "conditions": list(r.conditions),
                "restricted_to": list(r.restricted_to),
            }
        )
        cached = _TERMS_JSON[key] = (terms, b',"reimbursement":%b}' % text)
    return cached[1]


_ADVICE: dict[tuple[int, str], tuple[CareRule, bytes]] = {}


def advice_json(rule: CareRule, lang: str) -> bytes:
    """'"advice":[...],"referral":...' for a rule and language, encoded once (the rule is
    kept with its text, so its id cannot be reused)."""
    key = (id(rule), lang)
    cached = _ADVICE.get(key)
    if cached is None:
        advice = [t.get(lang) for t in rule.advice]
        referral = rule.referral.get(lang) if rule.referral else None
        text = b'"advice":%b,"referral":%b' % (encode(advice), encode(referral))
        cached = _ADVICE[key] = (rule, text)
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


def query_json(args: dict[str, Any], origin: Origin) -> bytes:
    """The query as understood, with its origin. care, scheme and lang are codes from fixed
    lists (fast_search_args and the schema admit no others), so only the label is escaped."""
    max_km, as_of, label = args.get("max_km"), args.get("as_of"), origin.label
    age = args.get("age_group")
    return (
        b'{"care":"%s","scheme":"%s","lang":"%s","limit":%d,"max_km":%s,"as_of":%s,'
        b'"age_group":%s,"origin":{"lat":%r,"lon":%r,"resolved_from":"%s","precision":"%s","label":%s}}'
        % (
            args["care"].encode(),
            args["scheme"].encode(),
            args["lang"].encode(),
            args["limit"],
            b"null" if max_km is None else b"%r" % float(max_km),
            b"null" if as_of is None else b'"%s"' % as_of.isoformat().encode(),
            b"null" if age is None else b'"%s"' % age.encode(),
            round(origin.lat, 6),
            round(origin.lon, 6),
            origin.resolved_from.encode(),
            origin.precision.encode(),
            b"null" if label is None else encode(label),
        )
    )
