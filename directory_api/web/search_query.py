"""The fast twin of SearchArgsSchema: a plainly valid /v1/search query parsed without webargs
or marshmallow (about 10 x faster), and the view decorator that tries it first.

The reference is `schemas.SearchArgsSchema` (through `@blp.arguments`): `plain_query` must
equal werkzeug's `request.args` and `fast_search_args` must equal `SearchArgsSchema().load`
whenever they answer; for anything unusual they answer None and the documented path parses
and words the errors. tests/web/test_search_query.py holds them equal on mostly valid input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import wraps
from typing import Any

from flask import request

from directory_api.hours.evaluate import HoursError, parse_moment
from directory_api.models import AGE_GROUPS, CARE_CODES, LANGUAGES, SCHEMES
from directory_api.web.schemas import FORMATS


def fast_args_first(
    handle: Callable[[dict[str, Any]], Any],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a documented view method (`@blp.arguments(SearchArgsSchema)`...): a plainly
    valid query goes straight to `handle(args)`; anything else to the documented method, so
    webargs and marshmallow parse it and word its errors. functools.wraps carries the
    method's OpenAPI doc (flask-smorest's `_apidoc`), so the document does not change."""

    def decorator(documented: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(documented)
        def view(*args: Any, **kwargs: Any) -> Any:
            parsed = request_search_args()
            return documented(*args, **kwargs) if parsed is None else handle(parsed)

        return view

    return decorator


def request_search_args() -> dict[str, Any] | None:
    """The current request's search arguments when they are plainly valid, else None."""
    query = plain_query(request.environ.get("QUERY_STRING", ""))
    if query is None:
        multi = request.args
        if all(len(values) == 1 for values in multi.listvalues()):
            query = multi.to_dict()
    return None if query is None else fast_search_args(query)


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


_NUMBER = re.compile(r"-?\d{1,4}(?:\.\d{1,17})?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEARCH_KEYS = frozenset(
    ("care", "near", "lat", "lon", "scheme", "limit", "max_km", "lang", "as_of", "age_group")
    + ("format", "open_now", "open_at")
)
_BOOLEANS = {"true": True, "false": False}


def fast_search_args(args: Mapping[str, str]) -> dict[str, Any] | None:
    """The common, plainly valid search query parsed without marshmallow (about 10 x faster).

    Returns exactly what SearchArgsSchema().load would, or None whenever anything is unusual
    (then the schema decides and words the errors). A property test holds the two equal.
    """
    if not _SEARCH_KEYS.issuperset(args):
        return None
    care = args.get("care")
    scheme = args.get("scheme", "uninsurable")
    lang = args.get("lang", "nl")
    if care not in CARE_CODES or scheme not in SCHEMES or lang not in LANGUAGES:
        return None
    out: dict[str, Any] = {"care": care, "scheme": scheme, "lang": lang, "limit": 10}
    if "near" in args:
        if "lat" in args or "lon" in args or not 1 <= len(args["near"]) <= 200:
            return None
        out["near"] = args["near"]
    elif "lat" in args and "lon" in args:
        lat, lon = _plain_number(args["lat"]), _plain_number(args["lon"])
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        out["lat"], out["lon"] = lat, lon
    else:
        return None
    if "limit" in args:
        raw = args["limit"]
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 100):
            return None
        out["limit"] = int(raw)
    if "max_km" in args:
        max_km = _plain_number(args["max_km"])
        if max_km is None or not 0 < max_km <= 1000:
            return None
        out["max_km"] = max_km
    if "age_group" in args:
        if args["age_group"] not in AGE_GROUPS:
            return None
        out["age_group"] = args["age_group"]
    if "format" in args:
        if args["format"] not in FORMATS:
            return None
        out["format"] = args["format"]
    if "open_now" in args:
        if args["open_now"] not in _BOOLEANS or "open_at" in args:
            return None
        out["open_now"] = _BOOLEANS[args["open_now"]]
    if "open_at" in args:
        try:
            out["open_at"] = parse_moment(args["open_at"])
        except HoursError:
            return None
    if "as_of" in args:
        if not _DAY.fullmatch(args["as_of"]):
            return None
        try:
            out["as_of"] = date.fromisoformat(args["as_of"])
        except ValueError:
            return None
    return out


def _plain_number(raw: str) -> float | None:
    return float(raw) if _NUMBER.fullmatch(raw) else None
