"""directory-api: where care for people who cannot be insured will be reimbursed (CAK)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from directory_api.config import from_environment, sqlite_url

__all__ = ["create_app"]

API_DESCRIPTION = """\
Nearest places in the Netherlands where care for people who cannot be insured
(onverzekerbare vreemdelingen) or who are uninsured will be reimbursed by the CAK, with the
terms, the advice and what to write on the referral. Nothing that identifies a patient is
asked, kept or logged.

Geodata: postcode and place tables from GeoNames (geonames.org), CC BY 4.0. Hospital
locations: RIVM Volksgezondheidenzorg.info via Eurostat GISCO. Rules: CAK regeling
onverzekerbare vreemdelingen, cited per rule (see /v1/care-types).
"""


class DirectoryFlask(Flask):
    """Flask without the per-call coroutine check: this app has no async views or hooks."""

    def ensure_sync(self, func: Any) -> Any:
        return func


def create_app(settings: dict[str, Any] | None = None) -> Flask:
    """App factory: defaults -> environment -> `settings`. Never loads data by itself."""
    merged = {**from_environment(), **(settings or {})}
    instance = merged.get("DIRECTORY_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    app = DirectoryFlask(__name__, instance_path=os.path.abspath(instance))
    app.config.update(
        API_TITLE="directory-api",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/static/swagger-ui/",
        JSON_SORT_KEYS=False,
    )
    app.config.update(merged)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = sqlite_url(
            os.path.join(app.instance_path, "directory.sqlite3")
        )
    if not app.config.get("DIRECTORY_GEODATA_PATH"):
        app.config["DIRECTORY_GEODATA_PATH"] = os.path.join(app.instance_path, "geodata")
    app.config["MAX_CONTENT_LENGTH"] = app.config["DIRECTORY_MAX_UPLOAD_BYTES"]

    from directory_api.services import build_services
    from directory_api.web import http, logs, readpath
    from directory_api.web.errors import DirectoryApi, register_error_handlers
    from directory_api.web.views import register_blueprints

    logs.configure(app)
    app.extensions["directory"] = build_services(app.config)
    api = DirectoryApi(
        app,
        spec_kwargs={
            "info": {
                "description": API_DESCRIPTION,
                "license": {"name": "EUPL-1.2"},
            }
        },
    )
    app.extensions["directory_api"] = api
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Admin token"}
    )
    register_error_handlers(app)
    register_blueprints(api, app)
    http.init_app(app)
    readpath.init_app(app)
    return app
