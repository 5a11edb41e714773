"""HTTP conventions shared by every response: security headers, CORS, caching, local docs."""

from __future__ import annotations

from flask import Flask, Response, g, request, send_from_directory

from directory_api.web.context import pinned_directory

READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
READ_PATHS = frozenset(("/health", "/ready", "/openapi.json", "/widget.js"))


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

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        req = request._get_current_object()  # type: ignore[attr-defined]
        if req.method in READ_METHODS and _is_read_path(req.path):
            headers["Access-Control-Allow-Origin"] = origins
            if req.method == "OPTIONS":
                headers.update(preflight)
            etag = g.get("etag")  # set by readpath for /v1/ reads: keyed on the data version
            directory = pinned_directory()  # readpath pinned it with the ETag
            if etag and directory is not None and response.status_code == 200:
                # /v1/ views set none of these themselves, so they are appended, not searched.
                headers.extend(
                    (
                        ("ETag", f'"{etag}"'),
                        ("Cache-Control", app.config["DIRECTORY_CACHE_CONTROL"]),
                        ("Vary", "Origin, Accept, Accept-Language"),
                        ("X-Data-Version", str(directory.data_version)),
                    )
                )
            else:
                response.vary.add("Origin")
        return response


def _is_read_path(path: str) -> bool:
    return path.startswith("/v1/") or path in READ_PATHS
