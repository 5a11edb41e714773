"""Read-path conventions: one data version per request, ETag/304, Cache-Control, rate limits."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from flask import Flask, Request, Response, g, request

from directory_api.hours.evaluate import TIMEZONE
from directory_api.web.context import request_directory

CACHED_METHODS = frozenset(("GET", "HEAD"))


class _Day:
    """Today's date as YYYYMMDD, formatted at most once a minute (it is in every ETag)."""

    stamp = ""
    until = 0.0

    @classmethod
    def get(cls) -> str:
        now = time.time()
        if now >= cls.until:
            cls.stamp, cls.until = time.strftime("%Y%m%d", time.gmtime(now)), now + 60
        return cls.stamp


class _Minute:
    """The current minute, worked out once a minute: as '-HHMM' in UTC (it ends the ETag of
    an answer read at the time of the request) and as the moment such an answer is read at
    (Europe/Amsterdam, seconds 0). One tuple, swapped whole, so threads read one minute."""

    state: tuple[float, float, str, datetime | None] = (0.0, 0.0, "", None)

    @classmethod
    def get(cls) -> tuple[str, datetime]:
        now = time.time()
        start, until, stamp, moment = cls.state
        if moment is None or not start <= now < until:  # a new minute, or the clock went back
            start = now - now % 60
            stamp = time.strftime("-%H%M", time.gmtime(now))
            moment = datetime.fromtimestamp(now, TIMEZONE).replace(second=0, microsecond=0)
            cls.state = (start, start + 60, stamp, moment)
        return stamp, moment


def this_minute() -> datetime:
    """Now, to the minute, in Europe/Amsterdam (as datetime.now(TIMEZONE) with seconds and
    microseconds 0): the moment an answer without open_at is read at."""
    return _Minute.get()[1]


def _asks_open_at(req: Request) -> bool:
    """Whether the query has an open_at argument: without the text 'open_at' and without
    percent escapes (which could spell it) it has none, and werkzeug need not parse it."""
    raw = req.environ.get("QUERY_STRING", "")
    if "open_at" not in raw and "%" not in raw:
        return False
    return "open_at" in req.args


# Answers that carry opening statuses at the time of the request unless open_at is given.
TIMED_PATHS = frozenset({"/v1/search", "/v1/referral"})


def init_app(app: Flask) -> None:
    """Pin the directory per request, answer 304 on a matching ETag, limit request rates."""
    services = app.extensions["directory"]
    rules_tag = hashlib.sha1(services.rules.version.encode()).hexdigest()[:8]
    app.config["DIRECTORY_CACHE_CONTROL"] = (
        f"public, max-age={int(app.config['DIRECTORY_CACHE_SECONDS'])}"
    )
    _init_limiter(app)

    @app.before_request
    def _pin_and_validate() -> Response | None:
        req = request._get_current_object()  # type: ignore[attr-defined]
        if req.method not in CACHED_METHODS or not req.path.startswith("/v1/"):
            return None
        directory = request_directory(services=services)  # pinned in g for the request
        etag = f"{directory.data_version}-{rules_tag}-{_Day.get()}"
        if req.path in TIMED_PATHS and not _asks_open_at(req):
            # Each place's open status is read now: the answer changes with the minute.
            etag += _Minute.get()[0]
        g.etag = etag
        if "HTTP_IF_NONE_MATCH" in req.environ and req.if_none_match.contains(etag):
            response = Response(status=304)
            response.set_etag(etag)
            response.headers["Cache-Control"] = app.config["DIRECTORY_CACHE_CONTROL"]
            return response
        return None


def _init_limiter(app: Flask) -> None:
    """Rate limits per client: see web/limits.py (shared storage, fail open or closed)."""
    from directory_api.web.limits import init_limiter

    init_limiter(app)
