"""Read-path conventions: one data version per request, ETag/304, Cache-Control, rate limits."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .services import get_services

EXEMPT = {"/health", "/ready"}


def _cached_path(path: str) -> bool:
    return path.startswith("/v1/") and request.method in {"GET", "HEAD"}


def init_app(app: Flask) -> None:
    """Pin the directory per request, answer 304 on a matching ETag, limit request rates."""
    rules_version = app.extensions["directory"].rules.version
    rules_tag = hashlib.sha1(rules_version.encode()).hexdigest()[:8]
    max_age = int(app.config["DIRECTORY_CACHE_SECONDS"])

    limits = app.config.get("DIRECTORY_RATE_LIMIT") or ""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["DIRECTORY_RATE_LIMIT_STORAGE"])
    app.config.setdefault("RATELIMIT_ENABLED", bool(limits))
    limiter = Limiter(
        get_remote_address,  # kept only in the limiter's counters, never logged
        app=app,
        default_limits=[limits] if limits else [],
        default_limits_exempt_when=lambda: request.path in EXEMPT,
    )
    app.extensions["directory_limiter"] = limiter

    @app.before_request
    def _pin_and_validate() -> Response | None:
        if not _cached_path(request.path):
            return None
        directory = get_services().directory()  # pinned in g for the whole request
        g.etag = f"{directory.data_version}-{rules_tag}-{datetime.now(UTC):%Y%m%d}"
        if request.if_none_match.contains(g.etag):
            response = Response(status=304)
            response.set_etag(g.etag)
            response.headers["Cache-Control"] = f"public, max-age={max_age}"
            return response
        return None

    @app.after_request
    def _cache_headers(response: Response) -> Response:
        etag = g.get("etag")
        if etag and response.status_code == 200:
            response.set_etag(etag)
            response.headers["Cache-Control"] = f"public, max-age={max_age}"
            response.vary.add("Accept-Language")
        return response
