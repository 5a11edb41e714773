"""GET /bench/floor: the cheapest response this app can give, registered only in bench mode.

The benchmark (bench/run.py) compares /v1/search with it under the same server and load, so
the ratio says what search adds on top of Flask, gunicorn, the after-request headers and the
JSON encoding. A plain Flask blueprint: no flask-smorest, no schema, no data access.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

bp = Blueprint("bench_floor", __name__, url_prefix="/bench")

# A fixed 10-item list, about the shape of search results without their text.
FLOOR_ITEMS: list[dict[str, object]] = [
    {"id": f"floor{i:07d}", "name": f"Floor item {i}", "distance_km": round(0.37 * i, 2)}
    for i in range(10)
]


@bp.get("/floor")
def floor() -> Any:
    """The fixed list, encoded like every other JSON response of the app."""
    return current_app.json.response(FLOOR_ITEMS)
