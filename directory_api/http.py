"""HTTP conventions shared by every response: security headers, CORS, local docs assets."""

from __future__ import annotations

from flask import Flask, Response, request, send_from_directory


def init_app(app: Flask) -> None:
    """Register headers for every response and the Swagger UI assets (served locally)."""
    import swagger_ui_bundle

    assets = swagger_ui_bundle.swagger_ui_path

    @app.get("/static/swagger-ui/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        return send_from_directory(assets, filename, max_age=86400)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.method in {"GET", "HEAD", "OPTIONS"} and _is_read_path(request.path):
            response.headers["Access-Control-Allow-Origin"] = app.config["DIRECTORY_CORS_ORIGINS"]
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                "Accept, Accept-Language, If-None-Match"
            )
            response.headers["Access-Control-Max-Age"] = "86400"
            response.vary.add("Origin")
        return response


def _is_read_path(path: str) -> bool:
    return path.startswith("/v1/") or path in {"/health", "/ready", "/openapi.json", "/widget.js"}
