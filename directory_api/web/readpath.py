"""Read-path conventions: one data version per request, ETag/304, Cache-Control, rate limits."""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Response, g, request

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
        if req.path in TIMED_PATHS and "open_at" not in req.args:
            # Each place's open status is read now: the answer changes with the minute.
            etag += time.strftime("-%H%M", time.gmtime())
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
