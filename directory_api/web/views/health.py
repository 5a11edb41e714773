"""GET /health (process up) and /ready (store reachable, index built)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from directory_api.web.context import request_directory
from directory_api.web.schemas import HealthSchema

blp = Blueprint("health", __name__, description="Health checks for load balancers")


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """The process is up."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="Store unreachable")
    def get(self) -> Any:
        """The store answers and the in-memory index is built."""
        try:
            request_directory()
        except Exception:  # any store failure means: not ready
            return {"status": "unavailable"}, 503
        return {"status": "ready"}
