"""GET /health (process up) and /ready (store reachable, index built)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from directory_api.web.context import get_services, request_directory
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
    @blp.alt_response(503, schema=HealthSchema, description="Store unreachable (see reason)")
    def get(self) -> Any:
        """The store answers and the in-memory index is built; 503 says why not."""
        services = get_services()
        try:
            request_directory(services=services)
        except Exception:  # any store failure means: not ready (a reason only for outages)
            reason = services.holder.reason()
            return {"status": "unavailable", **({"reason": reason} if reason else {})}, 503
        down = services.holder.reason()
        if down is not None:  # reads are answered from memory, but the store is down
            return {"status": "unavailable", "reason": down}, 503
        return {"status": "ready"}
