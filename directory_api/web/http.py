"""HTTP conventions shared by every response: security headers, CORS, caching, local docs;
and JSON bodies nested too deeply refused (400) before anything parses them.
"""

from __future__ import annotations

import re

from flask import Flask, Response, g, request, send_from_directory
from flask_smorest import abort

from directory_api.web.context import pinned_directory

READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
READ_PATHS = frozenset(("/health", "/ready", "/openapi.json", "/widget.js"))
# Reads whose URL holds where someone is (a postcode, coordinates): "private", so that no
# shared cache keeps them. One more such endpoint is one more path here.
PRIVATE_PATHS = frozenset(("/v1/search", "/v1/referral", "/referral"))
# Every HTML page may be framed by this site only; a page that sets its own policy keeps it
# (/embed: framable by any site, that is what it is for).
HTML_CSP = "frame-ancestors 'self'; base-uri 'self'; object-src 'none'; form-action 'self'"
MAX_JSON_DEPTH = 32  # the deepest nesting of a JSON body (imports need 3: {rows: [{...}]})


def init_app(app: Flask) -> None:
    """Register headers for every response and the Swagger UI assets (served locally)."""
    import swagger_ui_bundle

    assets = swagger_ui_bundle.swagger_ui_path

    @app.get("/static/swagger-ui/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        return send_from_directory(assets, filename, max_age=86400)

    origins = app.config["DIRECTORY_CORS_ORIGINS"]
    preflight = {
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
        "Access-Control-Max-Age": "86400",
    }

    @app.before_request
    def _json_depth() -> None:
        """A body nested deeper than MAX_JSON_DEPTH is a 400 in the one error shape (the
        json module would recurse until RecursionError: a 500)."""
        if request.is_json and request.content_length != 0:
            depth = json_depth(request.get_data(cache=True), MAX_JSON_DEPTH)
            if depth > MAX_JSON_DEPTH:
                abort(
                    400,
                    message=f"JSON body nested deeper than {MAX_JSON_DEPTH} levels",
                    errors={"json": [f"nested deeper than {MAX_JSON_DEPTH} levels"]},
                )

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        if response.mimetype == "text/html" and "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = HTML_CSP
            headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        req = request._get_current_object()  # type: ignore[attr-defined]
        if req.method in READ_METHODS and _is_read_path(req.path):
            headers["Access-Control-Allow-Origin"] = origins
            if req.method == "OPTIONS":
                headers.update(preflight)
            etag = g.get("etag")  # set by readpath for /v1/ reads: keyed on the data version
            directory = pinned_directory()  # readpath pinned it with the ETag
            if etag and directory is not None and response.status_code == 200:
                cache = app.config["DIRECTORY_CACHE_CONTROL"]
                private = req.path in PRIVATE_PATHS
                if private and "no-store" not in cache and "Cache-Control" not in headers:
                    # What the private rule below would put in its place.
                    cache, private = _private(app), False
                # /v1/ views set none of these themselves, so they are appended, not searched.
                headers.add("ETag", f'"{etag}"')
                headers.add("Cache-Control", cache)
                headers.add("Vary", "Origin, Accept, Accept-Language")
                headers.add("X-Data-Version", str(directory.data_version))
                if not private:
                    return response
            else:
                response.vary.add("Origin")
        if req.path in PRIVATE_PATHS and "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = _private(app)
        return response


def _private(app: Flask) -> str:
    return f"private, max-age={int(app.config['DIRECTORY_CACHE_SECONDS'])}"


def _is_read_path(path: str) -> bool:
    return path.startswith("/v1/") or path in READ_PATHS


_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes, limit: int) -> int:
    """How deeply the JSON text nests arrays and objects (strings skipped); counting stops
    past `limit`. Text that is no JSON gives some number: the parser words its error."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return 0
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return depth
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
