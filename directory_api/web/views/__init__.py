"""The web layer's resources: one flask-smorest blueprint per resource (search, referral,
providers, export, care types, sources, imports, health), the widget and embed page, the
printable referral sheet, and the bench floor in bench mode."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register_blueprints(api: Api, app: Flask) -> None:
    """Attach every resource's blueprint to the Api (the bench floor only in bench mode)."""
    from directory_api.web.views import (
        care_types,
        export,
        health,
        imports,
        providers,
        referral,
        search,
        sources,
    )

    for module in (search, referral, providers, export, care_types, sources, imports, health):
        api.register_blueprint(module.blp)
    from directory_api import fhir  # /fhir (issue 13), its own package

    fhir.register(api, app)
    from directory_api.web.views import (
        widget,  # /widget.js and /embed: HTML and JS, so not in the OpenAPI document
    )

    app.register_blueprint(widget.bp)
    app.register_blueprint(referral.page_bp)  # /referral: the printable sheet (HTML)
    if app.config.get("DIRECTORY_BENCH_MODE"):
        from directory_api.web.views import bench_floor

        app.register_blueprint(bench_floor.bp)
